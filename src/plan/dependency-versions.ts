/**
 * The versions generated systems depend on, in one place. Each was installed, built and tested
 * together by the end-to-end tests; Node 20 is the oldest runtime they must support.
 */
export const DEPENDENCY_VERSIONS = {
  /** Request validation: bodies strictly typed, path and query converted (src/transport/http.ts). */
  ajv: '^8.17.1',
  ajvFormats: '^3.0.1',
  fastify: '^5.6.1',
  pino: '^10.1.0',
  promClient: '^15.1.3',
  /** Reads openapi.yaml when GET /openapi.json is first asked for (src/transport/http.ts). */
  yaml: '^2.8.1',
  /**
   * The gRPC transport: the reference implementation for Node (measured against Connect-ES in
   * docs/architecture.md), its .proto loader, the standard health service and server reflection.
   * protobufjs is the loader's own major, for the rich error details.
   */
  grpcJs: '^1.14.3',
  grpcProtoLoader: '^0.8.0',
  grpcHealthCheck: '^2.1.0',
  grpcReflection: '^1.0.4',
  protobufjs: '^7.5.5',
  /** The NATS transport and clients: the official client, v3 (its engines say Node 18 and up). */
  natsTransportNode: '^3.4.0',
  /**
   * Tracing: the API in every service (a no-op until the SDK is loaded), and the SDK with its OTLP/HTTP
   * exporter, loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set. The 2.x SDK line: 3.x and the
   * exporter's 0.300 line declare Node 22.
   */
  otelApi: '^1.9.0',
  otelSdkTraceNode: '~2.12.1',
  otelResources: '~2.12.1',
  otelExporterTraceOtlpHttp: '~0.223.1',
  /** Circuit breakers of upstream clients; 10 needs Node 22. */
  opossum: '^9.0.0',
  typesOpossum: '^8.1.9',
  typescript: '~5.9.3',
  typesNode: '^20.19.0',
  concurrently: '^9.2.1',
  /**
   * fastify's request injector; from 6.8 on it needs cookie@2, which declares Node 22. Held at the
   * last release on cookie@1 so that installs on Node 20 are clean.
   */
  lightMyRequest: '6.6.0',
  /** The NATS server in docker compose, on Alpine for its health check's wget. */
  natsImage: 'nats:2.11-alpine',
  /** The observability profile of docker compose: Prometheus (its LTS line) and Jaeger 2 (OTLP built in). */
  prometheusImage: 'prom/prometheus:v3.5.0',
  jaegerImage: 'jaegertracing/jaeger:2.21.0',
  /** The base image of every service: a pinned Node LTS on Alpine. */
  nodeImage: '24.11.1-alpine3.22',
} as const;
