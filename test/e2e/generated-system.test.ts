import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { childEnv, freshGet, parsePrometheus, startService, stop, stopAll, within, type RunningService } from '../helpers/service-process.js';

/**
 * Issue "Generate a running system", end to end: the real binary generates the built-in example and
 * the odd-values fixture (npm install on, sharing the default npm cache), then each system builds
 * (tsc strict) and passes its generated tests, and every service is started as a real process and
 * checked over HTTP: stubs answer 501, validation 400 with details, unknown routes 404, /health,
 * /metrics in Prometheus text, x-request-id, JSON log lines; and SIGTERM drains a request in flight.
 *
 * Needs `npm run build` first. Every process started here listens on 127.0.0.1 only and is killed
 * by its pid in afterAll; every wait is bounded.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');

const work = mkdtempSync(join(tmpdir(), 'cks-system-'));

beforeAll(() => {
  if (!existsSync(join(root, 'dist/src/cli/main.js'))) {
    throw new Error('dist/ is missing: run "npm run build" before these tests (npm test does it as pretest)');
  }
});

afterAll(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

/** Runs a command to its end, bounded in time; the result says how it ended. */
function run(command: string, args: string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} ${args.join(' ')} in ${cwd} failed: ${result.error.message}\n${result.stdout}\n${result.stderr}`);
  return result;
}

const npm = (args: string[], cwd: string, timeoutMs: number) => run('npm', args, cwd, timeoutMs);
const output = (result: SpawnSyncReturns<string>) => `exit ${result.status} ${result.signal ?? ''}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;

// ---------------------------------------------------------------------------------------------
// What each generated service is asked over HTTP.

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}
interface StubCall extends Call {
  /** The endpoint's name in kit.yaml: the label of its logs and metrics. */
  endpoint: string;
}
interface ServiceCase {
  name: string;
  /** Valid calls of endpoints whose method is still the generated stub: 501 NOT_IMPLEMENTED. */
  stubs: StubCall[];
  /** Invalid calls: 400 VALIDATION_FAILED with details. */
  bad: Call[];
  /** Whether kit.yaml gives the service the metrics middleware (per-endpoint series). */
  endpointMetrics: boolean;
}
interface SystemCase {
  name: string;
  /** Arguments of create-kit-service after the target folder. */
  args: string[];
  services: ServiceCase[];
}

const ORDER_ID = '8a1f6c2e-3b4d-4e5f-9a6b-7c8d9e0f1a2b';
const EVENT = { id: 'e1', default: 'd', class: 'c', at: '2024-01-02T03:04:05.000Z', tags: ['x', 'y'] };

const SYSTEMS: SystemCase[] = [
  {
    name: 'example',
    args: ['--example', '--yes', '--no-git'],
    services: [
      {
        name: 'ordering',
        stubs: [
          { endpoint: 'placeOrder', method: 'POST', path: '/orders', body: { customer: { id: 'c1', name: 'Ann' }, lines: [{ sku: 'a', quantity: 1, price: 2.5 }] } },
          { endpoint: 'getOrder', method: 'GET', path: `/orders/${ORDER_ID}` },
          { endpoint: 'listOrders', method: 'GET', path: '/customers/c1/orders?limit=2&statuses=open&statuses=shipped' },
          { endpoint: 'cancelOrder', method: 'DELETE', path: `/orders/${ORDER_ID}?reason=late` },
        ],
        bad: [
          { method: 'POST', path: '/orders', body: { customer: 5 } },
          { method: 'GET', path: '/orders/not-a-uuid' },
          { method: 'GET', path: '/customers/c1/orders?limit=many' },
        ],
        endpointMetrics: true,
      },
      {
        name: 'billing',
        stubs: [
          { endpoint: 'charge', method: 'POST', path: '/charge', body: { payer: { id: 'p1', name: 'Ann', iban: 'NL00BANK0123456789' }, amount: 12.5 } },
          { endpoint: 'getReceipt', method: 'GET', path: '/receipts/r1' },
        ],
        bad: [{ method: 'POST', path: '/charge', body: { payer: { id: 'p1' }, amount: 'lots' } }],
        endpointMetrics: true,
      },
      {
        name: 'shipping',
        stubs: [
          {
            endpoint: 'schedule',
            method: 'PUT',
            path: '/shipments/o1',
            body: { address: { street: 'Main 1', city: 'Delft', postcode: '2611', country: 'NL' }, express: true },
          },
        ],
        bad: [{ method: 'PUT', path: '/shipments/o1', body: { address: { street: 1 } } }],
        endpointMetrics: true,
      },
    ],
  },
  {
    name: 'odd-values',
    args: ['--spec', join(root, 'test/fixtures/specs/odd-values.yaml'), '--yes', '--no-git'],
    services: [
      {
        name: 'event-log',
        stubs: [
          { endpoint: 'record-event', method: 'POST', path: '/record-event', body: { event: EVENT, promise: { kept: true }, function: 'f' } },
          { endpoint: 'find_events', method: 'GET', path: `/events/${encodeURIComponent(EVENT.at)}?limit=3&tag=a&tag=b&new=true` },
          { endpoint: 'ping', method: 'GET', path: '/ping' },
          { endpoint: 'replace', method: 'PATCH', path: `/events/${ORDER_ID}/replace`, body: { with: EVENT } },
        ],
        bad: [
          { method: 'GET', path: '/events/not-a-date?limit=3' },
          { method: 'GET', path: `/events/${encodeURIComponent(EVENT.at)}` },
          { method: 'PATCH', path: '/events/not-a-uuid/replace', body: { with: EVENT } },
          { method: 'POST', path: '/record-event', body: { event: { ...EVENT, at: 'yesterday' } } },
          { method: 'POST', path: '/record-event', body: { promise: { kept: true } } },
        ],
        // middleware: [logging] in the fixture: no per-endpoint series, default metrics only.
        endpointMetrics: false,
      },
      { name: 'empty', stubs: [], bad: [], endpointMetrics: false },
    ],
  },
];

