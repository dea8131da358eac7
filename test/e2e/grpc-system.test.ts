import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { output, run } from '../helpers/run-command.js';
import { childEnv, freePort, parsePrometheus, startService, stop, stopAll, within, type RunningService } from '../helpers/service-process.js';

/**
 * Issue "gRPC transport", end to end: the real binary generates test/fixtures/specs/grpc.yaml
 * (routing serves HTTP and gRPC, booking calls routing over gRPC, tracking serves gRPC only) and
 * installs it. The test writes the code a user would (routing's methods, booking's translator and
 * method), builds the system and runs its own tests (the generated gRPC contract tests included),
 * then runs the three services as real processes on 127.0.0.1 and checks:
 * - from buf curl (Go's gRPC implementation, independent of the services' grpc-js) through server
 *   reflection: the methods are listed, a written method answers, a stub is UNIMPLEMENTED, a bad
 *   request is INVALID_ARGUMENT naming the field, a declared error keeps its kind and code, and
 *   grpc.health.v1.Health says SERVING;
 * - from the generated gRPC client: booking's HTTP endpoint calls routing over gRPC through the
 *   translator, and routing's declared error comes back as booking's own 422 with the same code;
 * - routing's metrics count the gRPC calls as the HTTP ones; SIGTERM lets a gRPC call in flight finish;
 *   with routing gone, booking answers UPSTREAM_UNAVAILABLE and its breaker opens;
 * - a removed field's number stays reserved after `generate`, and the system still builds.
 *
 * Needs `npm run build` first. Processes are killed by pid in afterAll; every wait is bounded.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const BUF = join(root, 'node_modules/.bin/buf');
const work = mkdtempSync(join(tmpdir(), 'cks-grpc-'));
const system = join(work, 'cargo');
const dir = (service: string) => join(system, 'services', service);

/** A voyage the routing service does not know, and one it answers slowly (for the shutdown check). */
const UNKNOWN_VOYAGE = '00000000-0000-4000-8000-000000000404';
const SLOW_VOYAGE = '00000000-0000-4000-8000-000000000500';

function edit(file: string, pattern: RegExp, replacement: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text.match(new RegExp(pattern.source, 'g'))?.length, `one match of ${pattern} in ${file}`).toBe(1);
  writeFileSync(file, text.replace(pattern, replacement));
}

function writeUserCode(): void {
  const routing = join(dir('routing'), 'src/service.ts');
  edit(routing, /import \{ NotImplementedError \} from '\.\/errors\.js';/, "import { setTimeout as sleep } from 'node:timers/promises';\nimport { NoRouteFoundError, VoyageNotFoundError } from './errors.js';");
  edit(
    routing,
    /async fetchRoutesForSpecification\(request: FetchRoutesForSpecificationRequest\): Promise<FetchRoutesForSpecificationResponse> \{\n[^\n]*\n  \}/,
    `async fetchRoutesForSpecification(request: FetchRoutesForSpecificationRequest): Promise<FetchRoutesForSpecificationResponse> {
    const { origin, destination, arrivalDeadline } = request.specification;
    if (origin === destination) throw new NoRouteFoundError(\`\${origin} is already the destination\`);
    const leg = { voyageNumber: 'V100', from: origin, to: destination, loadTime: '2030-01-01T08:00:00.000Z', unloadTime: arrivalDeadline };
    return { itineraries: Array.from({ length: request.maxResults ?? 1 }, () => ({ legs: [leg], totalDays: 3 })) };
  }`,
  );
  edit(
    routing,
    /async getLeg\(request: GetLegRequest\): Promise<GetLegResponse> \{\n[^\n]*\n  \}/,
    `async getLeg(request: GetLegRequest): Promise<GetLegResponse> {
    if (request.voyageId === '${UNKNOWN_VOYAGE}') throw new VoyageNotFoundError(\`no voyage \${request.voyageId}\`);
    if (request.voyageId === '${SLOW_VOYAGE}') await sleep(800);
    return { leg: { voyageNumber: request.voyageId, from: 'SESTO', to: 'FIHEL', loadTime: '2030-01-01T08:00:00.000Z', unloadTime: '2030-01-02T08:00:00.000Z' }, known: request.withCost ?? false };
  }`,
  );

  const translators = join(dir('booking'), 'src/translators/routing.ts');
  edit(translators, /voyageNumber: todo\('voyageNumber'\),/, 'voyageNumber: segment.voyage,');
  edit(translators, /voyage: todo\('voyage'\),/, 'voyage: leg.voyageNumber,');
  const booking = join(dir('booking'), 'src/service.ts');
  edit(booking, /import \{ NotImplementedError \} from '\.\/errors\.js';\n/, '');
  edit(
    booking,
    /async bookNewCargo\(request: BookNewCargoRequest\): Promise<BookNewCargoResponse> \{\n[^\n]*\n  \}/,
    `async bookNewCargo(request: BookNewCargoRequest): Promise<BookNewCargoResponse> {
    const { itineraries } = await this.deps.routing.fetchRoutesForSpecification({
      specification: { origin: request.origin, destination: request.destination, arrivalDeadline: request.deadline },
    });
    return { trackingId: 'T-' + request.origin, route: (itineraries[0]?.legs ?? []).map(this.deps.routingTranslators.fromLeg) };
  }`,
  );
}

