import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build-model.js';
import { buildOpenApi } from '../../src/model/build-openapi.js';
import { ERROR_BODY_SCHEMA } from '../../src/model/error-body-schema.js';
import type { ServiceModel } from '../../src/model/system-model.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';

/**
 * The OpenAPI document of a service is the transport's own schemas, laid out as OpenAPI: each
 * check below compares the document with the model data the transport validates with
 * (`endpoint.schemas`, `type.schema`), so a drift of either side fails here.
 */
function model(file: string) {
  const { spec, problems } = validateSpec(parseSpec(file, readFileSync(file, 'utf8')));
  expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  return buildModel(spec!);
}

/** What Ajv's `$ref: 'Order#'` becomes in the document. */
const refsMoved = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema).replace(/"\$ref":"([^"#]*)#"/g, '"$ref":"#/components/schemas/$1"'));

type Operation = {
  operationId: string;
  parameters: ({ name: string; in: string; required: boolean; schema: unknown } | { $ref: string })[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: unknown } } };
  responses: Record<string, { $ref?: string; description?: string; content?: { 'application/json': { schema: unknown } } }>;
};
const operation = (document: ReturnType<typeof buildOpenApi>, method: string, path: string) =>
  (document.paths as Record<string, Record<string, Operation>>)[path]?.[method.toLowerCase()];

const services = [...model('templates/examples/kit.yaml').services, ...model('test/fixtures/specs/grpc.yaml').services, ...model('test/fixtures/specs/odd-values.yaml').services];

describe('buildOpenApi', () => {
  it.each(services.map((service) => [service.specName, service] as [string, ServiceModel]))('%s: every HTTP endpoint is an operation built from the schemas the transport validates with', (_name, service) => {
    const document = buildOpenApi('shop', service);
    expect(document.openapi).toBe('3.1.0');
    for (const endpoint of service.httpEndpoints) {
      const found = operation(document, endpoint.method, endpoint.path)!;
      expect(found, `${endpoint.method} ${endpoint.path}`).toBeDefined();
      expect(found.operationId).toBe(endpoint.camel);
      const parameters = found.parameters.filter((parameter): parameter is Exclude<typeof parameter, { $ref: string }> => !('$ref' in parameter));
      const expected = [
        ...Object.entries(endpoint.schemas.params?.properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: refsMoved(schema) })),
        ...Object.entries(endpoint.schemas.query?.properties ?? {}).map(([name, schema]) => ({
          name,
          in: 'query',
          required: endpoint.schemas.query!.required?.includes(name) ?? false,
          schema: refsMoved(schema),
        })),
      ];
      expect(parameters).toEqual(expected);
      expect(found.requestBody?.content['application/json'].schema).toEqual(endpoint.schemas.body && refsMoved(endpoint.schemas.body));
      expect(found.responses['200']!.content!['application/json'].schema).toEqual(refsMoved(endpoint.schemas.response));
      for (const error of endpoint.errors) {
        const answer = found.responses[String(error.status)];
        expect(answer?.description, `${error.code} under ${error.status}`).toContain(`\`${error.code}\``);
        expect(answer?.content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/kit.ErrorBody' });
      }
    }
    const components = document.components as { schemas: Record<string, unknown> };
    expect(components.schemas['kit.ErrorBody']).toEqual(ERROR_BODY_SCHEMA);
    for (const type of service.types) {
      if (components.schemas[type.name] === undefined) continue;
      const { $id, ...rest } = type.schema;
      expect($id).toBe(type.name);
      expect(components.schemas[type.name]).toEqual(refsMoved(rest));
    }
    // Every reference resolves inside the document.
    for (const [, section, name] of JSON.stringify(document).matchAll(/"\$ref":"#\/components\/(\w+)\/([^"]+)"/g)) {
      expect((document.components as Record<string, Record<string, unknown>>)[section!]?.[name!], `${section}/${name}`).toBeDefined();
    }
  });

  it('documents the built-in routes of every service, and nothing else for a context that does not serve http', () => {
    const tracking = services.find((service) => service.specName === 'tracking')!;
    expect(tracking.transports.http).toBe(false);
    const document = buildOpenApi('cargo-shipping', tracking);
    expect(Object.keys(document.paths as object)).toEqual(['/health', '/health/live', '/metrics', '/openapi.json']);
    expect(Object.keys((document.components as { schemas: object }).schemas)).toEqual(['kit.ErrorBody']);
    expect(operation(document, 'GET', '/openapi.json')!.operationId).toBe('kit.openapi');
  });

  it('lists only the types the routes reach, and 429 with the rate limiter and the declared errors of that kind together', () => {
    const { spec } = validateSpec(
      parseSpec(
        'kit.yaml',
        JSON.stringify({
          name: 'shop',
          contexts: {
            ordering: {
              types: { Used: { inner: 'Inner' }, Inner: { a: 'string' }, Unused: { b: 'string' } },
              endpoints: { place: { request: { used: 'Used' }, response: { ok: 'boolean' }, errors: ['TooManyOrders', 'OrderNotFound', 'ItemNotFound'] } },
            },
          },
        }),
      ),
    );
    const [ordering] = buildModel(spec!).services;
    const document = buildOpenApi('shop', ordering!);
    expect(Object.keys((document.components as { schemas: object }).schemas)).toEqual(['Used', 'Inner', 'kit.ErrorBody']);
    const place = operation(document, 'POST', '/place')!;
    expect(Object.keys(place.responses)).toEqual(['200', '400', '404', '413', '415', '429', '501', 'default']);
    expect(place.responses['404']!.description).toBe('`ORDER_NOT_FOUND` (OrderNotFound: not_found); `ITEM_NOT_FOUND` (ItemNotFound: not_found)');
    expect(place.responses['429']!.description).toMatch(/^`RATE_LIMITED`.*; `TOO_MANY_ORDERS` \(TooManyOrders: resource_exhausted\)$/);
  });

  it('openapi.yaml holds the document as plain YAML: parsed back, it is the document', () => {
    const [ordering] = model('templates/examples/kit.yaml').services;
    expect(ordering!.openApiYaml).toMatch(/^# Code generated by create-kit-service\. DO NOT EDIT\.\n/);
    expect(ordering!.openApiYaml).not.toMatch(/[&*]a\d/);
    expect(parse(ordering!.openApiYaml)).toEqual(buildOpenApi('shop', ordering!));
  });
});
