import { camelCase, kebabCase, pascalCase, screamingCase, snakeCase } from '../naming.js';
import { ERROR_KINDS, errorClassName, errorKind } from '../spec/error-kind.js';
import { parseRoute } from '../spec/parse-route.js';
import type { RawFields, RawSpec } from '../spec/spec-schema.js';
import {
  BASE_PORT,
  BUILT_IN_ROUTES,
  DEFAULT_MIDDLEWARE,
  DEFAULT_NATS_URL,
  NATS_COMPOSE_SERVICE,
  DEFAULT_TRANSPORTS,
  GRPC_PORT_OFFSET,
  MIDDLEWARE,
  PRIMITIVES,
  QUERY_METHODS,
  TRANSPORTS,
  defaultVia,
  type MiddlewareName,
  type PrimitiveName,
  type TransportName,
} from '../spec/tables.js';
import { elementType, parseTypeExpression, showTypeExpression, type TypeExpression } from '../spec/type-expression.js';
import { buildServiceDeploy, buildSystemDeploy, fillCallers } from './build-deploy.js';
import { buildProto, type MessageSource, type RpcSource } from './build-proto.js';
import { buildTranslations } from './build-translations.js';
import type { ProtoNumbers } from './number-proto-fields.js';
import { buildOpenApi, renderOpenApi } from './build-openapi.js';
import { ERROR_BODY_SCHEMA } from './error-body-schema.js';
import type { EndpointModel, EndpointSchemas, ErrorModel, FieldModel, JsonSchema, ObjectSchema, RouteModel, ServiceModel, SystemModel, Text, TypeModel, UpstreamModel } from './system-model.js';
import { invalidValue, sampleValue, type TypeTable } from './sample-values.js';
import { tsLiteral } from './ts-literal.js';

/**
 * Turns a valid spec into the model the templates render. It assumes validateSpec accepted the
 * spec; every name variant, route and schema is computed here once.
 */
export function buildModel(spec: RawSpec, previousNumbers: ProtoNumbers = {}): SystemModel {
  const contexts = Object.entries(spec.contexts);
  // The record of contexts that stay is kept, also while one serves no gRPC: its numbers stay taken.
  const protoNumbers: ProtoNumbers = structuredClone(Object.fromEntries(Object.entries(previousNumbers).filter(([name]) => Object.hasOwn(spec.contexts, name))));
  const built = contexts.map(([name, context], index) => buildService(spec, name, context, index, protoNumbers));
  const byName = new Map(built.map((entry) => [entry.service.specName, entry]));
  for (const [name, context] of contexts) {
    const { service, typeTable } = byName.get(name)!;
    service.upstreams = Object.entries(context.uses ?? {}).map(([upstream, use]) =>
      buildUpstream(upstream, use, byName.get(upstream)!, typeTable, spec.name),
    );
    service.hasUpstreams = service.upstreams.length > 0;
    service.protos = [...(service.grpc ? [service.grpc] : []), ...service.upstreams.flatMap((upstream) => (upstream.grpc ? [upstream.grpc] : []))];
    for (const transport of Object.keys(TRANSPORTS) as TransportName[]) {
      service.clientTransports[transport] = service.upstreams.some((upstream) => upstream.via === transport);
    }
    service.connectsToNats = service.transports.nats || service.clientTransports.nats;
    service.urlUpstreams = service.upstreams.filter((upstream) => !upstream.nats);
    // The gRPC health service does not know NATS: a context that needs NATS is ready when GET /health says so.
    service.deploy.grpcReadiness = service.transports.grpc && !service.connectsToNats;
  }
  const services = built.map((entry) => entry.service);
  fillCallers(services);
  // docker compose rejects cyclic depends_on: an upstream that (transitively) calls back is left out.
  const calls = (from: string, to: string, seen = new Set<string>()): boolean =>
    from === to ||
    (!seen.has(from) && (byName.get(from)?.service.upstreams ?? []).some((next) => calls(next.specName, to, seen.add(from))));
  for (const service of services) {
    service.dependsOn = [
      ...service.upstreams.filter((upstream) => !calls(upstream.specName, service.specName)).map((upstream) => upstream.kebab),
      ...(service.connectsToNats ? [NATS_COMPOSE_SERVICE] : []),
    ];
  }
  return {
    name: spec.name,
    title: pascalCase(spec.name),
    description: text(spec.description ?? `The ${spec.name} system.`),
    services,
    edges: services.flatMap((service) =>
      service.upstreams.map((upstream) => ({
        downstream: service.specName,
        upstream: upstream.specName,
        downstreamId: service.camel,
        upstreamId: upstream.camel,
        label: [
          upstream.endpointNames.join(', ') || 'calls',
          ...upstream.translations.map((pair) => `${pair.upstream} as ${pair.local}`),
        ].join('; '),
        endpoints: upstream.endpointNames,
        translations: upstream.translations.map(({ upstream: from, local }) => ({ upstream: from, local })),
      })),
    ),
    protoNumbers,
    usesNats: services.some((service) => service.connectsToNats),
    natsUrl: DEFAULT_NATS_URL,
    deploy: buildSystemDeploy(spec),
    errorBodySchemaJson: json(ERROR_BODY_SCHEMA),
  };
}

