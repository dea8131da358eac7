import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { output, run } from '../helpers/run-command.js';
import { freePort, startService, stopAll, within, type RunningService } from '../helpers/service-process.js';

/**
 * Issue "Tracing across contexts", end to end: a generated system where cart calls catalog over
 * HTTP, pricing over gRPC and stock over NATS (a real nats-server), every service exporting with the
 * real OpenTelemetry exporter to a real OTLP/HTTP receiver started here (it decodes what the
 * exporter sends). One call to cart must give one trace whose spans cross all four services with the
 * right parents; the log lines of the call carry its trace id; a domain error marks its spans with
 * its code; with the receiver gone, calls still succeed and memory stays bounded. Without an OTLP
 * endpoint, a service writes no trace ids (no SDK is loaded).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const work = mkdtempSync(join(tmpdir(), 'cks-tracing-'));
const system = join(work, 'traced');
const dir = (service: string) => join(system, 'services', service);

const SPEC = `name: traced
contexts:
  catalog:
    endpoints:
      getItem:
        http: GET /items/{id}
        request: { id: string }
        response: { id: string, name: string }
        errors: [ItemNotFound]
  pricing:
    transports: [grpc]
    endpoints:
      quote:
        request: { id: string }
        response: { price: number }
  stock:
    transports: [nats]
    endpoints:
      reserve:
        request: { id: string }
        response: { reserved: boolean }
  cart:
    endpoints:
      addItem:
        http: POST /cart/items
        request: { id: string }
        response: { name: string, price: number, reserved: boolean }
        errors: [ItemNotFound]
    uses:
      catalog: { endpoints: [getItem] }
      pricing: { endpoints: [quote] }
      stock: { endpoints: [reserve] }
`;

function implement(service: string, method: RegExp, body: string, imports: [RegExp, string]): void {
  const file = join(dir(service), 'src/service.ts');
  let text = readFileSync(file, 'utf8');
  for (const [pattern, replacement] of [imports, [method, body] as [RegExp, string]]) {
    expect(text.match(new RegExp(pattern.source, 'g'))?.length, `one match of ${pattern} in ${file}`).toBe(1);
    text = text.replace(pattern, replacement);
  }
  writeFileSync(file, text);
}

const NOT_IMPLEMENTED_IMPORT = /import \{ NotImplementedError \} from '\.\/errors\.js';\n/;
const stub = (signature: string) => new RegExp(`async ${signature} \\{\\n[^\\n]*\\n  \\}`);

function writeUserCode(): void {
  implement('catalog', stub('getItem\\(request: GetItemRequest\\): Promise<GetItemResponse>'), `async getItem(request: GetItemRequest): Promise<GetItemResponse> {
    if (request.id === 'unknown') throw new ItemNotFoundError(\`no item \${request.id}\`);
    return { id: request.id, name: \`item \${request.id}\` };
  }`, [NOT_IMPLEMENTED_IMPORT, "import { ItemNotFoundError } from './errors.js';\n"]);
  implement('pricing', stub('quote\\(request: QuoteRequest\\): Promise<QuoteResponse>'), `async quote(request: QuoteRequest): Promise<QuoteResponse> {
    return { price: request.id.length };
  }`, [NOT_IMPLEMENTED_IMPORT, '']);
  implement('stock', stub('reserve\\(request: ReserveRequest\\): Promise<ReserveResponse>'), `async reserve(request: ReserveRequest): Promise<ReserveResponse> {
    return { reserved: request.id !== '' };
  }`, [NOT_IMPLEMENTED_IMPORT, '']);
  implement('cart', stub('addItem\\(request: AddItemRequest\\): Promise<AddItemResponse>'), `async addItem(request: AddItemRequest): Promise<AddItemResponse> {
    const item = await this.deps.catalog.getItem({ id: request.id });
    const { price } = await this.deps.pricing.quote({ id: request.id });
    const { reserved } = await this.deps.stock.reserve({ id: request.id });
    return { name: item.name, price, reserved };
  }`, [NOT_IMPLEMENTED_IMPORT, '']);
}

let nats: NatsServer;
let receiver: OtlpReceiver;
let pricingGrpc: number;
/** Every service's environment: the receiver, spans sent every 100 ms (so the test waits little), this test's NATS, no rate limit. */
let tracedEnv: Record<string, string>;
const services: Record<string, RunningService> = {};

