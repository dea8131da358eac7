import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateSpec, type ValidationResult } from '../../src/spec/validate-spec.js';
import { yaml } from '../helpers/spec-text.js';

const validate = (text: string): ValidationResult => validateSpec(parseSpec('kit.yaml', text));

const show = (problems: readonly Problem[]) =>
  problems.map((p) => `  ${p.location.line}:${p.location.col} ${p.severity}: ${p.message} (hint: ${p.hint})`).join('\n') || '  (none)';

interface Expected {
  /** A stable part of the message; exactly one problem of the result may contain it. */
  message: string;
  line: number;
  col: number;
  /** A part of the hint, when the hint says something the test cares about. */
  hint?: string;
  severity?: 'error' | 'warning';
}

/** Finds the one problem with the message, and checks its place, its severity and that it has a hint. */
function expectProblem(result: ValidationResult, expected: Expected): Problem {
  const matching = result.problems.filter((problem) => problem.message.includes(expected.message));
  expect(matching, `exactly one problem with "${expected.message}" among:\n${show(result.problems)}`).toHaveLength(1);
  const problem = matching[0]!;
  expect(
    { line: problem.location.line, col: problem.location.col, severity: problem.severity },
    `place of "${problem.message}"`,
  ).toEqual({ line: expected.line, col: expected.col, severity: expected.severity ?? 'error' });
  expect(problem.location.file).toBe('kit.yaml');
  expect(problem.hint.trim(), `hint of "${problem.message}"`).not.toBe('');
  if (expected.hint !== undefined) expect(problem.hint).toContain(expected.hint);
  return problem;
}

/** Validates a spec that must be invalid and checks each expected problem; no other problems may appear. */
function expectProblems(text: string, expected: Expected[]): ValidationResult {
  const result = validate(text);
  expect(result.spec, 'an invalid spec is not returned').toBeUndefined();
  for (const one of expected) expectProblem(result, one);
  expect(result.problems, `only the expected problems:\n${show(result.problems)}`).toHaveLength(expected.length);
  return result;
}

/** Validates a spec that must be valid without any problem. */
function expectValid(text: string): ValidationResult {
  const result = validate(text);
  expect(result.problems, show(result.problems)).toEqual([]);
  expect(result.spec).toBeDefined();
  return result;
}