type RawContext = RawSpec['contexts'][string];

interface BuiltService {
  service: ServiceModel;
  context: RawContext;
  typeTable: TypeTable;
}

function buildService(spec: RawSpec, name: string, context: RawContext, index: number, protoNumbers: ProtoNumbers): BuiltService {
  const pascal = pascalCase(name);
  const typeTable: TypeTable = new Map(Object.entries(context.types ?? {}).map(([typeName, fields]) => [typeName, parseFields(fields)]));
  const types: TypeModel[] = [...typeTable].map(([typeName, fields]) => {
    const schema = { $id: pascalCase(typeName), ...objectSchema(fields) };
    return {
      name: pascalCase(typeName),
      description: text(`${typeName}, in the ${name} context's own terms.`),
      fields: fields.map(toFieldModel),
      schema,
      schemaJson: json(schema),
    };
  });
  // NATS subjects: <system>.<context>.<endpoint>; the validator keeps endpoint names apart in camelCase.
  const subjectPrefix = `${spec.name}.${kebabCase(name)}`;
  const endpoints = Object.entries(context.endpoints ?? {}).map(([endpointName, endpoint]) => buildEndpoint(endpointName, endpoint, typeTable, subjectPrefix));
  const errors = new Map<string, ErrorModel>();
  for (const endpoint of endpoints) for (const error of endpoint.errors) errors.set(error.className, error);
  const enabledMiddleware = Object.fromEntries(
    (Object.keys(MIDDLEWARE) as MiddlewareName[]).map((key) => [key, (context.middleware ?? DEFAULT_MIDDLEWARE).includes(key)]),
  ) as Record<MiddlewareName, boolean>;
  const transports = Object.fromEntries(
    (Object.keys(TRANSPORTS) as TransportName[]).map((key) => [key, (context.transports ?? DEFAULT_TRANSPORTS).includes(key)]),
  ) as Record<TransportName, boolean>;
  // Without the http transport, the HTTP server answers only its built-in routes.
  const httpEndpoints = transports.http ? endpoints : [];
  const routes = routesOf(httpEndpoints);
  const port = context.port ?? BASE_PORT + index + 1;
  const service: ServiceModel = {
    specName: name,
    kebab: kebabCase(name),
    pascal,
    camel: camelCase(name),
    screaming: screamingCase(name),
    packageName: `@${spec.name}/${kebabCase(name)}`,
    interfaceName: `${pascal}Service`,
    className: `${pascal}ServiceImpl`,
    description: text(context.description ?? `The ${name} bounded context.`),
    port,
    grpcPort: context.grpcPort ?? port + GRPC_PORT_OFFSET,
    transports,
    transportsText: transportsText(transports),
    endpointsMarkdown: endpointsMarkdown(endpoints, transports),
    messageTransports: transports.grpc || transports.nats,
    natsQueue: kebabCase(name),
    connectsToNats: transports.nats,
    grpc: transports.grpc ? buildProto(spec.name, name, typeSources(name, typeTable), rpcSources(context), (protoNumbers[name] ??= {})) : undefined,
    // Filled in once every service is built.
    protos: [],
    clientTransports: Object.fromEntries(Object.keys(TRANSPORTS).map((key) => [key, false])) as Record<TransportName, boolean>,
    middleware: (Object.keys(MIDDLEWARE) as MiddlewareName[])
      .filter((key) => enabledMiddleware[key])
      .sort((a, b) => MIDDLEWARE[a].order - MIDDLEWARE[b].order)
      .map((key) => ({ name: key, factory: `create${pascalCase(key)}Middleware` })),
    enabledMiddleware,
    types,
    endpoints,
    hasEndpoints: endpoints.length > 0,
    routes,
    methodNotAllowed: methodNotAllowed(routes, httpEndpoints),
    bodyEndpoint: httpEndpoints.find((endpoint) => endpoint.hasBody),
    httpEndpoints,
    rateLimitTestEndpoint: enabledMiddleware.ratelimit ? httpEndpoints[0] : undefined,
    errors: [...errors.values()],
    hasErrors: errors.size > 0,
    // Filled in once every service is built: an upstream's model is needed.
    upstreams: [],
    hasUpstreams: false,
    urlUpstreams: [],
    dependsOn: [],
    depsName: `${pascal}Deps`,
    deploy: buildServiceDeploy(context, port, transports.grpc ? context.grpcPort ?? port + GRPC_PORT_OFFSET : undefined),
    // Filled in below: the document describes the finished service model.
    openApiYaml: '',
  };
  service.openApiYaml = renderOpenApi(buildOpenApi(spec.name, service));
  return { service, context, typeTable };
}

