import { ERROR_BODY_SCHEMA } from './error-body-schema.js';
import { toYaml } from './to-yaml.js';
import type { EndpointModel, ErrorModel, JsonSchema, ObjectSchema, ServiceModel, Text } from './system-model.js';

/** An OpenAPI 3.1 document as plain data: what `openapi.yaml` holds and `GET /openapi.json` answers. */
export type OpenApiDocument = { openapi: '3.1.0' } & Record<string, unknown>;

/** Where a context's types live in the document; the transports name them by `$id` instead. */
const SCHEMAS = '#/components/schemas/';
/**
 * The error body's name among the schemas. A context's own types are PascalCase identifiers, which
 * never hold a dot, so this name cannot meet one of them.
 */
const ERROR_BODY = 'kit.ErrorBody';
/** The version of every generated service (its package.json says the same). */
const SERVICE_VERSION = '0.1.0';

/** The transport's own answers that every operation may give, as reusable responses. */
const RESPONSES = {
  BadRequest: '`VALIDATION_FAILED` (with `details`: the request does not match the spec), `MALFORMED_JSON` or `MALFORMED_REQUEST`',
  MalformedRequest: '`MALFORMED_REQUEST`: the URL does not decode, or the request is not valid HTTP',
  PayloadTooLarge: '`PAYLOAD_TOO_LARGE`: the body is over BODY_LIMIT_BYTES',
  UnsupportedMediaType: '`UNSUPPORTED_MEDIA_TYPE`: bodies are application/json',
  RateLimited: "`RATE_LIMITED`: the endpoint's token bucket is empty; Retry-After says when to try again",
  NotImplemented: '`NOT_IMPLEMENTED`: the method is still the generated stub',
  UnexpectedError:
    'Any other error: `INTERNAL` (500), `UPSTREAM_UNAVAILABLE` (503) when a context this one calls cannot answer, or an error of such a context passed on with its code',
} as const;

/**
 * The OpenAPI 3.1 document of a service's HTTP port: every endpoint's route, parameters, request
 * body, response and declared errors (the status of each error's kind, and the error body), and
 * the built-in `/health`, `/health/live`, `/metrics` and `/openapi.json`. Parameters, bodies and responses are the
 * very JSON Schemas the transport validates and serializes with (`endpoint.schemas`,
 * `type.schema`), with references to types moved from `$id` to `components/schemas`. A service
 * that does not serve http documents its built-in routes only, which are all its HTTP port serves.
 */
export function buildOpenApi(systemName: string, service: ServiceModel): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  const add = (path: string, method: string, operation: object) => {
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
  };
  for (const endpoint of service.httpEndpoints) add(endpoint.path, endpoint.method, operationOf(service, endpoint));
  const ok = json({ type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] });
  add('/health', 'GET', {
    operationId: 'kit.health',
    summary: 'Readiness: 200 while the service takes requests',
    tags: ['kit'],
    responses: {
      '200': { description: 'The service is ready', content: ok },
      '400': MALFORMED,
      '503': {
        description: 'Not ready: the service is shutting down, or something it needs (its NATS connection) is down',
        content: json({
          oneOf: [errorBody(), { type: 'object', properties: { status: { const: 'unavailable' }, down: { type: 'array', items: { type: 'string' } } }, required: ['status', 'down'] }],
        }),
      },
    },
  });
  add('/health/live', 'GET', {
    operationId: 'kit.liveness',
    summary: 'Liveness: 200 while the process serves, whatever its dependencies',
    tags: ['kit'],
    responses: { '200': { description: 'The process serves', content: ok }, '400': MALFORMED, '503': { description: 'The service is shutting down', content: json(errorBody()) } },
  });
  add('/metrics', 'GET', {
    operationId: 'kit.metrics',
    summary: 'Metrics in the Prometheus text format: per-endpoint request counts and latency histograms',
    tags: ['kit'],
    responses: { '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } }, '400': MALFORMED },
  });
  add('/openapi.json', 'GET', {
    operationId: 'kit.openapi',
    summary: "This document: the service's HTTP API, as JSON",
    tags: ['kit'],
    responses: { '200': { description: 'The OpenAPI document (openapi.yaml of the service)', content: json({ type: 'object' }) }, '400': MALFORMED },
  });

  const types = new Map(service.types.map((type) => [type.name, type.schema]));
  const used = referencedTypes(
    service.httpEndpoints.flatMap((endpoint) => [endpoint.schemas.params, endpoint.schemas.query, endpoint.schemas.body, endpoint.schemas.response]),
    types,
  );
  const hasBody = service.httpEndpoints.some((endpoint) => endpoint.hasBody);
  const responses: Record<string, object> = {
    MalformedRequest: { description: RESPONSES.MalformedRequest, content: json(errorBody()) },
    ...(service.httpEndpoints.length > 0 ? { BadRequest: { description: RESPONSES.BadRequest, content: json(errorBody()) } } : {}),
    ...(hasBody
      ? {
          PayloadTooLarge: { description: RESPONSES.PayloadTooLarge, content: json(errorBody()) },
          UnsupportedMediaType: { description: RESPONSES.UnsupportedMediaType, content: json(errorBody()) },
        }
      : {}),
    ...(service.enabledMiddleware.ratelimit && service.httpEndpoints.length > 0 ? { RateLimited: rateLimited([]) } : {}),
    ...(service.httpEndpoints.length > 0
      ? {
          NotImplemented: { description: RESPONSES.NotImplemented, content: json(errorBody()) },
          UnexpectedError: { description: RESPONSES.UnexpectedError, content: json(errorBody()) },
        }
      : {}),
  };
  return {
    openapi: '3.1.0',
    info: { title: `${systemName} ${service.specName}`, version: SERVICE_VERSION, description: plain(service.description) },
    servers: [{ url: `http://127.0.0.1:${service.port}`, description: 'Run locally (PORT sets another port)' }],
    // No endpoint asks for credentials: said explicitly, so that no tool assumes any.
    security: [],
    tags: [
      ...(service.httpEndpoints.length > 0 ? [{ name: service.specName, description: plain(service.description) }] : []),
      { name: 'kit', description: 'Served by every generated service' },
    ],
    paths,
    components: {
      schemas: {
        ...Object.fromEntries([...used].map((name) => [name, withComponentRefs(withoutId(types.get(name)!))])),
        [ERROR_BODY]: ERROR_BODY_SCHEMA,
      },
      ...(service.httpEndpoints.length > 0 ? { parameters: { RequestId: REQUEST_ID } } : {}),
      responses,
    },
  };
}