describe('validateSpec: YAML syntax', () => {
  it('reports invalid YAML with its place and nothing else', () => {
    const result = validate(yaml`
      name: shop
      contexts:
        ordering:
          types: { T: { x: string }
        billing: {}
    `);
    expect(result.spec).toBeUndefined();
    expect(result.problems.length).toBeGreaterThan(0);
    for (const problem of result.problems) expect(problem.message).toMatch(/^invalid YAML: /);
    expectProblem(result, { message: 'invalid YAML: Flow map in block collection', line: 5, col: 3, hint: 'indentation' });
  });

  it('reports tabs used as indentation', () => {
    expectProblems('name: shop\ncontexts:\n\tordering: {}\n', [{ message: 'invalid YAML: Tabs are not allowed', line: 3, col: 1 }]);
  });

  it('reports several documents in one file', () => {
    expectProblems('name: shop\ncontexts: { ordering: {} }\n---\nname: other\n', [
      { message: 'invalid YAML: Source contains multiple documents', line: 3, col: 1 },
    ]);
  });

  it('reports an alias without its anchor as invalid YAML at the alias', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            description: *missing
      `,
      [{ message: 'invalid YAML: Unresolved alias (the anchor must be set before the alias): missing', line: 4, col: 18, hint: 'anchor' }],
    );
  });

  it('reports an alias bomb instead of expanding it', () => {
    const text = yaml`
      a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
      d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
      e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
      name: shop
      contexts: { ordering: {} }
    `;
    expectProblems(text, [{ message: 'invalid YAML: Excessive alias count', line: 2, col: 8 }]);
  });

  it('does not count a byte order mark as a column', () => {
    expectProblems('\uFEFFname: Shop\ncontexts:\n  ordering: {}\n', [{ message: 'system name "Shop" is not kebab-case', line: 1, col: 7 }]);
  });

  it('counts lines the same with CRLF line ends', () => {
    expectProblems('name: shop\r\ncontexts:\r\n  ordering:\r\n    port: 0\r\n', [{ message: 'port 0 is out of range', line: 4, col: 11 }]);
  });

  it('reports every duplicate key, at the repeated key, in file order', () => {
    const result = validate(yaml`
      name: shop
      contexts:
        ordering:
          types:
            Customer: { id: string, id: integer }
        ordering: {}
      name: other
    `);
    expect(result.problems.map((p) => [p.message, p.location.line, p.location.col])).toEqual([
      ['duplicate key: a key may appear once in a mapping', 5, 31],
      ['duplicate key: a key may appear once in a mapping', 6, 3],
      ['duplicate key: a key may appear once in a mapping', 7, 1],
    ]);
    for (const problem of result.problems) expect(problem.hint).toContain('remove or rename');
  });
});

describe('validateSpec: field types', () => {
  it('reports an unknown field type with the nearest built-in type', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              Customer: { id: strin }
      `,
      [{ message: 'unknown type "strin" in type "Customer"', line: 5, col: 23, hint: 'did you mean "string"?' }],
    );
  });

  it('reports each value that is no type expression once, at the value', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              T:
                a: 5
                b: [string, integer]
                c: []
                d: { x: string }
                e: "[string"
                f: "a b"
      `,
      [
        { message: '"5" is not a field type', line: 6, col: 12, hint: 'a type of context "ordering"' },
        { message: '"["string","integer"]" is not a field type', line: 7, col: 12 },
        { message: '"[]" is not a field type', line: 8, col: 12 },
        { message: '"{"x":"string"}" is not a field type', line: 9, col: 12 },
        { message: '"[string" is not a field type', line: 10, col: 12 },
        { message: '"a b" is not a field type', line: 11, col: 12 },
      ],
    );
  });

  it('reports unknown type references in types, requests and responses, with "did you mean" when close', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              Customer: { id: string }
              Order: { customer: Custmer, lines: [OrderLin] }
            endpoints:
              placeOrder:
                request: { buyer: Custmer }
                response: { receipt: Receipt }
          billing:
            types:
              Receipt: { id: string }
      `,
      [
        { message: 'unknown type "Custmer" in type "Order"', line: 6, col: 26, hint: 'did you mean "Customer"?' },
        { message: 'unknown type "OrderLin" in type "Order"', line: 6, col: 42, hint: 'declare it under contexts.ordering.types' },
        { message: 'unknown type "Custmer" in the request of endpoint "placeOrder"', line: 9, col: 27, hint: 'did you mean "Customer"?' },
        // A type of another context is not in scope: each context has its own model.
        { message: 'unknown type "Receipt" in the response of endpoint "placeOrder"', line: 10, col: 30 },
      ],
    );
  });

  it('reports an unknown type inside nested lists', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              Customer: { id: string }
              Batch: { groups: [[Custmer]] }
      `,
      [{ message: 'unknown type "Custmer" in type "Batch"', line: 6, col: 24, hint: 'did you mean "Customer"?' }],
    );
  });
});

describe('validateSpec: names', () => {
  it('reports names that are not identifiers, at the key', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          1abc: {}
          ordering:
            types:
              a b: { x: string }
              T: { 9x: string, "n m": string, ok_field?: string }
            endpoints:
              1abc: {}
              a b: {}
      `,
      [
        { message: 'context name "1abc" is not an identifier', line: 3, col: 3, hint: 'start with a letter' },
        { message: 'type name "a b" is not an identifier', line: 6, col: 7 },
        { message: 'field name "9x" of type "T" is not an identifier', line: 7, col: 12 },
        { message: 'field name "n m" of type "T" is not an identifier', line: 7, col: 24 },
        { message: 'endpoint name "1abc" is not an identifier', line: 9, col: 7 },
        { message: 'endpoint name "a b" is not an identifier', line: 10, col: 7 },
      ],
    );
  });

  it('reports endpoints that become one identifier', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            endpoints:
              placeOrder: {}
              place-order:
                http: POST /orders
              place_order:
                http: POST /orders/new
      `,
      [
        { message: 'endpoint "place-order" collides with "placeOrder": both become "placeOrder"', line: 6, col: 7, hint: 'rename' },
        { message: 'endpoint "place_order" collides with "placeOrder": both become "placeOrder"', line: 8, col: 7 },
      ],
    );
  });

  it('reports types that become one identifier', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              order-line: { sku: string }
              OrderLine: { sku: string }
      `,
      [{ message: 'type "OrderLine" collides with "order-line": both become "OrderLine"', line: 6, col: 7, hint: 'rename' }],
    );
  });

  it('reports contexts that become one folder or class name', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          order-line: {}
          orderLine: {}
          order_line: {}
          order2: {}
          order-2: {}
      `,
      [
        { message: 'context "orderLine" collides with "order-line": both become "OrderLine"', line: 4, col: 3 },
        { message: 'context "order_line" collides with "order-line": both become "OrderLine"', line: 5, col: 3 },
        { message: 'context "order-2" collides with "order2": both become "Order2"', line: 7, col: 3 },
      ],
    );
  });

  it('reports an error listed twice for one endpoint', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            endpoints:
              placeOrder:
                errors: [OutOfStock, OutOfStock]
      `,
      [{ message: 'error "OutOfStock" is listed twice for endpoint "placeOrder"', line: 6, col: 30 }],
    );
  });

  it('takes an empty value of request, response, errors, types or endpoints as none', () => {
    const text = yaml`
      name: shop
      contexts:
        ordering:
          types:
            Nothing:
          endpoints:
            ping:
              request:
              response:
              errors:
        billing:
          endpoints:
    `;
    expect(validateSpec(parseSpec('kit.yaml', text)).problems).toEqual([]);
  });

  it('reports errors that become one class, and a field declared with and without "?"', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              Customer: { email: string, email?: string }
            endpoints:
              placeOrder:
                errors: [OutOfStock, out-of-stock]
      `,
      [
        { message: 'field "email" of type "Customer" is declared twice', line: 5, col: 34 },
        { message: 'error "out-of-stock" collides with "OutOfStock": both become "OutOfStockError"', line: 8, col: 30 },
      ],
    );
  });

  it('rejects names that reach into the object prototype, and accepts keywords', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          constructor: {}
          class: {}
          ordering:
            types:
              constructor: { x: string }
              class: { x: string }
              prototype: { x: string }
            endpoints:
              constructor: {}
              class: {}
              to-string: {}
              delete: {}
              new: {}
      `,
      [
        { message: 'context name "constructor" is a property every JavaScript object has', line: 3, col: 3, hint: 'choose another name' },
        { message: 'type name "constructor" is a property every JavaScript object has', line: 7, col: 7 },
        { message: 'type name "prototype" is a property every JavaScript object has', line: 9, col: 7 },
        { message: 'endpoint name "constructor" is a property every JavaScript object has', line: 11, col: 7 },
        // to-string becomes toString, a property of every object.
        { message: 'endpoint name "to-string" is a property every JavaScript object has', line: 13, col: 7 },
      ],
    );
  });

  it('rejects __proto__ as a context, type and endpoint name (it does not start with a letter)', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          __proto__: {}
          ordering:
            types:
              __proto__: { x: string }
            endpoints:
              __proto__: {}
      `,
      [
        { message: 'context name "__proto__" is not an identifier', line: 3, col: 3 },
        { message: 'type name "__proto__" is not an identifier', line: 6, col: 7 },
        { message: 'endpoint name "__proto__" is not an identifier', line: 8, col: 7 },
      ],
    );
  });

  it('reports field names that reach into the object prototype', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              T: { __proto__: string, constructor: string, prototype?: string }
      `,
      [
        { message: 'field name "__proto__" of type "T" is reserved', line: 5, col: 12 },
        { message: 'field name "constructor" of type "T" is reserved', line: 5, col: 31 },
        { message: 'field name "prototype" of type "T" is reserved', line: 5, col: 52 },
      ],
    );
  });

  it('reports names that could escape the output folder', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ../x: {}
          a/b: {}
          ordering:
            types:
              ../T: { x: string }
              a\\b: { x: string }
            endpoints:
              ../escape: {}
              a/b: {}
              c:d: {}
              x:
                errors: [../Err]
      `,
      [
        { message: 'context name "../x" looks like a path and could escape the output folder', line: 3, col: 3, hint: 'letters, digits' },
        { message: 'context name "a/b" looks like a path', line: 4, col: 3 },
        { message: 'type name "../T" looks like a path', line: 7, col: 7 },
        { message: 'type name "a\\b" looks like a path', line: 8, col: 7 },
        { message: 'endpoint name "../escape" looks like a path', line: 10, col: 7 },
        { message: 'endpoint name "a/b" looks like a path', line: 11, col: 7 },
        { message: 'endpoint name "c:d" looks like a path', line: 12, col: 7 },
        { message: 'error name "../Err" looks like a path', line: 14, col: 18 },
      ],
    );
  });

  it('reports a type named like a built-in type or a generated request type', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              string: { x: integer }
              PlaceOrderRequest: { x: string }
            endpoints:
              placeOrder: {}
      `,
      [
        { message: 'type name "string" is a built-in field type', line: 5, col: 7 },
        { message: 'type "PlaceOrderRequest" collides with the request type of endpoint "placeOrder"', line: 6, col: 7 },
      ],
    );
  });
});