type RawUse = NonNullable<RawContext['uses']>[string];

/** What a downstream sees of an upstream: the endpoints it calls, their types, and the translations. */
function buildUpstream(name: string, use: RawUse, upstream: BuiltService, localTypes: TypeTable, namespace: string): UpstreamModel {
  const listed = new Set((use.endpoints ?? []).map(camelCase));
  const endpoints = upstream.service.endpoints.filter((endpoint) => listed.has(endpoint.camel));
  const pairs = Object.entries(use.translate ?? {});
  // The upstream's types reachable from the called endpoints and the translated types.
  const needed = new Set<string>();
  const visit = (type: TypeExpression) => {
    const element = elementType(type);
    if (element.kind !== 'ref' || needed.has(element.name)) return;
    needed.add(element.name);
    for (const field of upstream.typeTable.get(element.name) ?? []) visit(field.type);
  };
  for (const [endpointName, endpoint] of Object.entries(upstream.context.endpoints ?? {})) {
    if (!listed.has(camelCase(endpointName))) continue;
    for (const field of [...parseFields(endpoint.request), ...parseFields(endpoint.response)]) visit(field.type);
  }
  for (const [upstreamType] of pairs) visit({ kind: 'ref', name: upstreamType });
  const translations = buildTranslations(pairs, upstream.typeTable, localTypes, name);
  const { pascal, kebab } = upstream.service;
  const via = use.via ?? defaultVia(upstream.service.transports);
  const port = via === 'grpc' ? upstream.service.grpcPort : upstream.service.port;
  return {
    specName: name,
    kebab,
    pascal,
    camel: upstream.service.camel,
    via,
    grpc: via === 'grpc' ? upstream.service.grpc : undefined,
    nats: via === 'nats',
    urlVariable: `${screamingCase(name)}_URL`,
    defaultUrl: `http://127.0.0.1:${port}`,
    composeUrl: `http://${kebab}:${port}`,
    clusterUrl: `http://${kebab}.${namespace}.svc:${port}`,
    apiName: `${pascal}Api`,
    factory: `create${pascal}Client`,
    translatorsName: `${upstream.service.camel}Translators`,
    localTypesAlias: pascal === 'T' ? 'Local' : 'T',
    endpoints,
    endpointNames: endpoints.map((endpoint) => endpoint.camel),
    types: upstream.service.types.filter((type) => [...needed].some((typeName) => pascalCase(typeName) === type.name)),
    translations,
    hasTranslations: translations.length > 0,
    hasTodo: translations.some((translation) => [...translation.toFields, ...translation.fromFields].some((field) => field.expression.includes('todo('))),
  };
}

interface ParsedField {
  name: string;
  optional: boolean;
  type: TypeExpression;
}

function parseFields(fields: RawFields | undefined): ParsedField[] {
  return Object.entries(fields ?? {}).map(([raw, rawType]) => ({
    name: raw.replace(/\?$/, ''),
    optional: raw.endsWith('?'),
    // validateSpec has accepted every type expression.
    type: parseTypeExpression(rawType)!,
  }));
}

function toFieldModel(field: ParsedField): FieldModel {
  return { name: field.name, optional: field.optional, tsType: tsType(field.type), specType: showTypeExpression(field.type) };
}