/** What one HTTP call answered. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** One call over real HTTP, bounded in time; every answer must carry an x-request-id. */
async function call(service: RunningService, { method, path, body }: Call, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(service.base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  expect(response.headers.get('x-request-id'), `x-request-id of ${method} ${path}`).toMatch(/\S/);
  return { status: response.status, headers: response.headers, text, json };
}

/** The JSON log lines a service printed on stdout; every line must be JSON. */
function logLines(service: RunningService): Record<string, unknown>[] {
  return service
    .stdout()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`a stdout line of the service is not JSON: ${line}`);
      }
    });
}

/** Waits (bounded) until the service has logged a line that matches. */
async function waitForLog(service: RunningService, matches: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const line = logLines(service).find(matches);
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line ${what} within 5 s; stdout:\n${service.stdout()}`);
    await sleep(50);
  }
}

/**
 * Lints an OpenAPI document (JSON text) with the project's pinned Redocly CLI and its recommended
 * rules: the errors it finds (the missing licence is a warning) and its exit status.
 */
function lintOpenApi(document: string): { errors: string[]; status: number | null } {
  const file = join(work, `served-${Date.now()}.json`);
  writeFileSync(file, document);
  const result = spawnSync(process.execPath, [join(root, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', '--extends', 'recommended', '--format', 'json', file], {
    cwd: work,
    env: childEnv({ REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  rmSync(file);
  const report = JSON.parse(result.stdout) as { problems: { ruleId: string; severity: string; message: string }[] };
  return { errors: report.problems.filter((problem) => problem.severity === 'error').map((problem) => `${problem.ruleId}: ${problem.message}`), status: result.status };
}

/** A non-loopback IPv4 address of this machine, to show that HOST=127.0.0.1 is honoured. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;

/** Whether a TCP connection to host:port is accepted within a second. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

// ---------------------------------------------------------------------------------------------

describe.each(SYSTEMS)('the generated $name system', (system) => {
  const dir = join(work, system.name);

  beforeAll(() => {
    const result = run(process.execPath, [bin, dir, ...system.args], work, 300_000);
    expect(result.status, output(result)).toBe(0);
    expect(existsSync(join(dir, 'node_modules/fastify/package.json')), 'npm install ran').toBe(true);
    // The user's folder holds the system and what npm installs, no log of ours.
    expect(existsSync(join(dir, 'npm-install.log')), 'no install log in the system').toBe(false);
  });

  it('builds: npm run build exits 0 (tsc strict)', { timeout: 180_000 }, () => {
    const result = npm(['run', 'build'], dir, 170_000);
    expect(result.status, output(result)).toBe(0);
    for (const service of system.services) expect(existsSync(join(dir, 'services', service.name, 'dist/src/main.js')), service.name).toBe(true);
  });

  it('passes its generated tests: npm test exits 0 with "# fail 0" for every service', { timeout: 180_000 }, () => {
    const result = npm(['test'], dir, 170_000);
    expect(result.status, output(result)).toBe(0);
    const fails = result.stdout.match(/^# fail \d+$/gm) ?? [];
    // One node:test summary per service at least, and every one of them without failures.
    expect(fails.length, output(result)).toBeGreaterThanOrEqual(system.services.length);
    expect(new Set(fails), output(result)).toEqual(new Set(['# fail 0']));
    expect(result.stdout).not.toMatch(/^not ok /m);
  });

  describe.each(system.services)('service $name, started with node dist/src/main.js', (testCase) => {
    let service: RunningService;
    /** The x-request-id of each stub call, by endpoint. */
    const requestIds = new Map<string, string>();

    beforeAll(async () => {
      service = await startService(join(dir, 'services', testCase.name));
    });

    afterAll(() => {
      if (service) stop(service.pid);
    });

    it('serves GET /health: 200 {status: "ok"}', async () => {
      const answer = await call(service, { method: 'GET', path: '/health' });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ status: 'ok' });
    });

    it.skipIf(outsideAddress === undefined)('listens on 127.0.0.1 only (HOST is honoured)', async () => {
      expect(await accepts('127.0.0.1', service.port)).toBe(true);
      expect(await accepts(outsideAddress!, service.port)).toBe(false);
    });

    it.skipIf(testCase.stubs.length === 0)('answers 501 NOT_IMPLEMENTED for every endpoint still a stub', async () => {
      for (const stub of testCase.stubs) {
        const requestId = `e2e-${testCase.name}-${stub.endpoint}`;
        const answer = await call(service, stub, { 'x-request-id': requestId });
        expect(answer.status, `${stub.method} ${stub.path}: ${answer.text}`).toBe(501);
        expect(answer.json, `${stub.method} ${stub.path}`).toMatchObject({ error: { code: 'NOT_IMPLEMENTED' } });
        expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
        // The request id a caller sends is kept (and echoed), so calls can be followed across services.
        expect(answer.headers.get('x-request-id')).toBe(requestId);
        requestIds.set(stub.endpoint, requestId);
      }
    });

    it.skipIf(testCase.bad.length === 0)('answers 400 VALIDATION_FAILED with details to invalid requests', async () => {
      for (const bad of testCase.bad) {
        const answer = await call(service, bad);
        expect(answer.status, `${bad.method} ${bad.path} ${JSON.stringify(bad.body)}: ${answer.text}`).toBe(400);
        expect(answer.json.error.code).toBe('VALIDATION_FAILED');
        expect(typeof answer.json.error.message).toBe('string');
        expect(answer.json.error.details.length, answer.text).toBeGreaterThan(0);
        for (const detail of answer.json.error.details) {
          expect(detail).toEqual({ field: expect.stringMatching(/\S/), message: expect.stringMatching(/\S/) });
        }
      }
    });

    it('serves GET /openapi.json: its openapi.yaml, valid under "redocly lint" (recommended rules), documenting every route it answers', async () => {
      const answer = await call(service, { method: 'GET', path: '/openapi.json' });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      const file = parse(readFileSync(join(dir, 'services', testCase.name, 'openapi.yaml'), 'utf8')) as unknown;
      expect(answer.json).toEqual(file);
      expect(lintOpenApi(answer.text)).toEqual({ errors: [], status: 0 });
      const paths = answer.json.paths as Record<string, Record<string, { operationId: string }>>;
      for (const stub of [...testCase.stubs, { endpoint: 'kit.health', method: 'GET', path: '/health' }]) {
        const route = Object.keys(paths).find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(stub.path.split('?')[0]!));
        expect(route && paths[route]![stub.method.toLowerCase()]?.operationId, `${stub.method} ${stub.path}`).toBe(stub.endpoint.replace(/[-_](\w)/g, (_, letter: string) => letter.toUpperCase()));
      }
    });

    it('answers 404 NOT_FOUND to an unknown route', async () => {
      const answer = await call(service, { method: 'GET', path: '/no/such/route' });
      expect(answer.status).toBe(404);
      expect(answer.json.error.code).toBe('NOT_FOUND');
    });

    it('answers 405 METHOD_NOT_ALLOWED with Allow to a known path with a method it does not serve', async () => {
      const answer = await call(service, { method: 'PATCH', path: '/health' });
      expect([answer.status, answer.headers.get('allow'), answer.json.error.code]).toEqual([405, 'GET, HEAD', 'METHOD_NOT_ALLOWED']);
    });

    it('answers 400 MALFORMED_REQUEST to a URL that does not decode (the fuzz test found the framework\'s own body there)', async () => {
      const answer = await call(service, { method: 'GET', path: '/health%' });
      expect([answer.status, answer.json.error.code]).toEqual([400, 'MALFORMED_REQUEST']);
      expect(answer.text).not.toMatch(/FST_/);
    });

    it.runIf(testCase.name === 'ordering')('answers PATCH /orders/{orderId} (only GET and DELETE there) with 405 and Allow: GET, HEAD, DELETE', async () => {
      const answer = await call(service, { method: 'PATCH', path: `/orders/${ORDER_ID}` });
      expect([answer.status, answer.headers.get('allow'), answer.json.error.code]).toEqual([405, 'GET, HEAD, DELETE', 'METHOD_NOT_ALLOWED']);
    });

    // Bodies the transport cannot read: stable codes of this API, never the web framework's names.
    const withBody = testCase.stubs.find((stub) => stub.body !== undefined);
    it.runIf(withBody)('answers MALFORMED_JSON 400, UNSUPPORTED_MEDIA_TYPE 415 (text/plain and XML) and PAYLOAD_TOO_LARGE 413', async () => {
      const send = async (contentType: string, body: string) => {
        const response = await fetch(service.base + withBody!.path, { method: withBody!.method, headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(10_000) });
        const text = await response.text();
        expect(text, text).not.toMatch(/FST_|fastify/i);
        return [response.status, (JSON.parse(text) as { error: { code: string } }).error.code];
      };
      expect(await send('application/json', '{"not json')).toEqual([400, 'MALFORMED_JSON']);
      expect(await send('text/plain', 'hello')).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
      expect(await send('application/xml', '<order/>')).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
      expect(await send('application/json', JSON.stringify({ padding: 'x'.repeat(2_000_000) }))).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    });

    it('serves GET /metrics in Prometheus text format, counting the calls made', async () => {
      const answer = await call(service, { method: 'GET', path: '/metrics' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(answer.text).toMatch(/^(process_cpu|nodejs_)\w+/m);
      const samples = parsePrometheus(answer.text);
      expect(samples.length).toBeGreaterThan(0);
      if (!testCase.endpointMetrics) {
        expect(answer.text).not.toContain('endpoint_requests_total{');
        return;
      }
      expect(answer.text).toContain('endpoint_requests_total{');
      expect(answer.text).toContain('endpoint_request_duration_seconds_bucket');
      for (const stub of testCase.stubs) {
        expect(answer.text).toContain(`endpoint="${stub.endpoint}"`);
        const count = samples.find(
          (sample) => sample.name === 'endpoint_requests_total' && sample.labels.endpoint === stub.endpoint && sample.labels.outcome === 'NOT_IMPLEMENTED',
        );
        expect(count?.value, `endpoint_requests_total of ${stub.endpoint}, outcome NOT_IMPLEMENTED`).toBe(1);
        const buckets = samples.filter((sample) => sample.name === 'endpoint_request_duration_seconds_bucket' && sample.labels.endpoint === stub.endpoint);
        expect(buckets.length, `latency buckets of ${stub.endpoint}`).toBeGreaterThan(0);
        expect(buckets.find((sample) => sample.labels.le === '+Inf' && sample.labels.outcome === 'NOT_IMPLEMENTED')?.value).toBe(1);
      }
    });

    it('logs JSON lines to stdout: one per endpoint call, with endpoint, durationMs and outcome', async () => {
      for (const stub of testCase.stubs) {
        const line = await waitForLog(service, (line) => line.endpoint === stub.endpoint, `for ${stub.endpoint}`);
        expect(line).toMatchObject({ endpoint: stub.endpoint, outcome: 'NOT_IMPLEMENTED', requestId: requestIds.get(stub.endpoint) });
        expect(typeof line.durationMs).toBe('number');
        expect(line.durationMs as number).toBeGreaterThanOrEqual(0);
      }
      // Every line, the start-up line too, is JSON (logLines throws otherwise) with a level and time.
      const lines = logLines(service);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatchObject({ level: expect.any(Number), time: expect.any(Number) });
      expect(service.stderr()).toBe('');
    });
  });

  if (system.name === 'example') {
    it('limits what a client may send, as configured: slow headers 408, large headers 431, not HTTP 400, each with the error body; keep-alive outlasts a load balancer', { timeout: 60_000 }, async () => {
      const limited = await startService(join(dir, 'services/ordering'), { env: { HEADERS_TIMEOUT_MS: '500', REQUEST_TIMEOUT_MS: '1000', HEADER_LIMIT_BYTES: '4096' } });
      try {
        /** Writes raw bytes on a new connection; answers what came back before the server closed it, and when. */
        const raw = (data: string) =>
          within(
            new Promise<{ text: string; ms: number }>((resolve, reject) => {
              const started = Date.now();
              const socket = new Socket();
              let text = '';
              socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
              socket.on('error', reject).on('close', () => resolve({ text, ms: Date.now() - started }));
              socket.connect(limited.port, '127.0.0.1', () => socket.write(data));
            }),
            10_000,
            'the server closing the connection',
          );
        const slow = await raw('GET /health HTTP/1.1\r\nHost: x\r\n');
        expect(slow.text).toMatch(/^HTTP\/1\.1 408 [^]*"code":"REQUEST_TIMEOUT"/);
        expect(slow.ms).toBeLessThan(3_000);
        expect((await raw('NOT HTTP\r\n\r\n')).text).toMatch(/^HTTP\/1\.1 400 [^]*"code":"MALFORMED_REQUEST"/);
        const large = await fetch(`${limited.base}/health`, { headers: { 'x-large': 'a'.repeat(8_000) }, signal: AbortSignal.timeout(5_000) });
        expect([large.status, ((await large.json()) as { error: { code: string } }).error.code]).toEqual([431, 'HEADERS_TOO_LARGE']);
        const fine = await fetch(`${limited.base}/health`, { signal: AbortSignal.timeout(5_000) });
        expect(fine.headers.get('keep-alive')).toBe('timeout=72');
      } finally {
        stop(limited.pid);
      }
    });

    it('drains a request in flight on SIGTERM, refuses new ones, then exits 0', { timeout: 120_000 }, async () => {
      // A copy of the ordering service (outside the workspaces, beside node_modules/ of the system)
      // whose user-owned getOrder is slow but valid.
      const copy = join(dir, 'ordering-slow');
      cpSync(join(dir, 'services/ordering'), copy, { recursive: true, filter: (source) => !/[\\/](dist|node_modules)$/.test(source) });
      const serviceFile = join(copy, 'src/service.ts');
      const stub = `async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {\n    throw new NotImplementedError('getOrder');\n  }`;
      const source = readFileSync(serviceFile, 'utf8');
      expect(source, 'the stub of getOrder in services/ordering/src/service.ts').toContain(stub);
      writeFileSync(
        serviceFile,
        source.replace(
          stub,
          `async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { order: { orderId: request.orderId, customer: { id: 'c', name: 'n' }, lines: [], status: 'open', placedAt: new Date(0).toISOString() } };
  }`,
        ),
      );
      const build = run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], copy, 90_000);
      expect(build.status, output(build)).toBe(0);

      const slow = await startService(copy);
      try {
        const sentAt = Date.now();
        const inFlight = fetch(`${slow.base}/orders/${ORDER_ID}`, { signal: AbortSignal.timeout(10_000) }).then(async (response) => ({
          status: response.status,
          body: (await response.json()) as unknown,
          at: Date.now(),
        }));
        inFlight.catch(() => undefined);
        await sleep(200);
        expect(slow.child.kill('SIGTERM')).toBe(true);
        await waitForLog(slow, (line) => line.msg === 'draining requests in flight', 'about draining');

        // A new connection while draining: refused, or answered 503.
        const late = await freshGet(`${slow.base}/health`);
        if ('status' in late) expect(late.status, 'a request after SIGTERM').toBe(503);
        else expect(late.error, 'a connection after SIGTERM').toMatch(/ECONNREFUSED|ECONNRESET/);

        const answer = await within(inFlight, 5_000, 'the request in flight');
        expect(answer.status, JSON.stringify(answer.body)).toBe(200);
        expect(answer.body).toEqual({
          order: { orderId: ORDER_ID, customer: { id: 'c', name: 'n' }, lines: [], status: 'open', placedAt: '1970-01-01T00:00:00.000Z' },
        });
        expect(answer.at - sentAt).toBeGreaterThanOrEqual(1_400);

        // Every request has finished: the process must exit 0 within a few seconds (it has 10 s,
        // SHUTDOWN_TIMEOUT_MS, before it gives up with exit 1). When it does not, wait for how it ends.
        const exitedInTime = await Promise.race([slow.exited.then(() => true), sleep(5_000).then(() => false)]);
        if (!exitedInTime) {
          const late = await Promise.race([slow.exited, sleep(10_000).then(() => undefined)]);
          expect.fail(
            `the service had not exited 5 s after its last request finished (the client keeps its connection alive, as fetch does); ` +
              `${late ? `it exited later with ${JSON.stringify(late)}` : 'it was still running 10 s later'}\nstdout:\n${slow.stdout()}\nstderr:\n${slow.stderr()}`,
          );
        }
        expect(await slow.exited, `stdout:\n${slow.stdout()}\nstderr:\n${slow.stderr()}`).toEqual({ code: 0, signal: null });
        expect(logLines(slow)).toContainEqual(expect.objectContaining({ endpoint: 'getOrder', outcome: 'success' }));
      } finally {
        stop(slow.pid);
      }
    });
  }
});