describe('validateSpec: routes', () => {
  it('reports path parameters missing from the request, optional, or not primitive', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              Customer: { id: string }
            endpoints:
              getOrder:
                http: GET /orders/{orderId}
                request: { id: string }
              getOptional:
                http: GET /optional/{id}
                request: { id?: string }
              putCustomer:
                http: PUT /customers/{customer}
                request: { customer: Customer }
              putTags:
                http: PUT /tags/{tags}
                request: { tags: [string] }
              deleteThing:
                http: DELETE /things/{thingId}
      `,
      [
        { message: 'path parameter "{orderId}" is not a field of the request of endpoint "getOrder"', line: 8, col: 15, hint: 'add "orderId: string"' },
        { message: 'path parameter "{id}" is optional in the request of endpoint "getOptional"', line: 11, col: 15, hint: 'without "?"' },
        { message: 'path parameter "customer" has type Customer', line: 15, col: 30, hint: 'string, integer' },
        { message: 'path parameter "tags" has type [string]', line: 18, col: 26 },
        { message: 'path parameter "{thingId}" is not a field of the request of endpoint "deleteThing"', line: 20, col: 15 },
      ],
    );
  });

  it('reports routes that are not "METHOD /path"', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            endpoints:
              a:
                http: FETCH /orders
              b:
                http: GET
              c:
                http: GET orders
              d:
                http: GET /orders/x{id}
                request: { id: string }
              e:
                http: GET /orders/{id}/{id}
                request: { id: string }
      `,
      [
        { message: 'unknown HTTP method "FETCH"', line: 6, col: 15, hint: 'GET, POST, PUT, PATCH, DELETE' },
        { message: '"GET" is not an HTTP route', line: 8, col: 15, hint: 'METHOD /path' },
        { message: 'path "orders" does not start with "/"', line: 10, col: 15 },
        { message: 'path segment "x{id}" in "/orders/x{id}" is not valid', line: 12, col: 15 },
        { message: 'path parameter "{id}" appears twice in "/orders/{id}/{id}"', line: 15, col: 15 },
      ],
    );
  });

  it('reports GET and DELETE request fields that a query string cannot carry', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              Filter: { status: string }
            endpoints:
              search:
                http: GET /orders
                request: { filter: Filter, statuses: [string], limit?: integer, grid: [[integer]], filters: [Filter] }
              purge:
                http: DELETE /orders
                request: { filter?: Filter }
              create:
                http: POST /orders
                request: { filter: Filter, filters: [Filter], grid: [[integer]] }
      `,
      [
        { message: 'field "filter" of endpoint "search" has type Filter, but GET requests carry fields in the query string', line: 9, col: 28, hint: 'POST, PUT or PATCH' },
        { message: 'field "grid" of endpoint "search" has type [[integer]], but GET', line: 9, col: 79 },
        { message: 'field "filters" of endpoint "search" has type [Filter], but GET', line: 9, col: 101 },
        { message: 'of endpoint "purge" has type Filter, but DELETE requests carry fields in the query string', line: 12, col: 29 },
      ],
    );
  });

  it('reports duplicate routes: same place with other parameter names, default routes, built-in routes', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            endpoints:
              getOrder:
                http: GET /orders/{id}
                request: { id: string }
              fetchOrder:
                http: get /orders/{orderId}/
                request: { orderId: string }
              placeOrder: {}
              submitOrder:
                http: POST /place-order
              listOrders:
                http: GET /orders
              listAll:
                http: GET /orders
              health:
                http: GET /health
              metrics:
                http: GET /metrics
              postHealth:
                http: POST /health
              openApi:
                http: GET /openapi.json
          billing:
            endpoints:
              listOrders:
                http: GET /orders
      `,
      [
        { message: 'route GET /orders/{orderId} of endpoint "fetchOrder" is already taken by endpoint "getOrder"', line: 9, col: 15, hint: 'change the method or the path' },
        { message: 'route POST /place-order of endpoint "submitOrder" is already taken by endpoint "placeOrder"', line: 13, col: 15 },
        { message: 'route GET /orders of endpoint "listAll" is already taken by endpoint "listOrders"', line: 17, col: 15 },
        { message: 'route GET /health of endpoint "health" is already taken by the built-in route', line: 19, col: 15 },
        { message: 'route GET /metrics of endpoint "metrics" is already taken by the built-in route', line: 21, col: 15 },
        { message: 'route GET /openapi.json of endpoint "openApi" is already taken by the built-in route', line: 25, col: 15 },
      ],
    );
  });

  it('reports a default route that is taken, at the endpoint name', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            endpoints:
              submitOrder:
                http: POST /place-order
              placeOrder:
                description: takes POST /place-order by default
      `,
      [{ message: 'route POST /place-order of endpoint "placeOrder" is already taken by endpoint "submitOrder"', line: 7, col: 7 }],
    );
  });
});

describe('validateSpec: the context map', () => {
  it('reports unknown contexts, endpoints and types in uses, and a context using itself', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              Customer: { id: string }
            uses:
              billing:
                endpoints: [charge, chrge, refund]
                translate: { Payer: Customer, Payr: Customer, Receipt: Custmer }
              biling: {}
              warehouse: {}
              ordering: {}
          billing:
            types:
              Payer: { id: string }
              Receipt: { id: string }
            endpoints:
              charge: {}
      `,
      [
        { message: 'context "billing" has no endpoint "chrge"', line: 8, col: 29, hint: 'did you mean "charge"?' },
        { message: 'context "billing" has no endpoint "refund"', line: 8, col: 36, hint: 'its endpoints: charge' },
        { message: 'context "billing" has no type "Payr"', line: 9, col: 39, hint: 'translate maps a type of "billing" (left)' },
        { message: 'context "ordering" has no type "Custmer"', line: 9, col: 64, hint: 'to a type of "ordering" (right)' },
        { message: 'context "ordering" uses unknown context "biling"', line: 10, col: 7, hint: 'did you mean "billing"?' },
        { message: 'context "ordering" uses unknown context "warehouse"', line: 11, col: 7, hint: 'declare "warehouse" under contexts' },
        { message: 'context "ordering" uses itself', line: 12, col: 7, hint: 'remove this entry' },
      ],
    );
  });

  it('accepts contexts that use each other, with a warning at the first "uses"', () => {
    const result = validate(yaml`
      name: shop
      contexts:
        ordering:
          uses:
            billing: {}
        billing:
          uses:
            ordering: {}
    `);
    expect(result.spec).toBeDefined();
    expect(result.problems).toHaveLength(1);
    expectProblem(result, {
      message: 'contexts call each other in a cycle: ordering -> billing -> ordering',
      line: 4,
      col: 5,
      severity: 'warning',
    });
  });
});

