import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build-model.js';
import type { EndpointModel, FieldModel, ServiceModel } from '../../src/model/system-model.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';
import { output, run } from '../helpers/run-command.js';
import { startService, stop, stopAll, type RunningService } from '../helpers/service-process.js';

/**
 * Issue 19, the HTTP contract fuzzed: generated services (the example's ordering, and odd-values'
 * event-log: every field type, lists, nested and recursive types, optional fields, path and query
 * parameters) run for real, with a service.ts whose every method answers 501 with the request it
 * received as its message. Then, from each endpoint's spec:
 * - valid requests reach the method with exactly the declared shape (path and query values
 *   converted, nothing else added);
 * - mutated ones (wrong types, missing and extra fields, huge and unicode strings, deep nesting,
 *   prototype keys, numbers out of range, bad dates and uuids, truncated bodies, wrong content
 *   types, repeated query keys) get a documented status with the one error body;
 * and the process never answers 500, never exits, and its resident memory stays bounded.
 *
 * FUZZ_RUNS requests per endpoint kind (default: enough for at least 2,000 requests in all);
 * `FUZZ_RUNS=2000 npx vitest run test/e2e/http-fuzz.test.ts` runs longer.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const work = mkdtempSync(join(tmpdir(), 'cks-fuzz-'));
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const SEED = Number(process.env.FUZZ_SEED ?? 19);

/** The statuses a request may get from a service whose methods are all stubs. */
const DOCUMENTED = new Set([400, 404, 405, 413, 415, 431, 501]);

interface Target {
  service: ServiceModel;
  running?: RunningService;
}
const targets: Target[] = [];