function tsType(type: TypeExpression): string {
  if (type.kind === 'list') return `${tsType(type.of)}[]`;
  if (type.kind === 'primitive') return PRIMITIVES[type.name].ts;
  return pascalCase(type.name);
}

function fieldSchema(type: TypeExpression): JsonSchema {
  if (type.kind === 'list') return { type: 'array', items: fieldSchema(type.of) };
  if (type.kind === 'primitive') return PRIMITIVES[type.name].schema;
  return { $ref: `${pascalCase(type.name)}#` };
}

function objectSchema(fields: ParsedField[]): ObjectSchema {
  const required = fields.filter((field) => !field.optional).map((field) => field.name);
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((field) => [field.name, fieldSchema(field.type)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

function buildEndpoint(name: string, endpoint: NonNullable<RawContext['endpoints']>[string], typeTable: TypeTable, subjectPrefix: string): EndpointModel {
  const route = parseRoute(endpoint.http, name);
  if ('problem' in route) throw new Error(`unvalidated route for ${name}: ${route.problem}`);
  const pascal = pascalCase(name);
  const request = parseFields(endpoint.request);
  const response = parseFields(endpoint.response);
  const inPath = (field: ParsedField) => route.params.includes(field.name);
  const pathFields = request.filter(inPath);
  const otherFields = request.filter((field) => !inPath(field));
  const inQuery = QUERY_METHODS.has(route.method);
  const queryFields = inQuery ? otherFields : [];
  const bodyFields = inQuery ? [] : otherFields;

  const sampleRequest = sampleObject(request, typeTable);
  const sampleOf = (fields: ParsedField[]) => Object.fromEntries(fields.map((field) => [field.name, sampleRequest[field.name]]).filter(([, value]) => value !== undefined));
  const url = buildUrl(route.path, sampleOf(pathFields), sampleOf(queryFields));
  // The one set of JSON Schemas of the endpoint: the transports validate with them (schemas.ts) and
  // the OpenAPI document is built from them, so the two cannot disagree.
  const schemas: EndpointSchemas = {
    params: pathFields.length > 0 ? objectSchema(pathFields) : undefined,
    query: queryFields.length > 0 ? objectSchema(queryFields) : undefined,
    body: bodyFields.length > 0 ? objectSchema(bodyFields) : undefined,
    response: objectSchema(response),
    request: objectSchema(request),
  };
  const errors = (endpoint.errors ?? []).map((errorName: string): ErrorModel => ({
    specName: errorName,
    className: errorClassName(errorName),
    code: screamingCase(errorClassName(errorName).replace(/Error$/, '')),
    kind: errorKind(errorName),
    status: ERROR_KINDS[errorKind(errorName)].http,
    grpcStatus: ERROR_KINDS[errorKind(errorName)].grpc,
  }));
  return {
    specName: name,
    camel: camelCase(name),
    signatureName: camelCase(name) === 'new' ? "'new'" : camelCase(name),
    pascal,
    kebab: kebabCase(name),
    screaming: screamingCase(name),
    description: text(endpoint.description ?? `${pascal} (no description in the spec yet).`),
    method: route.method,
    path: route.path,
    fastifyPath: route.path.replace(/\{([^}]+)\}/g, ':$1'),
    requestType: `${pascal}Request`,
    responseType: `${pascal}Response`,
    request: request.map(toFieldModel),
    response: response.map(toFieldModel),
    pathFields: pathFields.map((field) => field.name),
    queryFields: queryFields.map((field) => field.name),
    bodyFields: bodyFields.map((field) => field.name),
    hasPath: pathFields.length > 0,
    hasQuery: queryFields.length > 0,
    hasBody: bodyFields.length > 0,
    schemas,
    paramsSchemaJson: schemas.params && json(schemas.params),
    querySchemaJson: schemas.query && json(schemas.query),
    bodySchemaJson: schemas.body && json(schemas.body),
    responseSchemaJson: json(schemas.response),
    requestSchemaJson: json(schemas.request),
    errors,
    callSpecJson: json({
      method: route.method,
      path: route.path,
      pathFields: pathFields.map((field) => field.name),
      queryFields: queryFields.map((field) => field.name),
      bodyFields: bodyFields.map((field) => field.name),
    }),
    sample: {
      requestJson: json(sampleRequest),
      requestInline: tsLiteral(sampleRequest, { inline: true }),
      url,
      payloadJson: bodyFields.length > 0 ? json(sampleOf(bodyFields)) : undefined,
      responseJson: json(sampleObject(response, typeTable)),
    },
    badRequest: badRequest(route.path, pathFields, queryFields, bodyFields, sampleOf),
    grpcBadRequest: grpcBadRequest(request, sampleRequest),
    natsSubject: `${subjectPrefix}.${camelCase(name)}`,
    natsBadRequest: natsBadRequest(request, sampleRequest),
  };
}

/** A service's endpoints as its callers reach them: HTTP routes, gRPC rpcs, and NATS subjects when nothing else lists them. */
function endpointsMarkdown(endpoints: EndpointModel[], transports: Record<TransportName, boolean>): string {
  const code = (text: string) => `\`${text}\``;
  const lists = [
    transports.http ? endpoints.map((endpoint) => code(`${endpoint.method} ${endpoint.path}`)) : [],
    transports.grpc ? endpoints.map((endpoint) => `rpc ${code(endpoint.pascal)}`) : [],
    transports.nats && !transports.http && !transports.grpc ? endpoints.map((endpoint) => code(endpoint.natsSubject)) : [],
  ];
  return lists.filter((list) => list.length > 0).map((list) => list.join(', ')).join('; ');
}

/** The transports a service runs, in words: its HTTP server always (for /health and /metrics at least). */
function transportsText(transports: Record<TransportName, boolean>): string {
  const names = ['HTTP', ...(transports.grpc ? ['gRPC'] : []), ...(transports.nats ? ['NATS'] : [])];
  return names.length === 1 ? 'HTTP transport' : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} transports`;
}

/**
 * A JSON payload the NATS transport must reject: a field of the wrong type, or (for a request without
 * fields) a payload that is no object. An undeclared field would not do: validation drops those.
 */
function natsBadRequest(request: ParsedField[], sample: Record<string, unknown>): EndpointModel['natsBadRequest'] {
  const field = request.find((candidate) => elementType(candidate.type).kind === 'primitive') ?? request[0];
  if (!field) return { payloadJson: json([]), reason: 'the payload is not a JSON object', field: 'request' };
  return { payloadJson: json({ ...sample, [field.name]: invalidValue(field.type, 'json') }), reason: `"${field.name}" has the wrong type`, field: field.name };
}

/**
 * A request message the gRPC transport must reject: one without a required message field, else
 * one whose uuid or datetime is not one. Every other wrong value cannot be encoded in the first place.
 */
function grpcBadRequest(request: ParsedField[], sample: Record<string, unknown>): EndpointModel['grpcBadRequest'] {
  const message = request.find((field) => !field.optional && field.type.kind === 'ref');
  if (message) {
    const { [message.name]: _missing, ...rest } = sample;
    return { requestJson: json(rest), reason: `required "${message.name}" is missing`, field: snakeCase(message.name) };
  }
  const formatted = request.find((field) => field.type.kind === 'primitive' && (field.type.name === 'uuid' || field.type.name === 'datetime'));
  if (!formatted) return undefined;
  const typeName = (formatted.type as { name: PrimitiveName }).name;
  return { requestJson: json({ ...sample, [formatted.name]: `not-a-${typeName}` }), reason: `"${formatted.name}" is not a ${typeName}`, field: snakeCase(formatted.name) };
}

/** A context's types as proto messages. */
function typeSources(context: string, typeTable: TypeTable): MessageSource[] {
  return [...typeTable].map(([typeName, fields]) => ({ name: pascalCase(typeName), comment: `${typeName}, in the ${context} context's own terms.`, fields }));
}

/** A context's endpoints as rpcs, each with its own request and response message. */
function rpcSources(context: RawContext): RpcSource[] {
  return Object.entries(context.endpoints ?? {}).map(([name, endpoint]) => {
    const pascal = pascalCase(name);
    return {
      specName: name,
      camel: camelCase(name),
      pascal,
      comment: text(endpoint.description ?? `${pascal} (no description in the spec yet).`).doc,
      request: { name: `${pascal}Request`, comment: `The request of ${pascal}.`, fields: parseFields(endpoint.request) },
      response: { name: `${pascal}Response`, comment: `The response of ${pascal}.`, fields: parseFields(endpoint.response) },
    };
  });
}

function sampleObject(fields: ParsedField[], typeTable: TypeTable): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field.name, sampleValue(field.type, typeTable, new Set())]));
}