describe('validateSpec: gRPC', () => {
  it('accepts a gRPC context and a client of it, with the default gRPC port', () => {
    expectValid(yaml`
      name: shop
      contexts:
        routing:
          transports: [http, grpc]
          endpoints:
            route: { request: { cargoId: string, legs: [string] }, response: { days: integer } }
        booking:
          uses:
            routing: { via: grpc, endpoints: [route] }
    `);
  });

  it('reports a gRPC port taken by another context or gRPC server, by default or explicitly', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          a:
            port: 9000
            transports: [grpc]
          b:
            port: 10000
          c:
            transports: [grpc]
            grpcPort: 10000
          d:
            port: 65000
            transports: [grpc]
      `,
      [
        { message: 'port 10000 of context "b" is already used by the gRPC server of context "a"', line: 7, col: 11, hint: 'give each context and gRPC server its own port' },
        { message: 'port 10000 of the gRPC server of context "c" is already used by the gRPC server of context "a"', line: 10, col: 15 },
        { message: 'the gRPC port of context "d" would be 66000, above 65535', line: 11, col: 3, hint: 'set "grpcPort:" explicitly' },
      ],
    );
  });

  it('warns about a grpcPort of a context that does not serve gRPC', () => {
    const result = validate(yaml`
      name: shop
      contexts:
        a:
          grpcPort: 9100
    `);
    expectProblem(result, { message: 'context "a" sets grpcPort but does not serve grpc', line: 4, col: 15, severity: 'warning', hint: 'add grpc to its transports' });
  });

  it('reports a client over a transport the upstream does not serve', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          routing:
            endpoints:
              route: {}
          booking:
            uses:
              routing: { via: grpc, endpoints: [route] }
      `,
      [{ message: 'context "routing" does not serve grpc', line: 8, col: 23, hint: 'add grpc to contexts.routing.transports, or use via: http' }],
    );
  });

  it('reports fields that gRPC cannot carry: lists of lists, names that meet in snake_case or have no letters first', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          routing:
            transports: [grpc]
            types:
              Grid: { cells: [[integer]], orderId: string, order_id: string, _9lives: boolean }
      `,
      [
        { message: 'field "cells" of type "Grid" is a list of lists, which gRPC cannot carry', line: 6, col: 15, hint: 'a type of its own' },
        { message: 'field "order_id" of type "Grid" collides with "orderId" over gRPC: both become "order_id"', line: 6, col: 52 },
        { message: 'field name "_9lives" of type "Grid" has no gRPC form (it becomes "9lives")', line: 6, col: 70 },
      ],
    );
  });
});

describe('validateSpec: NATS', () => {
  it('accepts a NATS context and clients of it, by default and explicitly over NATS', () => {
    expectValid(yaml`
      name: shop
      contexts:
        pricing:
          transports: [nats]
          endpoints:
            quote: { request: { skus: [string] }, response: { total: number } }
        stock:
          transports: [http, nats]
          endpoints:
            reserve: { http: POST /reservations, request: { sku: string }, response: { id: string } }
        ordering:
          uses:
            pricing: { endpoints: [quote] }
            stock: { via: nats, endpoints: [reserve] }
    `);
  });

  it("keeps the NATS server's name and port in docker compose free", () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          nats:
            transports: [nats]
          b:
            port: 4222
      `,
      [
        { message: `context "nats" would take the name of the NATS server's service in docker compose`, line: 3, col: 3, hint: 'rename the context' },
        { message: 'port 4222 of context "b" is already used by the NATS server (docker compose)', line: 6, col: 11 },
      ],
    );
  });

  it('lets a context be named nats, and take port 4222, in a system without NATS', () => {
    expectValid(yaml`
      name: shop
      contexts:
        nats:
          port: 4222
    `);
  });

  it('reports a client over NATS of an upstream that does not serve it', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          routing:
            transports: [http, grpc]
            endpoints:
              route: {}
          booking:
            uses:
              routing: { via: nats, endpoints: [route] }
      `,
      [{ message: 'context "routing" does not serve nats', line: 9, col: 23, hint: 'add nats to contexts.routing.transports, or use via: http' }],
    );
  });
});

describe('validateSpec: ports, transports, middleware', () => {
  it('reports ports out of range, not whole numbers, and shared', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          a:
            port: 0
          b:
            port: 65536
          c:
            port: 8080.5
          d:
            port: "8084"
          e:
            port: 9000
          f:
            port: 9000
          g:
            port: 1
          h:
            port: 65535
      `,
      [
        { message: 'port 0 is out of range', line: 4, col: 11, hint: 'between 1 and 65535' },
        { message: 'port 65536 is out of range', line: 6, col: 11 },
        { message: '"contexts.c.port" must be a whole number', line: 8, col: 11, hint: 'whole number' },
        { message: '"contexts.d.port" must be a number', line: 10, col: 11 },
        { message: 'port 9000 of context "f" is already used by context "e"', line: 14, col: 11, hint: 'give each context and gRPC server its own port' },
      ],
    );
  });

  it('reports a default port (8080 + 1-based position) that an earlier explicit port took', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            port: 8082
          billing: {}
          shipping:
            port: 8081
      `,
      [{ message: 'port 8082 of context "billing" is already used by context "ordering"', line: 5, col: 3, hint: 'set "port:" explicitly' }],
    );
  });

  it('reports an explicit port that an earlier default port took', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering: {}
          billing:
            port: 8081
      `,
      [{ message: 'port 8081 of context "billing" is already used by context "ordering"', line: 5, col: 11 }],
    );
  });

  it('counts default ports from 8081 for the first context', () => {
    expectValid(yaml`
      name: shop
      contexts:
        ordering: {}
        billing:
          port: 8080
        shipping:
          port: 8083
    `);
  });

  it('reports unknown transports and middleware', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            transports: [http, amqp]
            middleware: [logging, caching, metrics]
      `,
      [
        { message: 'unknown transport "amqp"', line: 4, col: 24, hint: 'http' },
        { message: 'unknown middleware "caching"', line: 5, col: 27, hint: 'logging' },
      ],
    );
  });
});

describe('validateSpec: the top level', () => {
  it('reports a spec without contexts', () => {
    expectProblems('name: shop\ncontexts: {}\n', [{ message: 'the spec has no contexts', line: 2, col: 1, hint: 'add at least one bounded context' }]);
  });

  it('reports empty contexts', () => {
    expectProblems('name: shop\ncontexts:\n', [{ message: '"contexts" must be a mapping, not empty', line: 2, col: 10 }]);
  });

  it('reports a missing name', () => {
    expectProblems('contexts:\n  ordering: {}\n', [{ message: '"name" is missing', line: 1, col: 1, hint: 'name: my-system' }]);
  });

  it('reports missing contexts', () => {
    expectProblems('name: shop\n', [{ message: '"contexts" is missing', line: 1, col: 1, hint: 'contexts:' }]);
  });

  it('reports an empty file with a hint about the top-level keys', () => {
    expectProblems('', [{ message: 'the spec must be a mapping, not empty', line: 1, col: 1, hint: 'name: my-system' }]);
  });

  it.each(['My_Shop', 'my shop', 'shop--x', '-shop', 'shop-', 'Shop'])('reports the system name %j as not kebab-case', (name) => {
    expectProblems(`name: ${JSON.stringify(name)}\ncontexts:\n  ordering: {}\n`, [
      { message: `system name "${name}" is not kebab-case`, line: 1, col: 7, hint: 'lower-case words joined by "-"' },
    ]);
  });

  it('suggests the kebab-case form of a system name', () => {
    const [problem] = validate('name: My_Shop\ncontexts:\n  ordering: {}\n').problems;
    expect(problem?.hint).toContain('"my-shop"');
  });

  it.each(['shop', 'my-shop-2', 'a1'])('accepts the system name %j', (name) => {
    expectValid(`name: ${name}\ncontexts:\n  ordering: {}\n`);
  });

  it('reports every unknown key, with the allowed keys in the hint', () => {
    expectProblems(
      yaml`
        name: shop
        descripton: typo
        contexts:
          ordering:
            endpoint:
              placeOrder: {}
            port: 8081
            ports: 8082
            endpoints:
              placeOrder:
                reqest: { id: string }
            uses:
              billing:
                endpoint: [charge]
          billing:
            endpoints:
              charge: {}
      `,
      [
        { message: 'unknown key "descripton" in the spec', line: 2, col: 1, hint: 'allowed keys: name, description, contexts' },
        { message: 'unknown key "endpoint" in "contexts.ordering"', line: 5, col: 5, hint: 'endpoints' },
        { message: 'unknown key "ports" in "contexts.ordering"', line: 8, col: 5, hint: 'port' },
        { message: 'unknown key "reqest" in "contexts.ordering.endpoints.placeOrder"', line: 11, col: 9, hint: 'request' },
        { message: 'unknown key "endpoint" in "contexts.ordering.uses.billing"', line: 14, col: 9, hint: 'allowed keys: endpoints, via, translate' },
      ],
    );
  });
});

describe('validateSpec: errors and type cycles', () => {
  it('reports errors that take a built-in error class or a type name', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              OutOfStockError: { sku: string }
            endpoints:
              placeOrder:
                errors: [NotImplemented, ValidationError, RateLimited, UpstreamUnavailable, Domain, OutOfStock, PaymentDeclined]
              getOrder:
                errors: [PaymentDeclined]
      `,
      [
        { message: 'error "NotImplemented" collides with the built-in NotImplementedError', line: 8, col: 18, hint: 'every service already has it' },
        { message: 'error "ValidationError" collides with the built-in ValidationError', line: 8, col: 34 },
        { message: 'error "RateLimited" collides with the built-in RateLimitedError', line: 8, col: 51 },
        { message: 'error "UpstreamUnavailable" collides with the built-in UpstreamUnavailableError', line: 8, col: 64 },
        { message: 'error "Domain" collides with the built-in DomainError', line: 8, col: 85 },
        { message: 'error "OutOfStock" becomes class OutOfStockError, which a type already takes', line: 8, col: 93, hint: 'rename' },
      ],
    );
  });

  it('reports types that require each other, but not cycles through optional fields or lists', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          ordering:
            types:
              A: { b: B }
              B: { a: A }
              C: { d?: D }
              D: { c: C }
              E: { f: [F] }
              F: { e: E }
              G: { g: G }
              H: { i: "[I]" }
              I: { h: H }
              J: { k: K }
              K: { l: L }
              L: { j: J }
      `,
      [
        { message: 'types A -> B -> A require each other', line: 5, col: 7, hint: 'optional' },
        { message: 'types G -> G require each other', line: 11, col: 7 },
        { message: 'types J -> K -> L -> J require each other', line: 14, col: 7 },
      ],
    );
  });

  it('accepts a recursive type whose recursion is optional or a list', () => {
    expectValid(yaml`
      name: shop
      contexts:
        catalog:
          types:
            Category: { name: string, parent?: Category, children: [Category] }
    `);
  });
});

describe('validateSpec: many problems at once', () => {
  it('reports every problem of a file, sorted by line and column', () => {
    const result = validate(yaml`
      name: Shop
      contexts:
        ordering:
          port: 99999
          transports: [amqp]
          types:
            Customer: { id: strin }
          endpoints:
            getOrder:
              http: GET /orders/{orderId}
              request: { id: string }
            1bad: {}
          uses:
            biling: {}
          endpont: {}
    `);
    expect(result.spec).toBeUndefined();
    const expected: [number, number, string][] = [
      [1, 7, 'system name "Shop" is not kebab-case'],
      [4, 11, 'port 99999 is out of range'],
      [5, 18, 'unknown transport "amqp"'],
      [7, 23, 'unknown type "strin" in type "Customer"'],
      [10, 15, 'path parameter "{orderId}" is not a field of the request of endpoint "getOrder"'],
      [12, 7, 'endpoint name "1bad" is not an identifier'],
      [14, 7, 'context "ordering" uses unknown context "biling"'],
      [15, 5, 'unknown key "endpont" in "contexts.ordering"'],
    ];
    expect(result.problems.map((p) => [p.location.line, p.location.col, p.message]), show(result.problems)).toEqual(expected);
    for (const problem of result.problems) expect(problem.hint.trim()).not.toBe('');
  });
});

describe('validateSpec: valid specs', () => {
  it('accepts the built-in example without any problem', () => {
    const text = readFileSync(new URL('../../templates/examples/kit.yaml', import.meta.url), 'utf8');
    const result = validateSpec(parseSpec('templates/examples/kit.yaml', text));
    expect(result.problems, show(result.problems)).toEqual([]);
    expect(Object.keys(result.spec!.contexts)).toEqual(['ordering', 'billing', 'shipping']);
  });

  it('accepts descriptions with comment ends, backticks, template syntax, quotes and unicode, and keeps them as written', () => {
    const odd = '*/ `rm -rf` ${process.exit()} {{#each x}} "double" \'single\' \\ 🚀 注文 ✨';
    const result = expectValid(yaml`
      name: shop
      description: ${JSON.stringify(odd)}
      contexts:
        ordering:
          description: |
            Takes */ orders \`x\` \${y} {{z}} "q" 'q' 🎉 日本語
          endpoints:
            placeOrder:
              description: ${JSON.stringify(odd)}
              errors: [OutOfStock]
    `);
    expect(result.spec!.description).toBe(odd);
    expect(result.spec!.contexts.ordering!.description).toBe('Takes */ orders `x` ${y} {{z}} "q" \'q\' 🎉 日本語\n');
    expect(result.spec!.contexts.ordering!.endpoints!.placeOrder!.description).toBe(odd);
  });

  it('accepts keywords as field names and names of JavaScript globals as type names', () => {
    const result = expectValid(yaml`
      name: shop
      contexts:
        ordering:
          types:
            Event: { default: string, class: string, function: string, delete?: integer, new: boolean }
            Record: { events: [Event] }
            Promise: { value: string }
            Error: { message: string }
            Object: { record: Record }
          endpoints:
            placeOrder:
              request: { event: Event, record: Record }
              response: { promise: Promise, error: Error }
    `);
    expect(Object.keys(result.spec!.contexts.ordering!.types!)).toEqual(['Event', 'Record', 'Promise', 'Error', 'Object']);
  });

  it('accepts [T] as a YAML flow list and as a quoted string, and nested lists', () => {
    const result = expectValid(yaml`
      name: shop
      contexts:
        ordering:
          types:
            Line: { sku: string }
            Order:
              lines: [Line]
              quotedLines: "[Line]"
              spacedLines: "[ Line ]"
              grid: [[integer]]
              quotedGrid: "[[integer]]"
              cube: [[[number]]]
          endpoints:
            listOrders:
              http: GET /orders
              request: { skus: [string], quotedSkus: "[string]" }
              response: { orders: [Order] }
    `);
    const order = result.spec!.contexts.ordering!.types!.Order!;
    expect(order.lines).toEqual(['Line']);
    expect(order.quotedLines).toBe('[Line]');
    expect(order.grid).toEqual([['integer']]);
  });
});