beforeAll(async () => {
  writeFileSync(join(work, 'kit.yaml'), SPEC);
  const created = run(process.execPath, [bin, system, '--spec', join(work, 'kit.yaml'), '--yes', '--no-git'], work, 600_000);
  if (created.status !== 0) throw new Error(`create failed\n${output(created)}`);
  writeUserCode();
  const build = run('npm', ['run', 'build'], system, 300_000);
  if (build.status !== 0) throw new Error(`npm run build failed\n${output(build)}`);
  [nats, receiver] = await Promise.all([startNatsServer(), startOtlpReceiver()]);
  pricingGrpc = await freePort();
  tracedEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100', NATS_URL: nats.url, RATE_LIMIT_RPS: '1000000', RATE_LIMIT_BURST: '1000000' };
  services.catalog = await startService(dir('catalog'), { env: tracedEnv });
  services.pricing = await startService(dir('pricing'), { env: { ...tracedEnv, GRPC_PORT: String(pricingGrpc) } });
  services.stock = await startService(dir('stock'), { env: tracedEnv });
  services.cart = await startService(dir('cart'), {
    env: { ...tracedEnv, CATALOG_URL: services.catalog.base, PRICING_URL: `http://127.0.0.1:${pricingGrpc}` },
  });
}, 900_000);

afterAll(() => {
  stopAll();
  nats?.kill();
  void receiver?.close();
  rmSync(work, { recursive: true, force: true });
});