/**
 * A request the transport must answer with 400: a body field of the wrong type, else a path or
 * query value that cannot be converted, else a missing required query field. Endpoints whose every
 * input is an optional or free-form string cannot receive a bad request, and get none.
 */
function badRequest(
  path: string,
  pathFields: ParsedField[],
  queryFields: ParsedField[],
  bodyFields: ParsedField[],
  sampleOf: (fields: ParsedField[]) => Record<string, unknown>,
): EndpointModel['badRequest'] {
  const body = sampleOf(bodyFields);
  const params = sampleOf(pathFields);
  const query = sampleOf(queryFields);
  // Preferably a built-in type: its wrong value is one that type coercion would have let through.
  const badBody = bodyFields.find((field) => elementType(field.type).kind === 'primitive') ?? bodyFields[0];
  if (badBody) {
    return {
      url: buildUrl(path, params, query),
      payloadJson: json({ ...body, [badBody.name]: invalidValue(badBody.type, 'json') }),
      reason: `"${badBody.name}" has the wrong type`,
    };
  }
  const convertible = (field: ParsedField) => field.type.kind === 'primitive' && field.type.name !== 'string';
  const badParam = pathFields.find(convertible);
  if (badParam) {
    return {
      url: buildUrl(path, { ...params, [badParam.name]: invalidValue(badParam.type, 'text') }, query),
      reason: `path parameter "${badParam.name}" is not a ${(badParam.type as { name: PrimitiveName }).name}`,
    };
  }
  const badQuery = queryFields.find(convertible);
  if (badQuery) {
    return {
      url: buildUrl(path, params, { ...query, [badQuery.name]: invalidValue(badQuery.type, 'text') }),
      reason: `query field "${badQuery.name}" is not a ${(badQuery.type as { name: PrimitiveName }).name}`,
    };
  }
  const requiredQuery = queryFields.find((field) => !field.optional);
  if (requiredQuery) {
    const { [requiredQuery.name]: _omitted, ...rest } = query;
    return { url: buildUrl(path, params, rest), reason: `required query field "${requiredQuery.name}" is missing` };
  }
  return undefined;
}