/** `buf curl` against a gRPC port: JSON out (stdout) or the error (stderr), and the exit code. */
function bufCurl(port: number, args: string[]): { status: number | null; stdout: string; stderr: string } {
  return run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', ...args.slice(0, -1), `http://127.0.0.1:${port}${args.at(-1)}`], work, 30_000);
}
const RPC = '/cargo_shipping.routing.v1.RoutingService';

let routing: RunningService;
let tracking: RunningService;
let booking: RunningService;
let routingGrpc: number;
let trackingGrpc: number;

beforeAll(async () => {
  const created = run(process.execPath, [bin, system, '--spec', join(root, 'test/fixtures/specs/grpc.yaml'), '--yes', '--no-git'], work, 600_000);
  if (created.status !== 0) throw new Error(`create failed\n${output(created)}`);
  writeUserCode();
  const build = run('npm', ['run', 'build'], system, 300_000);
  if (build.status !== 0) throw new Error(`npm run build failed\n${output(build)}`);
  [routingGrpc, trackingGrpc] = [await freePort(), await freePort()];
  routing = await startService(dir('routing'), { env: { GRPC_PORT: String(routingGrpc) } });
  tracking = await startService(dir('tracking'), { env: { GRPC_PORT: String(trackingGrpc) } });
  booking = await startService(dir('booking'), {
    env: { ROUTING_URL: `http://127.0.0.1:${routingGrpc}`, TRACKING_URL: `http://127.0.0.1:${trackingGrpc}` },
  });
}, 900_000);

