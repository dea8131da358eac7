import type { ErrorKind } from '../spec/error-kind.js';
import type { HttpMethod, MiddlewareName, TransportName } from '../spec/tables.js';
import type { ProtoNumbers } from './number-proto-fields.js';

/**
 * What the templates see: the spec with every name variant, route, schema and sample computed once.
 * Templates only walk these fields; they never change case or compute anything.
 */
export interface SystemModel {
  /** kebab-case system name, also the npm scope of the services. */
  name: string;
  title: string;
  description: Text;
  services: ServiceModel[];
  /** Every `uses` edge, for the context map. */
  edges: ContextEdge[];
  /** The field numbers of every gRPC message, for `.kit/proto-numbers.json`. */
  protoNumbers: ProtoNumbers;
  /** Whether any service serves or calls over NATS: then compose runs a NATS server. */
  usesNats: boolean;
  /** NATS_URL's default. */
  natsUrl: string;
  /** The JSON Schema of every error answer over HTTP, as source (schemas.ts); the OpenAPI documents use the same. */
  errorBodySchemaJson: string;
  /** What every context's deployment shares (deploy/k8s, docker compose). */
  deploy: SystemDeployModel;
}

/** Settings every context's Kubernetes objects share; docs/deploy.md says why each is what it is. */
export interface SystemDeployModel {
  /** The namespace of the base, named after the system; upstream addresses name it. */
  namespace: string;
  /** The image's user (the Dockerfile's USER), numeric so that the kubelet can check runAsNonRoot. */
  uid: number;
  gid: number;
  /** The preStop pause, so that the pod leaves the Service's endpoints before the process stops taking requests. */
  preStopSeconds: number;
  /** SHUTDOWN_TIMEOUT_MS: how long the service drains requests in flight after SIGTERM. */
  shutdownTimeoutMs: number;
  /** preStop + drain + a margin: the kubelet kills the process only after the drain gave up. */
  terminationGracePeriodSeconds: number;
  /** Who may scrape /metrics: pods with this label in the namespace with this name. */
  scraper: { namespace: string; labelKey: string; labelValue: string };
  /** The label of the ingress controller's pods, which contexts marked `public` admit. */
  ingressLabel: { key: string; value: string };
  /** NATS_URL in the cluster: the Service "nats" of the namespace (NATS itself is deployed separately). */
  natsClusterUrl: string;
}

/** Where one context runs: its share of a host, the ports it serves, who may call it. */
export interface ServiceDeployModel {
  /** `256Mi`: memory request and limit. */
  memory: string;
  memoryMiB: number;
  /** V8's whole heap: HEAP_SHARE of the limit, so V8 collects garbage before the kernel kills the process. */
  heapMiB: number;
  /** `--max-old-space-size`: the heap less the young generation V8 adds to it. */
  oldSpaceMiB: number;
  /** `250m`: CPU request and limit. */
  cpu: string;
  /** The same numbers as docker compose takes them: `256m` (MiB) and `0.25` (cores). */
  composeMemLimit: string;
  composeCpus: string;
  public: boolean;
  /** Whether readiness asks the gRPC health service (a gRPC context that needs no NATS) rather than GET /health. */
  grpcReadiness: boolean;
  /** Every port the context serves: `http`, and `grpc` when it serves gRPC. */
  ports: { name: string; port: number; appProtocol: string }[];
  /** Contexts whose clients call this one (the context map read backwards), each with the port it calls. */
  callers: CallerModel[];
  hasCallers: boolean;
}

/** A context that calls another one, and on which of the other's ports. */
export interface CallerModel {
  specName: string;
  kebab: string;
  portName: string;
  port: number;
}

/** A JSON Schema, as the transports validate with it: a type is referenced as `{ $ref: 'Name#' }`, by its `$id`. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** The schema of an object of fields: a request, a response, a type, or the part of a request in one place. */
export interface ObjectSchema extends JsonSchema {
  type: 'object';
  properties: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties: false;
}

/** A spec description, escaped once for each place it lands in, so any text is safe anywhere. */
export interface Text {
  /** Inside a block comment: the comment terminator escaped, one line. */
  doc: string;
  /** In Markdown text and table cells. */
  markdown: string;
  /** As a JSON / TypeScript string literal, quotes included. */
  literal: string;
}

export interface ContextEdge {
  downstream: string;
  upstream: string;
  /** Mermaid node ids. */
  downstreamId: string;
  upstreamId: string;
  /** What the arrow says: the endpoints called and the translated types. */
  label: string;
  endpoints: string[];
  /** `Payer -> Customer` pairs, upstream type first. */
  translations: { upstream: string; local: string }[];
}