async function addItem(id: string, cart = services.cart!): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${cart.base}/cart/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Waits (bounded) until the receiver holds the spans of one trace from every listed service, and returns them. */
async function traceOf(find: (span: ReceivedSpan) => boolean, servicesInTrace: string[]): Promise<ReceivedSpan[]> {
  let spans: ReceivedSpan[] = [];
  await within(
    (async () => {
      for (;;) {
        const root = receiver.spans.find(find);
        spans = root ? receiver.spans.filter((span) => span.traceId === root.traceId) : [];
        if (servicesInTrace.every((service) => spans.some((span) => span.service === service))) return;
        await sleep(50);
      }
    })(),
    10_000,
    `spans of ${servicesInTrace.join(', ')} in one trace`,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; received: ${JSON.stringify(receiver.spans.map((span) => [span.service, span.name]))}`);
  });
  return spans;
}

const KIND = { internal: 1, server: 2, client: 3 } as const;

describe('tracing across contexts, exported to a real OTLP receiver', () => {
  it('gives one call one trace, crossing HTTP, gRPC and NATS with the right parents', async () => {
    const answer = await addItem('apple');
    expect(answer, JSON.stringify(answer)).toEqual({ status: 200, body: { name: 'item apple', price: 5, reserved: true } });
    const spans = await traceOf((span) => span.service === 'cart' && span.name === 'POST /cart/items' && span.parentSpanId === '', ['cart', 'catalog', 'pricing', 'stock']);
    const one = (service: string, name: string) => {
      const found = spans.filter((span) => span.service === service && span.name === name);
      expect(found.map((span) => [span.service, span.name]), `one span "${name}" of ${service} among ${JSON.stringify(spans.map((span) => [span.service, span.name]))}`).toEqual([[service, name]]);
      return found[0]!;
    };
    const cartServer = one('cart', 'POST /cart/items');
    const cartEndpoint = one('cart', 'endpoint addItem');
    expect([cartServer.kind, cartServer.attributes['http.response.status_code']]).toEqual([KIND.server, 200]);
    expect([cartEndpoint.kind, cartEndpoint.parentSpanId]).toEqual([KIND.internal, cartServer.spanId]);
    const hops = [
      ['catalog.getItem', 'catalog', 'GET /items/:id'],
      ['pricing.quote', 'pricing', 'traced.pricing.v1.PricingService/Quote'],
      ['stock.reserve', 'stock', 'traced.stock.reserve process'],
    ] as const;
    for (const [clientName, upstream, serverName] of hops) {
      const client = one('cart', clientName);
      const server = one(upstream, serverName);
      const endpoint = spans.find((span) => span.service === upstream && span.name.startsWith('endpoint '))!;
      expect([client.kind, client.parentSpanId], clientName).toEqual([KIND.client, cartEndpoint.spanId]);
      expect([server.kind, server.parentSpanId], serverName).toEqual([KIND.server, client.spanId]);
      expect(endpoint.parentSpanId, `${upstream}'s endpoint span`).toBe(server.spanId);
    }
    expect(receiver.rejected).toEqual([]);

    // Every log line of the call, in both services, carries its trace.
    const traceId = cartServer.traceId;
    for (const service of ['cart', 'catalog']) {
      await within(
        (async () => {
          while (!services[service]!.stdout().includes(traceId)) await sleep(50);
        })(),
        5_000,
        `${service} to log the trace id`,
      );
      const line = services[service]!.stdout().split('\n').find((text) => text.includes(traceId))!;
      expect(JSON.parse(line)).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/), outcome: 'success' });
    }
  }, 60_000);

  it("marks a domain error's spans with its code", async () => {
    const answer = await addItem('unknown');
    expect(answer).toEqual({ status: 404, body: { error: { code: 'ITEM_NOT_FOUND', message: 'no item unknown' } } });
    const spans = await traceOf((span) => span.service === 'catalog' && span.name === 'endpoint getItem' && span.attributes['kit.error.code'] === 'ITEM_NOT_FOUND', ['cart', 'catalog']);
    const named = (service: string, name: string) => spans.find((span) => span.service === service && span.name === name)!;
    expect(named('catalog', 'endpoint getItem')).toMatchObject({ statusCode: 2, attributes: { 'kit.error.code': 'ITEM_NOT_FOUND', 'kit.error.kind': 'not_found' } });
    expect(named('cart', 'catalog.getItem')).toMatchObject({ statusCode: 2, attributes: { 'kit.error.code': 'ITEM_NOT_FOUND' } });
    // The server spans answer a caller's mistake: not the server's error, but the code is there.
    expect(named('catalog', 'GET /items/:id')).toMatchObject({ statusCode: 0, attributes: { 'http.response.status_code': 404, 'kit.error.code': 'ITEM_NOT_FOUND' } });
  }, 30_000);

  it('keeps answering, with bounded memory, when the receiver is gone', async () => {
    await receiver.close();
    // A cart whose heap may not pass 64 MiB: spans held without bound would end it (out of memory)
    // long before the last of these calls; the exporter's queue drops them instead.
    const capped = await startService(dir('cart'), {
      env: { ...tracedEnv, NODE_OPTIONS: '--max-old-space-size=64', CATALOG_URL: services.catalog!.base, PRICING_URL: `http://127.0.0.1:${pricingGrpc}` },
    });
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${capped.pid}/status`, 'utf8'))![1]) * 1024;
    /** Calls from 20 callers at once; each call makes 5 spans that cannot leave. */
    const load = (calls: number) =>
      Promise.all(
        Array.from({ length: 20 }, async () => {
          for (let n = 0; n < calls / 20; n++) expect((await addItem('pear', capped)).status).toBe(200);
        }),
      );
    await load(2_000);
    const before = rss();
    await load(8_000);
    const grown = rss() - before;
    expect(capped.hasExited(), capped.stderr()).toBe(false);
    expect(grown, `grew by ${Math.round(grown / 1_048_576)} MiB over 8,000 calls`).toBeLessThan(24 * 1_048_576);
  }, 180_000);

  it('loads no tracing and writes no trace ids without an OTLP endpoint', async () => {
    const plain = await startService(dir('catalog'), { env: { RATE_LIMIT_RPS: '1000000' } });
    const response = await fetch(`${plain.base}/items/apple`, { headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    expect(response.status).toBe(200);
    await within(
      (async () => {
        while (!plain.stdout().includes('"endpoint":"getItem"')) await sleep(50);
      })(),
      5_000,
      'the request log line',
    );
    expect(plain.stdout()).not.toContain('trace_id');
    plain.child.kill('SIGTERM');
    await within(plain.exited, 10_000, 'the service to stop');
  }, 30_000);
});
