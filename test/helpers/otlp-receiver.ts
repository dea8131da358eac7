import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as the OTLP/HTTP JSON encoding carries it, with the service that sent it. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  /** OTLP's status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  attributes: Record<string, string | number | boolean>;
}

/**
 * A real OTLP/HTTP trace receiver for end-to-end tests: it takes what the OpenTelemetry JS
 * exporter sends to POST /v1/traces (JSON, as @opentelemetry/exporter-trace-otlp-http encodes it)
 * and decodes every span; anything else is answered 404. Listens on 127.0.0.1.
 */
export interface OtlpReceiver {
  /** http://127.0.0.1:<port>, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Export requests received, and those that could not be decoded. */
  requests: number;
  rejected: string[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const receiver = { spans: [] as ReceivedSpan[], requests: 0, rejected: [] as string[] };
  const server: Server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end();
      return;
    }
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      receiver.requests++;
      try {
        if (!String(request.headers['content-type']).startsWith('application/json')) throw new Error(`content-type ${request.headers['content-type']}`);
        receiver.spans.push(...decode(JSON.parse(body) as ExportRequest));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        receiver.rejected.push(String(error));
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

interface AnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: KeyValue[] };
    scopeSpans: {
      spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; status?: { code?: number }; attributes?: KeyValue[] }[];
    }[];
  }[];
}

function attributesOf(list: KeyValue[] = []): Record<string, string | number | boolean> {
  return Object.fromEntries(list.map(({ key, value }) => [key, value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : undefined) ?? value.doubleValue ?? value.boolValue ?? '']));
}

function decode(request: ExportRequest): ReceivedSpan[] {
  if (!Array.isArray(request.resourceSpans)) throw new Error('no resourceSpans');
  return request.resourceSpans.flatMap((resourceSpans) => {
    const service = String(attributesOf(resourceSpans.resource.attributes)['service.name']);
    return resourceSpans.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => ({
        service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? '',
        name: span.name,
        kind: span.kind,
        statusCode: span.status?.code ?? 0,
        attributes: attributesOf(span.attributes),
      })),
    );
  });
}