export interface ServiceModel {
  /** As the spec names it. */
  specName: string;
  kebab: string;
  pascal: string;
  camel: string;
  screaming: string;
  /** `@shop/ordering` */
  packageName: string;
  /** `OrderingService`, the interface; `OrderingServiceImpl`, the user's class. */
  interfaceName: string;
  className: string;
  description: Text;
  port: number;
  /** Where the gRPC server listens, when the service serves grpc. */
  grpcPort: number;
  transports: Record<TransportName, boolean>;
  /** The service's own gRPC contract, when it serves grpc. */
  grpc?: ProtoModel;
  /** Its endpoints as callers reach them (routes, rpcs, NATS subjects), for the system README. */
  endpointsMarkdown: string;
  /** `HTTP and gRPC transports`: what main.ts wires, for its comment. */
  transportsText: string;
  /** Whether it serves a transport that carries a request as one message (grpc, nats), validated by one schema. */
  messageTransports: boolean;
  /** The NATS queue group its replicas share: a request goes to one of them. */
  natsQueue: string;
  /** Whether it connects to NATS: it serves nats, or calls an upstream via nats. */
  connectsToNats: boolean;
  /** Every .proto the service needs: its own and those of upstreams it calls over gRPC. */
  protos: ProtoModel[];
  /** The transports its upstream clients use. */
  clientTransports: Record<TransportName, boolean>;
  /** The enabled middleware in chain order, innermost first. */
  middleware: { name: MiddlewareName; factory: string }[];
  enabledMiddleware: Record<MiddlewareName, boolean>;
  types: TypeModel[];
  endpoints: EndpointModel[];
  hasEndpoints: boolean;
  /** The endpoints served over HTTP: all of them, or none when the service does not serve http. */
  httpEndpoints: EndpointModel[];
  /** The endpoint whose route tests the rate limiter, when the service has the middleware. */
  rateLimitTestEndpoint?: EndpointModel;
  /** An endpoint that takes a JSON body, for the contract test of the body size limit. */
  bodyEndpoint?: EndpointModel;
  /** Every path the service serves (its endpoints' and the built-in ones), with the methods it answers: for 405 and its Allow header. */
  routes: RouteModel[];
  /** A request to a path the service serves with a method it does not answer there, for the contract test of 405. */
  methodNotAllowed: { method: string; url: string; allow: string };
  /** Declared errors of all endpoints, each once. */
  errors: ErrorModel[];
  hasErrors: boolean;
  upstreams: UpstreamModel[];
  hasUpstreams: boolean;
  /** The upstreams it reaches at a URL of their own (<UPSTREAM>_URL); NATS clients use NATS_URL. */
  urlUpstreams: UpstreamModel[];
  /** What docker compose starts first: upstreams that do not call back (that would be a cycle), and the NATS server. */
  dependsOn: string[];
  /** `OrderingDeps`: what the service class receives through its constructor. */
  depsName: string;
  /** Kubernetes and docker compose settings of this context. */
  deploy: ServiceDeployModel;
  /** `openapi.yaml`: the OpenAPI 3.1 document of the service's HTTP port, built from the same schemas as schemas.ts. */
  openApiYaml: string;
}

export interface RouteModel {
  /** A regular expression (source) that a request path of this route matches: `^/orders/[^/]+$`. */
  pattern: string;
  /** The methods answered there, in the order an Allow header lists them: GET, HEAD, DELETE. */
  methods: string[];
}

export interface TypeModel {
  name: string;
  description: Text;
  fields: FieldModel[];
  /** The JSON Schema, registered with fastify and Ajv under `$id` = name. */
  schema: ObjectSchema & { $id: string };
  /** The same, as source. */
  schemaJson: string;
}

export interface FieldModel {
  name: string;
  optional: boolean;
  /** TypeScript type inside types.ts, e.g. `OrderLine[]`. */
  tsType: string;
  /** The type as the spec wrote it, for docs. */
  specType: string;
}

export interface EndpointModel {
  specName: string;
  camel: string;
  /** The method's name in an interface: `'new'` quoted, since a bare `new(...)` there is a construct signature. */
  signatureName: string;
  pascal: string;
  kebab: string;
  screaming: string;
  description: Text;
  method: HttpMethod;
  /** As written in the spec: `/orders/{orderId}`. */
  path: string;
  /** fastify's syntax: `/orders/:orderId`. */
  fastifyPath: string;
  requestType: string;
  responseType: string;
  request: FieldModel[];
  response: FieldModel[];
  /** Where each request field travels. */
  pathFields: string[];
  queryFields: string[];
  bodyFields: string[];
  hasPath: boolean;
  hasQuery: boolean;
  hasBody: boolean;
  /** The JSON Schemas of the request's parts (undefined parts: no such part), the response and the whole request. */
  schemas: EndpointSchemas;
  /** The same route schemas as source (undefined parts are left out of the route). */
  paramsSchemaJson?: string;
  querySchemaJson?: string;
  bodySchemaJson?: string;
  responseSchemaJson: string;
  /** The whole request (every field, wherever HTTP carries it), for transports that carry it as one message. */
  requestSchemaJson: string;
  errors: ErrorModel[];
  /** How a client of this endpoint sends a request (a CallSpec of clients/upstream.ts), as source. */
  callSpecJson: string;
  /** Contract test data: a valid request, the URL and payload that carry it, a valid response. */
  sample: {
    requestJson: string;
    /** The request on one line, for comments. */
    requestInline: string;
    url: string;
    payloadJson?: string;
    responseJson: string;
  };
  /** A request the transport must reject with 400, when the endpoint's fields allow one. */
  badRequest?: { url: string; payloadJson?: string; reason: string };
  /** A request the gRPC transport must reject with INVALID_ARGUMENT, and the field (proto name) it names. */
  grpcBadRequest?: { requestJson: string; reason: string; field: string };
  /** `shop.ordering.placeOrder`: the subject its NATS transport answers on. */
  natsSubject: string;
  /** A JSON payload the NATS transport must reject, and the field its error names. */
  natsBadRequest: { payloadJson: string; reason: string; field: string };
}