beforeAll(() => {
  const installed = join(work, 'installed');
  const created = run(process.execPath, [bin, 'installed', '--example', '--yes', '--no-git'], work, 300_000);
  if (created.status !== 0) throw new Error(`create failed\n${output(created)}`);
  const odd = join(work, 'odd');
  const fixture = join(root, 'test/fixtures/specs/odd-values.yaml');
  const made = run(process.execPath, [bin, 'odd', '--spec', fixture, '--yes', '--no-install', '--no-git'], work, 60_000);
  if (made.status !== 0) throw new Error(`create failed\n${output(made)}`);
  symlinkSync(join(installed, 'node_modules'), join(odd, 'node_modules'), 'dir');
  for (const [system, spec, context] of [
    [installed, join(root, 'templates/examples/kit.yaml'), 'ordering'],
    [odd, fixture, 'event-log'],
  ] as const) {
    const model = buildModel(validateSpec(parseSpec(spec, readFileSync(spec, 'utf8'))).spec!);
    const service = model.services.find((candidate) => candidate.specName === context)!;
    const folder = join(system, 'services', service.kebab);
    // Every method answers 501 with the request it was given, as JSON, for the test to compare.
    const file = join(folder, 'src/service.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/throw new NotImplementedError\('\w+'\);/g, 'throw new NotImplementedError(JSON.stringify(request));'));
    const built = run('npm', ['run', 'build'], folder, 180_000);
    if (built.status !== 0) throw new Error(`build of ${context} failed\n${output(built)}`);
    targets.push({ service });
  }
}, 600_000);

afterAll(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

describe.each([0, 1])('fuzzing a generated service over HTTP (%i)', (index) => {
  let target: Target;
  let requests = 0;

  beforeAll(async () => {
    target = targets[index]!;
    const folder = join(work, index === 0 ? 'installed' : 'odd', 'services', target.service.kebab);
    // Rate limiting would answer 429 to a fuzzer: it is tested elsewhere.
    target.running = await startService(folder, { env: { RATE_LIMIT_RPS: '1000000', RATE_LIMIT_BURST: '1000000', LOG_LEVEL: 'warn' } });
  });

  afterAll(() => {
    if (target.running) stop(target.running.pid);
    console.log(`http-fuzz: ${target.service.specName}: ${requests} requests`);
  });

  it('valid requests reach the method with exactly the declared shape', async () => {
    const service = target.service;
    for (const endpoint of service.endpoints) {
      await fc.assert(
        fc.asyncProperty(requestOf(service, endpoint), async (request) => {
          requests++;
          const answer = await send(target.running!, encode(endpoint, request));
          expect(answer.status, answer.text).toBe(501);
          const message = (JSON.parse(answer.text) as { error: { message: string } }).error.message;
          // An empty list cannot travel in a query string: it arrives as no field at all.
          const expected = endpoint.hasBody ? request : Object.fromEntries(Object.entries(request).filter(([, value]) => !(Array.isArray(value) && value.length === 0)));
          expect(JSON.parse(message.replace(/ is not implemented yet$/, ''))).toEqual(expected);
        }),
        { numRuns: Math.ceil(RUNS / service.endpoints.length), seed: SEED },
      );
    }
  }, 300_000);

  it('mutated requests get a documented status and the error body, never 500; the process stays up with bounded memory', async () => {
    const service = target.service;
    const running = target.running!;
    const memoryBefore = await residentMemory(running);
    for (const endpoint of service.endpoints) {
      await fc.assert(
        fc.asyncProperty(requestOf(service, endpoint), mutation, async (request, mutate) => {
          requests++;
          const answer = await send(running, mutate(endpoint, request));
          expect(DOCUMENTED.has(answer.status), `${answer.status} ${answer.text}`).toBe(true);
          const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
          expect(typeof body.error.code === 'string' && typeof body.error.message === 'string', answer.text).toBe(true);
          expect(answer.text).not.toMatch(/FST_|fastify|at .+\.js:\d+/);
        }),
        { numRuns: Math.ceil((RUNS * 4) / service.endpoints.length), seed: SEED },
      );
    }
    expect(running.hasExited(), running.stderr()).toBe(false);
    const memoryAfter = await residentMemory(running);
    expect(memoryAfter, `resident memory ${memoryBefore} -> ${memoryAfter} bytes`).toBeLessThan(memoryBefore * 2 + 64 * 1024 * 1024);
  }, 600_000);
});

// ---------------------------------------------------------------------------------------------
// Requests from the spec.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A valid request of an endpoint: every required field, some optional ones, values of the declared types. */
function requestOf(service: ServiceModel, endpoint: EndpointModel): fc.Arbitrary<Record<string, Json>> {
  // Path values must be one path segment, and make a route (not empty).
  return objectOf(service, endpoint.request, 0, new Set(endpoint.pathFields));
}

function objectOf(service: ServiceModel, fields: FieldModel[], depth: number, segments = new Set<string>()): fc.Arbitrary<Record<string, Json>> {
  const required: Record<string, fc.Arbitrary<Json>> = {};
  const optional: Record<string, fc.Arbitrary<Json>> = {};
  for (const field of fields) {
    // Deep down, optional fields stay out: recursive types end.
    if (field.optional && depth >= 2) continue;
    (field.optional ? optional : required)[field.name] = valueOf(service, field.specType, depth, segments.has(field.name));
  }
  return fc.record({ ...required, ...optional } as Record<string, fc.Arbitrary<Json>>, { requiredKeys: Object.keys(required) }) as fc.Arbitrary<Record<string, Json>>;
}

function valueOf(service: ServiceModel, specType: string, depth: number, segment: boolean): fc.Arbitrary<Json> {
  const list = /^\[(.+)\]$/.exec(specType);
  if (list) return fc.array(valueOf(service, list[1]!, depth + 1, false), { maxLength: 3 });
  switch (specType) {
    case 'string':
      return segment ? fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/) : fc.string({ unit: 'grapheme', maxLength: 20 });
    case 'integer':
      return fc.integer({ min: -1_000_000, max: 1_000_000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((value) => (Object.is(value, -0) ? 0 : value));
    case 'boolean':
      return fc.boolean();
    case 'datetime':
      return fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }).map((date) => date.toISOString());
    case 'uuid':
      return fc.uuid({ version: 4 });
    default: {
      const type = service.types.find((candidate) => candidate.name === specType);
      if (!type) throw new Error(`no type ${specType} in ${service.specName}`);
      return objectOf(service, type.fields, depth + 1);
    }
  }
}

interface HttpRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** The request as the transport expects it: path parameters, the query for GET and DELETE, else a JSON body. */
function encode(endpoint: EndpointModel, request: Record<string, Json>): HttpRequest {
  const path = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(request[name])));
  const rest = Object.entries(request).filter(([name]) => !endpoint.pathFields.includes(name));
  if (endpoint.hasBody) {
    return { method: endpoint.method, path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.fromEntries(rest)) };
  }
  const query = new URLSearchParams();
  for (const [name, value] of rest) for (const item of Array.isArray(value) ? value : [value]) query.append(name, String(item));
  return { method: endpoint.method, path: query.size > 0 ? `${path}?${query}` : path, headers: {} };
}

