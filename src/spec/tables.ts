/**
 * The tables that drive help, prompts, validation, the JSON Schema and the templates. Adding a
 * transport, a middleware or a field type is adding a row here (and its template), not a branch.
 */

/** Transports a service can serve. */
export const TRANSPORTS = {
  http: { summary: 'HTTP/JSON on fastify' },
  grpc: { summary: 'gRPC on its own port (grpcPort, default port + 1000), with health checks and reflection' },
} as const;
export type TransportName = keyof typeof TRANSPORTS;
export const DEFAULT_TRANSPORTS: readonly TransportName[] = ['http'];

/**
 * Endpoint middleware. `order` is the position in the chain, innermost first (Go kit's addsvc
 * order): a request passes metrics, then logging, then the rate limiter, so rejected requests are
 * still logged and counted.
 */
export const MIDDLEWARE = {
  ratelimit: { order: 1, summary: 'token bucket per endpoint; 429 when exceeded (RATE_LIMIT_RPS, RATE_LIMIT_BURST)' },
  logging: { order: 2, summary: 'one JSON line per request with endpoint, duration and outcome (pino)' },
  metrics: { order: 3, summary: 'request count and latency histogram per endpoint and outcome (prom-client)' },
} as const;
export type MiddlewareName = keyof typeof MIDDLEWARE;
export const DEFAULT_MIDDLEWARE: readonly MiddlewareName[] = ['logging', 'metrics', 'ratelimit'];

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
export const BUILT_IN_ROUTES = ['GET /health', 'GET /metrics', 'GET /openapi.json'] as const;

export const BASE_PORT = 8080;
/** A gRPC port defaults to the context's HTTP port plus this. */
export const GRPC_PORT_OFFSET = 1000;

export const isPrimitive = (name: string): name is PrimitiveName => Object.hasOwn(PRIMITIVES, name);