/** An endpoint's JSON Schemas: what its transports validate and serialize with. */
export interface EndpointSchemas {
  params?: ObjectSchema;
  query?: ObjectSchema;
  body?: ObjectSchema;
  response: ObjectSchema;
  /** Every request field, wherever HTTP carries it (gRPC's request message). */
  request: ObjectSchema;
}

export interface ErrorModel {
  specName: string;
  className: string;
  /** Stable machine-readable code in the error body: `OUT_OF_STOCK`. */
  code: string;
  kind: ErrorKind;
  /** What the transports answer with: the HTTP status and the gRPC status name. */
  status: number;
  grpcStatus: string;
}

export interface UpstreamModel {
  specName: string;
  kebab: string;
  pascal: string;
  camel: string;
  /** The transport its client uses (`uses.<upstream>.via`). */
  via: TransportName;
  /** The upstream's gRPC contract, when the client uses gRPC. */
  grpc?: ProtoModel;
  /** Whether the client uses NATS (then it has no URL of its own: NATS_URL). */
  nats: boolean;
  /** Environment variable holding its base URL: `BILLING_URL`. */
  urlVariable: string;
  /** Where it listens when run locally, and inside docker compose. */
  defaultUrl: string;
  composeUrl: string;
  /** Its Service's in-cluster DNS name: `http://billing.shop.svc:8082`. */
  clusterUrl: string;
  /** `BillingApi`, the client interface; `createBillingClient`, its factory. */
  apiName: string;
  factory: string;
  /** `billingTranslators`, the field of the service's dependencies holding the translators. */
  translatorsName: string;
  /**
   * The translators' namespace of this context's own types: `T`, unless the upstream's namespace
   * is `T` itself (a context named `t`); then the generator's name gives way.
   */
  localTypesAlias: string;
  /** The upstream's endpoints this context calls, as the upstream models them. */
  endpoints: EndpointModel[];
  endpointNames: string[];
  /** The upstream's types those endpoints and the translations need, in its own terms. */
  types: TypeModel[];
  translations: TranslationModel[];
  hasTranslations: boolean;
  /** True when some required translated field could not be mapped, so its stub throws. */
  hasTodo: boolean;
}

/** One `translate` pair: functions both ways between the upstream's type and the local one. */
export interface TranslationModel {
  /** Upstream type, e.g. `Payer`; local type, e.g. `Customer`. */
  upstream: string;
  local: string;
  /** `toPayer(customer)` and `fromPayer(payer)`. */
  toName: string;
  fromName: string;
  localParam: string;
  upstreamParam: string;
  toFields: FieldMapping[];
  fromFields: FieldMapping[];
}

/** How one field of the target is computed from the source. */
export interface FieldMapping {
  name: string;
  expression: string;
  /** Set when no rule matched: the comment that says what the user must write. */
  todo?: string;
}

/** A context's gRPC contract: what its .proto declares, and how messages map to the spec's names. */
export interface ProtoModel {
  /** `shop.ordering.v1` */
  package: string;
  /** `shop/ordering/v1/ordering.proto`, below the service's proto/ folder; `path` includes that folder. */
  importPath: string;
  path: string;
  serviceName: string;
  /** `shop.ordering.v1.OrderingService` */
  fullServiceName: string;
  messages: ProtoMessageModel[];
  rpcs: { name: string; camel: string; specName: string; comment: string; request: string; response: string }[];
  /** Message -> its fields as `[spec name, proto name, message type?]`, as source: the codec's table. */
  codecJson: string;
}

export interface ProtoMessageModel {
  name: string;
  comment: string;
  fields: ProtoFieldModel[];
  /** `3, 7` and `"old", "gone"`: what no field may take again. */
  reservedNumbers: string;
  reservedNames: string;
}

export interface ProtoFieldModel {
  /** lower_snake_case, as the proto style wants it. */
  name: string;
  specName: string;
  number: number;
  /** `optional `, `repeated ` or nothing. */
  label: string;
  type: string;
  /** The message type, when the field holds one (or a list of them). */
  message?: string;
}