/** The document as `openapi.yaml`: stamped as the generator's, then block-style YAML. */
export function renderOpenApi(document: OpenApiDocument): string {
  const body = toYaml(document);
  return `# Code generated by create-kit-service. DO NOT EDIT.\n# OpenAPI 3.1 of this service's HTTP port, from kit.yaml; also served at GET /openapi.json.\n${body}`;
}

const MALFORMED = { $ref: '#/components/responses/MalformedRequest' };

const REQUEST_ID = {
  name: 'X-Request-Id',
  in: 'header',
  required: false,
  description: 'Follows the call through logs; echoed in the answer. Without it the service makes one.',
  schema: { type: 'string' },
};

function operationOf(service: ServiceModel, endpoint: EndpointModel): object {
  const { params, query, body, response } = endpoint.schemas;
  const parameters = [
    ...fieldsOf(params).map(([name, schema]) => ({ name, in: 'path', required: true, schema: withComponentRefs(schema) })),
    ...fieldsOf(query).map(([name, schema]) => ({ name, in: 'query', required: query!.required?.includes(name) ?? false, schema: withComponentRefs(schema) })),
    { $ref: '#/components/parameters/RequestId' },
  ];
  const responses: Record<string, object> = {
    '200': { description: `The ${endpoint.responseType}`, content: json(withComponentRefs(response)) },
    '400': { $ref: '#/components/responses/BadRequest' },
  };
  if (body) {
    responses['413'] = { $ref: '#/components/responses/PayloadTooLarge' };
    responses['415'] = { $ref: '#/components/responses/UnsupportedMediaType' };
  }
  const byStatus = new Map<number, ErrorModel[]>();
  for (const error of endpoint.errors) byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  if (service.enabledMiddleware.ratelimit && !byStatus.has(429)) responses['429'] = { $ref: '#/components/responses/RateLimited' };
  for (const [status, errors] of byStatus) {
    responses[String(status)] =
      status === 429 && service.enabledMiddleware.ratelimit
        ? rateLimited(errors)
        : { description: errors.map(describeError).join('; '), content: json(errorBody()) };
  }
  responses['501'] = { $ref: '#/components/responses/NotImplemented' };
  responses.default = { $ref: '#/components/responses/UnexpectedError' };
  return {
    operationId: endpoint.camel,
    summary: plain(endpoint.description),
    tags: [service.specName],
    parameters,
    // Required even when every body field is optional: the transport validates a missing body as null, which is no object.
    ...(body ? { requestBody: { required: true, content: json(withComponentRefs(body)) } } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => (a === 'default' ? 1 : b === 'default' ? -1 : Number(a) - Number(b)))),
  };
}

/** 429: the rate limiter's answer, and the declared errors of that status (their kind is resource_exhausted). */
function rateLimited(errors: ErrorModel[]): object {
  return {
    description: [RESPONSES.RateLimited, ...errors.map(describeError)].join('; '),
    headers: { 'Retry-After': { description: 'Seconds until the next token', schema: { type: 'integer' } } },
    content: json(errorBody()),
  };
}

function describeError(error: ErrorModel): string {
  return `\`${error.code}\` (${error.specName}: ${error.kind})`;
}

function fieldsOf(schema: ObjectSchema | undefined): [string, JsonSchema][] {
  return Object.entries(schema?.properties ?? {});
}

const json = (schema: object) => ({ 'application/json': { schema } });
const errorBody = () => ({ $ref: `${SCHEMAS}${ERROR_BODY}` });

/** A spec text as it was written (one line): YAML escapes what it must itself. */
function plain(text: Text): string {
  return JSON.parse(text.literal) as string;
}

/** A copy of a schema whose `$ref: 'Name#'` (Ajv's reference by `$id`) point into components/schemas. */
function withComponentRefs(schema: unknown): JsonSchema {
  return mapRefs(schema) as JsonSchema;
}

function mapRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mapRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, key === '$ref' && typeof item === 'string' ? `${SCHEMAS}${item.replace(/#$/, '')}` : mapRefs(item)]),
  );
}

function withoutId(schema: JsonSchema): JsonSchema {
  const { $id: _id, ...rest } = schema;
  return rest;
}

/** The types the given schemas refer to, directly or through other types, in the order of the context's types. */
function referencedTypes(schemas: (JsonSchema | undefined)[], types: ReadonlyMap<string, JsonSchema>): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') {
        const name = item.replace(/#$/, '');
        if (!found.has(name) && types.has(name)) {
          found.add(name);
          visit(types.get(name));
        }
      } else {
        visit(item);
      }
    }
  };
  schemas.forEach(visit);
  return new Set([...types.keys()].filter((name) => found.has(name)));
}