function buildUrl(path: string, params: Record<string, unknown>, query: Record<string, unknown>): string {
  const filled = path.replace(/\{([^}]+)\}/g, (_, param: string) => encodeURIComponent(String(params[param])));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const queryString = search.toString();
  return queryString ? `${filled}?${queryString}` : filled;
}

/** Values land in TypeScript source, formatted as the templates around them. */
const json = (value: unknown): string => tsLiteral(value);

function text(raw: string): Text {
  const oneLine = raw.replace(/\s+/g, ' ').trim();
  return {
    doc: oneLine.replace(/\*\//g, '*\\/'),
    markdown: oneLine.replace(/[\\`*_[\]<>|]/g, (char) => `\\${char}`),
    literal: JSON.stringify(oneLine),
  };
}

/**
 * The paths a service serves and the methods of each: its endpoints' routes and the built-in ones.
 * A GET route answers HEAD too (fastify adds it).
 */
function routesOf(endpoints: EndpointModel[]): RouteModel[] {
  const methods = new Map<string, string[]>();
  const routes: [string, string][] = [...BUILT_IN_ROUTES.map((route) => route.split(' ') as [string, string]), ...endpoints.map((endpoint): [string, string] => [endpoint.method, endpoint.path])];
  for (const [method, path] of routes) {
    const pattern = `^${path.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`;
    methods.set(pattern, [...(methods.get(pattern) ?? []), ...(method === 'GET' ? ['GET', 'HEAD'] : [method])]);
  }
  return [...methods].map(([pattern, answered]) => ({ pattern, methods: answered }));
}

/** GET /health (or the first endpoint's path) with a method not answered there, and what is. */
function methodNotAllowed(routes: RouteModel[], endpoints: EndpointModel[]): { method: string; url: string; allow: string } {
  const url = endpoints[0]?.sample.url.split('?')[0] ?? '/health';
  const allowed = routes.filter((route) => new RegExp(route.pattern).test(url)).flatMap((route) => route.methods);
  const method = ['PATCH', 'PUT', 'DELETE', 'POST', 'GET'].find((candidate) => !allowed.includes(candidate))!;
  return { method, url, allow: allowed.join(', ') };
}