/** Ways to spoil a valid request; each keeps the method and path unless it is about them. */
const mutation: fc.Arbitrary<(endpoint: EndpointModel, request: Record<string, Json>) => HttpRequest> = fc.oneof(
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => encode(endpoint, Object.fromEntries(Object.keys(request).map((key) => [key, { wrong: [true] }])))),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => encode(endpoint, Object.fromEntries(Object.entries(request).slice(1)))),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => encode(endpoint, { ...request, extra: 'field' })),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => withBody(encode(endpoint, request), '{"constructor":{"prototype":{"polluted":true}}}')),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => withBody(encode(endpoint, request), '{"__proto__":{"polluted":true}}')),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => encode(endpoint, Object.fromEntries(Object.keys(request).map((key) => [key, 'x'.repeat(100_000)])))),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => encode(endpoint, Object.fromEntries(Object.keys(request).map((key) => [key, '🚀 ünïcödé 日本語 \u0000 \uffff'])))),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => withBody(encode(endpoint, request), `${'['.repeat(5_000)}${']'.repeat(5_000)}`)),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, 1.5, -0.000001).map(
    (number) => (endpoint: EndpointModel, request: Record<string, Json>) => encode(endpoint, Object.fromEntries(Object.keys(request).map((key) => [key, number]))),
  ),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => encode(endpoint, Object.fromEntries(Object.keys(request).map((key) => [key, '2024-13-45T99:99:99Z'])))),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => encode(endpoint, Object.fromEntries(Object.keys(request).map((key) => [key, 'not-a-uuid'])))),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => {
    const valid = encode(endpoint, request);
    return valid.body ? { ...valid, body: valid.body.slice(0, Math.max(1, valid.body.length - 2)) } : { ...valid, path: `${valid.path}%` };
  }),
  fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=latin1').map(
    (type) => (endpoint: EndpointModel, request: Record<string, Json>) => ({ ...withBody(encode(endpoint, request), JSON.stringify(request)), headers: { 'content-type': type } }),
  ),
  fc.constant((endpoint: EndpointModel, request: Record<string, Json>) => {
    const valid = encode(endpoint, request);
    const keys = endpoint.queryFields.length > 0 ? endpoint.queryFields : ['q'];
    return { ...valid, path: `${valid.path.split('?')[0]}?${keys.map((key) => `${key}=1&${key}=two&${key}=`).join('&')}` };
  }),
  fc.constantFrom('PATCH', 'PUT', 'DELETE', 'OPTIONS', 'POST').map((method) => (endpoint: EndpointModel, request: Record<string, Json>) => ({ ...encode(endpoint, request), method: method === endpoint.method ? 'OPTIONS' : method })),
);

/** The request with this body sent as JSON, whatever its method (a GET with a body included). */
function withBody(request: HttpRequest, body: string): HttpRequest {
  return { ...request, headers: { 'content-type': 'application/json' }, body };
}

/** One request over a real connection (node:http, which also sends a body with GET), bounded in time. */
function send(service: RunningService, request: HttpRequest): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${service.base}${request.path}`, { method: request.method, headers: request.headers, timeout: 10_000 }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`${request.method} ${request.path}: no answer within 10 s`)));
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

async function residentMemory(service: RunningService): Promise<number> {
  const metrics = await (await fetch(`${service.base}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  return Number(/^process_resident_memory_bytes(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1]);
}
