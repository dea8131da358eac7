/**
 * The tables that drive help, prompts, validation, the JSON Schema and the templates. Adding a
 * transport, a middleware or a field type is adding a row here (and its template), not a branch.
 */

/** Transports a service can serve. */
export const TRANSPORTS = {
  http: { summary: 'HTTP/JSON on fastify' },
  grpc: { summary: 'gRPC on its own port (grpcPort, default port + 1000), with health checks and reflection' },
  nats: { summary: 'NATS request-reply on <system>.<context>.<endpoint>, queue group <context>: replicas share the load (NATS_URL)' },
} as const;
export type TransportName = keyof typeof TRANSPORTS;
export const DEFAULT_TRANSPORTS: readonly TransportName[] = ['http'];
/** The transport a client uses unless `uses.<upstream>.via` says: the first the upstream serves, in the table's order. */
export function defaultVia(served: Readonly<Record<TransportName, boolean>>): TransportName {
  return (Object.keys(TRANSPORTS) as TransportName[]).find((name) => served[name]) ?? 'http';
}
/** NATS's client port, published by docker compose. */
export const NATS_PORT = 4222;
/** Where a service finds NATS unless NATS_URL says otherwise. */
export const DEFAULT_NATS_URL = `nats://127.0.0.1:${NATS_PORT}`;
/** The NATS server's service in docker compose; no context of a system that uses NATS may take the name. */
export const NATS_COMPOSE_SERVICE = 'nats';

/**
 * Endpoint middleware. `order` is the position in the chain, innermost first (Go kit's addsvc
 * order): a request passes tracing, metrics, logging, then the rate limiter, so rejected requests are
 * still traced, logged and counted.
 */
export const MIDDLEWARE = {
  ratelimit: { order: 1, summary: 'token bucket per endpoint; 429 when exceeded (RATE_LIMIT_RPS, RATE_LIMIT_BURST)' },
  logging: { order: 2, summary: 'one JSON line per request with endpoint, duration and outcome (pino)' },
  metrics: { order: 3, summary: 'request count and latency histogram per endpoint and outcome (prom-client)' },
  tracing: { order: 4, summary: 'a span per endpoint call (OpenTelemetry), when OTEL_EXPORTER_OTLP_ENDPOINT is set' },
} as const;
export type MiddlewareName = keyof typeof MIDDLEWARE;
export const DEFAULT_MIDDLEWARE: readonly MiddlewareName[] = ['logging', 'metrics', 'ratelimit', 'tracing'];

/**
 * Built-in field types: their TypeScript type, and the JSON Schema that validates them on the wire.
 * Every primitive can travel in a path or a query string.
 */
export const PRIMITIVES = {
  string: { ts: 'string', schema: { type: 'string' } },
  integer: { ts: 'number', schema: { type: 'integer' } },
  number: { ts: 'number', schema: { type: 'number' } },
  boolean: { ts: 'boolean', schema: { type: 'boolean' } },
  datetime: { ts: 'string', schema: { type: 'string', format: 'date-time' } },
  uuid: { ts: 'string', schema: { type: 'string', format: 'uuid' } },
} as const;
export type PrimitiveName = keyof typeof PRIMITIVES;

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** Methods whose request fields (other than path parameters) travel in the query string. */
export const QUERY_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'DELETE']);

/** Routes every generated service serves itself; the spec cannot take them. */
export const BUILT_IN_ROUTES = ['GET /health', 'GET /health/live', 'GET /metrics', 'GET /openapi.json'] as const;

export const BASE_PORT = 8080;
/** A gRPC port defaults to the context's HTTP port plus this. */
export const GRPC_PORT_OFFSET = 1000;

export const isPrimitive = (name: string): name is PrimitiveName => Object.hasOwn(PRIMITIVES, name);

/**
 * What a context gets when kit.yaml gives it no `resources`: Kubernetes' requests and limits and
 * docker compose's `mem_limit` and `cpus`. 256 MiB leaves a 192 MiB heap; a quarter of a core
 * serves a few hundred small requests a second of Node's single thread.
 */
export const DEFAULT_RESOURCES = { memory: '256Mi', cpu: '250m' } as const;
/** The smallest memory limit: Node itself, its code and buffers take about 50 MiB beside the heap. */
export const MIN_MEMORY_MIB = 128;
/**
 * V8's whole heap as a share of the memory limit; the rest is for what lives outside it (Node's
 * own C++ memory, stacks, buffers), so V8 collects garbage before the kernel's OOM killer stops
 * the process.
 */
export const HEAP_SHARE = 0.75;
/**
 * What V8 adds to `--max-old-space-size` for the young generation (three 16 MiB semi-spaces on
 * 64-bit Node: `node --max-old-space-size=192` reports a heap_size_limit of 240 MiB), so the flag
 * is the heap's share less this.
 */
export const YOUNG_GENERATION_MIB = 48;