describe('validateSpec: resources and public (deployment)', () => {
  it('accepts memory in Mi or Gi, cpu in millicores or cores, and public', () => {
    const result = expectValid(yaml`
      name: shop
      contexts:
        a:
          public: true
          resources: { memory: 256Mi, cpu: 250m }
        b:
          resources: { memory: 1Gi, cpu: 0.5 }
        c:
          resources: { cpu: "2" }
        d:
          resources: { memory: 128Mi }
        e:
          public: false
          resources: { cpu: 1.25 }
    `);
    expect(result.spec!.contexts.a!.public).toBe(true);
    expect(result.spec!.contexts.b!.resources).toEqual({ memory: '1Gi', cpu: 0.5 });
  });

  it('reports quantities Kubernetes reads otherwise, too small, or of the wrong type, each at its value with a hint', () => {
    expectProblems(
      yaml`
        name: shop
        contexts:
          a:
            resources: { memory: 512m, cpu: 0.12345 }
          b:
            resources: { memory: 64Mi, cpu: 0 }
          c:
            resources: { memory: 268435456, cpu: [1] }
          d:
            resources: { memory: 512MB, cpu: 2 cores }
          e:
            resources: { memory: 100Gi, cpu: 100 }
          f:
            resources: { memory: "268435456", disk: 1Gi }
          g:
            public: yes
      `,
      [
        { message: 'memory "512m" is not a quantity', line: 4, col: 26, hint: 'write 512Mi' },
        { message: 'cpu "0.12345" is not a quantity', line: 4, col: 37, hint: 'thousandth of a core' },
        { message: 'memory 64Mi is too little', line: 6, col: 26, hint: 'at least 128Mi' },
        { message: 'cpu 0 gives the service no processor time', line: 6, col: 37, hint: '250m' },
        { message: '"contexts.c.resources.memory" must be a string, not number 268435456', line: 8, col: 26, hint: 'Mi or Gi' },
        { message: '"contexts.c.resources.cpu" must be a quantity, not a list', line: 8, col: 42, hint: 'millicores' },
        { message: 'memory "512MB" is not a quantity', line: 10, col: 26, hint: 'e.g. 256Mi or 1Gi' },
        { message: 'cpu "2 cores" is not a quantity', line: 10, col: 38, hint: 'millicores (250m) or cores' },
        { message: 'memory 100Gi is more than 64Gi', line: 12, col: 26, hint: 'replicas' },
        { message: 'cpu 100 is more than 64 cores', line: 12, col: 38, hint: 'replicas' },
        { message: 'memory "268435456" is not a quantity', line: 14, col: 26, hint: 'a bare number is bytes; write it in Mi or Gi, e.g. 256Mi' },
        { message: 'unknown key "disk" in "contexts.f.resources"', line: 14, col: 39, hint: 'allowed keys: memory, cpu' },
        { message: '"contexts.g.public" must be a boolean, not string "yes"', line: 16, col: 13, hint: 'true or false' },
      ],
    );
  });

  it('reports names longer than Kubernetes takes for a Service or a label', () => {
    const long = 'a'.repeat(64);
    expectProblems(`name: ${long}\ncontexts:\n  ${long}: {}\n  short: {}\n`, [
      { message: `system name "${long}" is longer than 63 characters`, line: 1, col: 7, hint: 'shorten' },
      { message: 'is longer than 63 characters once in kebab-case', line: 3, col: 3, hint: 'DNS label' },
    ]);
  });
});