afterAll(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

describe('a generated system with gRPC', () => {
  it('passes its own tests, the generated gRPC contract tests included', () => {
    const test = run('npm', ['test'], system, 300_000);
    expect(test.status, output(test)).toBe(0);
    expect(test.stdout).toMatch(/answers INVALID_ARGUMENT with the field when "voyageId" is not a uuid/);
  }, 300_000);

  it('lists its methods and the health service through reflection, to an independent gRPC client', () => {
    const listed = bufCurl(routingGrpc, ['--list-methods', '']);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split('\n').sort()).toEqual([
      'cargo_shipping.routing.v1.RoutingService/FetchRoutesForSpecification',
      'cargo_shipping.routing.v1.RoutingService/GetLeg',
      'grpc.health.v1.Health/Check',
      'grpc.health.v1.Health/List',
      'grpc.health.v1.Health/Watch',
    ]);
    const health = bufCurl(routingGrpc, ['-d', '{"service":""}', '/grpc.health.v1.Health/Check']);
    expect(health.status, health.stderr).toBe(0);
    expect(JSON.parse(health.stdout)).toEqual({ status: 'SERVING' });
  });

  it('answers a written method, with the request fields as the spec names them', () => {
    const answer = bufCurl(routingGrpc, ['-d', JSON.stringify({ voyage_id: '3f2b8c1e-8d4a-4c6b-9e1f-2a3b4c5d6e7f', with_cost: true }), `${RPC}/GetLeg`]);
    expect(answer.status, answer.stderr).toBe(0);
    expect(JSON.parse(answer.stdout)).toEqual({
      leg: { voyageNumber: '3f2b8c1e-8d4a-4c6b-9e1f-2a3b4c5d6e7f', from: 'SESTO', to: 'FIHEL', loadTime: '2030-01-01T08:00:00.000Z', unloadTime: '2030-01-02T08:00:00.000Z' },
      known: true,
    });
  });

  it('answers errors with their gRPC status and stable code: declared, invalid, unimplemented', () => {
    const notFound = bufCurl(routingGrpc, ['-d', JSON.stringify({ voyage_id: UNKNOWN_VOYAGE }), `${RPC}/GetLeg`]);
    expect(notFound.status).not.toBe(0);
    expect(JSON.parse(notFound.stderr)).toMatchObject({ code: 'not_found', message: `no voyage ${UNKNOWN_VOYAGE}`, details: [{ type: 'google.rpc.ErrorInfo' }] });

    const invalid = bufCurl(routingGrpc, ['-d', JSON.stringify({ voyage_id: 'not-a-uuid' }), `${RPC}/GetLeg`]);
    const error = JSON.parse(invalid.stderr);
    expect(error).toMatchObject({ code: 'invalid_argument', details: [{ type: 'google.rpc.ErrorInfo' }, { type: 'google.rpc.BadRequest' }] });
    expect(error.message).toMatch(/^the request is not valid: voyage_id must match format "uuid"/);

    const missing = bufCurl(routingGrpc, ['-d', '{}', `${RPC}/FetchRoutesForSpecification`]);
    expect(JSON.parse(missing.stderr).message).toMatch(/specification must have required property 'specification'/);

    const stub = bufCurl(trackingGrpc, ['-d', JSON.stringify({ tracking_id: 'T-1' }), '/cargo_shipping.tracking.v1.TrackingService/Track']);
    expect(JSON.parse(stub.stderr)).toMatchObject({ code: 'unimplemented', message: 'track is not implemented yet' });
  });

  it('serves only /health, /health/live, /metrics and /openapi.json (documenting just these) over HTTP for a context without the http transport', async () => {
    expect((await fetch(`${tracking.base}/health`)).status).toBe(200);
    const track = await fetch(`${tracking.base}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"trackingId":"T-1"}' });
    expect(track.status).toBe(404);
    const document = (await (await fetch(`${tracking.base}/openapi.json`)).json()) as { paths: object };
    expect(document).toEqual(parse(readFileSync(join(dir('tracking'), 'openapi.yaml'), 'utf8')));
    expect(Object.keys(document.paths)).toEqual(['/health', '/health/live', '/metrics', '/openapi.json']);
  });

  it('calls an upstream over gRPC through the generated client and the translator, and passes its errors on', async () => {
    const booked = await fetch(`${booking.base}/cargos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ origin: 'SESTO', destination: 'FIHEL', deadline: '2030-01-05T00:00:00.000Z' }),
    });
    expect(booked.status).toBe(200);
    expect(await booked.json()).toEqual({
      trackingId: 'T-SESTO',
      route: [{ voyage: 'V100', from: 'SESTO', to: 'FIHEL', loadTime: '2030-01-01T08:00:00.000Z', unloadTime: '2030-01-05T00:00:00.000Z' }],
    });

    const noRoute = await fetch(`${booking.base}/cargos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ origin: 'SESTO', destination: 'SESTO', deadline: '2030-01-05T00:00:00.000Z' }),
    });
    expect(noRoute.status).toBe(422);
    expect(await noRoute.json()).toEqual({ error: { code: 'NO_ROUTE_FOUND', message: 'SESTO is already the destination' } });

    const upstream = parsePrometheus(await (await fetch(`${booking.base}/metrics`)).text()).filter((sample) => sample.name === 'upstream_calls_total' && sample.labels.upstream === 'routing');
    expect(upstream.map((sample) => [sample.labels.outcome, sample.value]).sort()).toEqual([['NO_ROUTE_FOUND', 1], ['success', 1]]);
  });

  it('counts gRPC calls in the same endpoint metrics as HTTP calls', async () => {
    const samples = parsePrometheus(await (await fetch(`${routing.base}/metrics`)).text());
    const count = (endpoint: string, outcome: string) =>
      samples.find((sample) => sample.name === 'endpoint_requests_total' && sample.labels.endpoint === endpoint && sample.labels.outcome === outcome)?.value;
    expect(count('getLeg', 'success')).toBe(1);
    expect(count('getLeg', 'VOYAGE_NOT_FOUND')).toBe(1);
    expect(count('fetchRoutesForSpecification', 'NO_ROUTE_FOUND')).toBe(1);
  });

  it('lets a gRPC call in flight finish on SIGTERM, then exits 0', async () => {
    const call = spawn(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '-d', JSON.stringify({ voyage_id: SLOW_VOYAGE }), `http://127.0.0.1:${routingGrpc}${RPC}/GetLeg`], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    call.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const finished = new Promise<number | null>((resolve) => call.on('exit', resolve));
    // The call reaches the service (its log line of the slow call comes only at the end, so wait on the clock).
    await new Promise((resolve) => setTimeout(resolve, 400));
    routing.child.kill('SIGTERM');
    expect(await within(finished, 10_000, 'the slow call')).toBe(0);
    expect(JSON.parse(out).leg.voyageNumber).toBe(SLOW_VOYAGE);
    expect(await within(routing.exited, 15_000, 'routing exit')).toEqual({ code: 0, signal: null });
    stop(routing.pid);
  });

  it('answers UPSTREAM_UNAVAILABLE once the gRPC upstream is gone, and opens the breaker', async () => {
    const book = () =>
      fetch(`${booking.base}/cargos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ origin: 'SESTO', destination: 'FIHEL', deadline: '2030-01-05T00:00:00.000Z' }),
        signal: AbortSignal.timeout(10_000),
      });
    for (let call = 0; call < 4; call++) {
      const answer = await book();
      expect(answer.status).toBe(503);
      expect((await answer.json()).error.code).toBe('UPSTREAM_UNAVAILABLE');
    }
    const samples = parsePrometheus(await (await fetch(`${booking.base}/metrics`)).text());
    const state = samples.find((sample) => sample.name === 'upstream_circuit_state' && sample.labels.upstream === 'routing' && sample.labels.endpoint === 'fetchRoutesForSpecification');
    expect(state?.value, 'the circuit to routing is open (2)').toBe(2);
  });

  it('keeps a removed field\'s number reserved after generate, and still builds', () => {
    const spec = join(system, 'kit.yaml');
    edit(spec, /request: \{ voyageId: uuid, withCost\?: boolean \}/, 'request: { voyageId: uuid }');
    edit(join(dir('routing'), 'src/service.ts'), /known: request\.withCost \?\? false/, 'known: true');
    const generate = run(process.execPath, [bin, 'generate'], system, 120_000);
    expect(generate.status, output(generate)).toBe(0);
    for (const service of ['routing', 'booking']) {
      const proto = readFileSync(join(dir(service), 'proto/cargo_shipping/routing/v1/routing.proto'), 'utf8');
      expect(proto).toContain('message GetLegRequest {\n  reserved 2;\n  reserved "with_cost";\n  string voyage_id = 1;\n}');
    }
    const build = run('npm', ['run', 'build'], system, 300_000);
    expect(build.status, output(build)).toBe(0);
  }, 420_000);
});
