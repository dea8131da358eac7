import { spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, platform } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { median, round, timeProcess } from './measure.js';
import { CLI } from './paths.js';
import { cpuSeconds, freePort, startProcess, stopProcess, waitForHttp } from './processes.js';

/** The spec of the throughput test: one context, one POST endpoint with a small validated body. */
export const THROUGHPUT_SPEC = `name: bench-notes
description: One context with one endpoint, for the throughput benchmark
contexts:
  notes:
    description: Stores notes
    middleware: [logging, metrics, ratelimit, tracing]
    endpoints:
      createNote:
        description: Store a note
        http: POST /notes
        request: { title: string, quantity: integer, tags?: [string] }
        response: { id: string, title: string, quantity: integer }
        errors: [NoteRejected]
`;
export const CONTEXT = 'notes';
const MIDDLEWARE_LINE = '    middleware: [logging, metrics, ratelimit, tracing]\n';

/** THROUGHPUT_SPEC with its context serving these transports too: same endpoint, request, response and middleware. */
export function withTransports(transports: string): string {
  if (!THROUGHPUT_SPEC.includes(MIDDLEWARE_LINE)) throw new Error(`THROUGHPUT_SPEC has no "${MIDDLEWARE_LINE.trim()}" line to add the transports to`);
  return THROUGHPUT_SPEC.replace(MIDDLEWARE_LINE, `    transports: [${transports}]\n${MIDDLEWARE_LINE}`);
}
const ROUTE = '/notes';
export const REQUEST_BODY = JSON.stringify({ title: 'buy milk', quantity: 3, tags: ['home', 'soon'] });
export const EXPECTED_RESPONSE = { id: 'note-1', title: 'buy milk', quantity: 3 };
/** The method body the bench writes into the user-owned service.ts. */
const IMPLEMENTATION = "return { id: 'note-1', title: request.title, quantity: request.quantity };";

/** Used when the generated schemas module cannot be read; mirrors what the generator writes. */
const FALLBACK_SCHEMA = {
  body: {
    type: 'object',
    properties: { title: { type: 'string' }, quantity: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } },
    required: ['title', 'quantity'],
    additionalProperties: false,
  },
  response: {
    type: 'object',
    properties: { id: { type: 'string' }, title: { type: 'string' }, quantity: { type: 'integer' } },
    required: ['id', 'title', 'quantity'],
    additionalProperties: false,
  },
};

export interface LoadOptions {
  /** Per server. */
  connections: number;
  /** All servers at once, before the measured rounds. */
  warmupSeconds: number;
  /** Measured rounds; each loads every server at the same time, so a change in machine speed hits all alike. */
  rounds: number;
  /** Length of one round. */
  durationSeconds: number;
  /** Also load the generated service with LOG_LEVEL=warn, to show what request logging costs. */
  diagnose: boolean;
}

export interface ServerLoad {
  server: string;
  requests: number;
  durationS: number;
  reqPerS: number;
  serverCpuS: number;
  reqPerCpuS: number;
  /** Share of one core the server used while loaded. */
  serverCpuShare: number;
  /** Medians over the rounds. */
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Requests per server CPU-second in each round. */
  roundsReqPerCpuS: number[];
}

export interface ThroughputResult {
  setup: { generateMs: number; installMs: number; buildMs: number; schemaSource: 'generated' | 'fallback' };
  /** The CPU the servers share and the CPUs of the load generator, when they could be pinned (Linux, taskset). */
  pinning?: { serverCpu: number; loadCpus: string };
  load: LoadOptions & { body: string };
  generated: ServerLoad & { logLines: number };
  bare: ServerLoad;
  /** The generated service with request logging off (LOG_LEVEL=warn); only with `diagnose`. */
  generatedQuiet?: ServerLoad;
  /** The generated service with tracing on, every request sampled, exporting to a local OTLP/HTTP receiver. */
  generatedTraced: ServerLoad;
  /** The bare server with the same SDK, exporter and two spans per request: what tracing itself costs. */
  bareTraced: ServerLoad;
  /** Spans the receiver took from both while the bench ran. */
  spansReceived: number;
  /** The traced service's requests per CPU-second as a share of the bare server's (untraced), and of the traced bare server's. */
  tracedRatio: number;
  tracedPeerRatio: number;
  /** Generated requests per CPU-second as a share of the bare server's, over all rounds. */
  cpuEfficiencyRatio: number;
  /** The same ratio round by round, to show the noise. */
  roundRatios: number[];
}

/**
 * Generates a one-endpoint system (with npm install), implements its service method, and loads
 * the generated service (full middleware chain, info logging to a file) and a bare fastify route
 * doing the same validation and serialization, round after round. Reports requests per server
 * CPU-second, which does not depend on how much CPU the load generator takes from the servers.
 *
 * The servers are loaded at the same time, pinned to one CPU they share (the load generator gets the
 * others): this machine's speed drifts by a third within seconds, and servers loaded in turn each
 * met a different machine (round ratios ranged from 65% to 116%).
 */
export async function runThroughput(workDir: string, load: LoadOptions, progress: (line: string) => void): Promise<ThroughputResult> {
  const { system, service, generateMs, installMs, buildMs } = prepareSystem(workDir, THROUGHPUT_SPEC, 'the one-endpoint system', progress);

  const { schema, source: schemaSource } = await endpointSchema(join(service, 'dist', 'src', 'transport', 'schemas.js'));
  const bareScript = join(system, 'bare-server.mjs');
  writeFileSync(bareScript, bareServerSource(schema));

  const generatedEnv = { RATE_LIMIT_RPS: '1000000000', RATE_LIMIT_BURST: '1000000000' };
  const main = join(service, 'dist', 'src', 'main.js');
  const logFile = join(workDir, 'generated-service.log');
  const receiverScript = join(system, 'otlp-receiver.mjs');
  writeFileSync(receiverScript, OTLP_RECEIVER_SOURCE);
  const pinning = cpuPinning();
  // The span receiver is a process of its own, on the load generator's CPUs: its work is nobody's server CPU.
  const receiver = await startServer({ name: 'OTLP receiver', cwd: system, args: [receiverScript], env: {}, logFile: join(workDir, 'otlp-receiver.log') }, undefined, (port, child) =>
    waitForHttp(`http://127.0.0.1:${port}/health`, child),
  );
  if (pinning) pinProcess(receiver.child.pid!, pinning.loadCpus);
  const receiverUrl = `http://127.0.0.1:${receiver.port}`;
  const tracedEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_TRACES_SAMPLER: 'always_on' };
  const specs: ServerSpec[] = [
    { name: 'generated', cwd: service, args: [main], env: { ...generatedEnv, LOG_LEVEL: 'info' }, logFile },
    { name: 'bare fastify', cwd: system, args: [bareScript], env: {}, logFile: join(workDir, 'bare-server.log') },
    {
      name: 'generated, tracing on',
      cwd: service,
      args: [main],
      env: { ...generatedEnv, LOG_LEVEL: 'info', ...tracedEnv },
      logFile: join(workDir, 'generated-traced.log'),
    },
    { name: 'bare fastify, tracing on', cwd: system, args: [bareScript], env: tracedEnv, logFile: join(workDir, 'bare-traced.log') },
  ];
  if (load.diagnose) {
    specs.push({ name: 'generated, LOG_LEVEL=warn', cwd: service, args: [main], env: { ...generatedEnv, LOG_LEVEL: 'warn' }, logFile: join(workDir, 'generated-quiet.log') });
  }

  const servers: RunningServer[] = [];
  try {
    if (pinning) pinProcess(process.pid, pinning.loadCpus);
    for (const spec of specs) servers.push(await startServer(spec, pinning?.serverCpu));
    progress(`warming up the servers for ${load.warmupSeconds}s (${load.connections} connections each)`);
    await Promise.all(servers.map((server) => autocannon({ ...loadOptions(server.port, load), duration: load.warmupSeconds })));
    const segments = servers.map(() => [] as Segment[]);
    for (let round = 1; round <= load.rounds; round++) {
      progress(`round ${round}/${load.rounds}: ${servers.map((server) => server.spec.name).join(' + ')}, ${load.durationSeconds}s`);
      const results = await Promise.all(servers.map((server) => loadSegment(server, load)));
      results.forEach((segment, index) => segments[index]!.push(segment));
    }
    const [generated, bare, traced, bareTraced, quiet] = segments.map((list, index) => summarizeSegments(servers[index]!.spec.name, list));
    const roundRatios = segments[0]!.map((segment, round) => round3(reqPerCpu(segment) / reqPerCpu(segments[1]![round]!)));
    return {
      setup: { generateMs: round(generateMs), installMs: round(installMs), buildMs: round(buildMs), schemaSource },
      ...(pinning ? { pinning } : {}),
      load: { ...load, body: REQUEST_BODY },
      generated: { ...generated!, logLines: countLines(logFile) },
      bare: bare!,
      ...(quiet ? { generatedQuiet: quiet } : {}),
      generatedTraced: traced!,
      bareTraced: bareTraced!,
      spansReceived: await spansReceived(receiverUrl),
      tracedRatio: round3(traced!.reqPerCpuS / bare!.reqPerCpuS),
      tracedPeerRatio: round3(traced!.reqPerCpuS / bareTraced!.reqPerCpuS),
      cpuEfficiencyRatio: round3(generated!.reqPerCpuS / bare!.reqPerCpuS),
      roundRatios,
    };
  } finally {
    for (const server of servers) await stopProcess(server.child);
    await stopProcess(receiver.child);
    if (pinning) pinProcess(process.pid, `0-${availableParallelism() - 1}`);
  }
}

/** How many spans the receiver took (after the traced service exported what it still held at its last batch). */
async function spansReceived(receiverUrl: string): Promise<number> {
  const response = await fetch(`${receiverUrl}/count`);
  return Number(await response.text());
}

/** An OTLP/HTTP JSON receiver that counts spans and answers as a collector does; GET /count tells the count. */
const OTLP_RECEIVER_SOURCE = `// Written by create-kit-service's bench: where the traced service's spans go.
import { createServer } from 'node:http';

let spans = 0;
createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/v1/traces') {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      for (const resource of JSON.parse(body).resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    return;
  }
  response.writeHead(200).end(request.url === '/count' ? String(spans) : 'ok');
}).listen(Number(process.env.PORT), process.env.HOST);
`;

/**
 * Generates a bench spec into workDir/system, implements its one method, installs (from the npm
 * cache) and builds it, timing each step; `check` runs on the generated service before the install.
 */
export function prepareSystem(workDir: string, spec: string, what: string, progress: (line: string) => void, check: (service: string) => void = () => {}) {
  mkdirSync(workDir, { recursive: true });
  const specFile = join(workDir, 'kit.yaml');
  writeFileSync(specFile, spec);
  const system = join(workDir, 'system');
  const service = join(system, 'services', CONTEXT);

  progress(`generating ${what}`);
  const generateMs = timeProcess(process.execPath, [CLI, system, '--spec', specFile, '--yes', '--no-install', '--no-git']).ms;
  implementService(join(service, 'src', 'service.ts'));
  check(service);

  progress('npm install (uses the npm cache)');
  const installMs = timeProcess('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: system }).ms;

  progress('building the service (tsc)');
  const buildMs = timeProcess('npm', ['run', 'build', '--workspaces', '--silent'], { cwd: system }).ms;
  return { system, service, generateMs, installMs, buildMs };
}

/** Where servers and load generator run: the last CPU for the servers, the rest for the load. Linux with taskset only. */
export function cpuPinning(): { serverCpu: number; loadCpus: string } | undefined {
  const cpus = availableParallelism();
  if (platform() !== 'linux' || cpus < 2 || spawnSync('taskset', ['--version']).status !== 0) return undefined;
  return { serverCpu: cpus - 1, loadCpus: cpus === 2 ? '0' : `0-${cpus - 2}` };
}

/** Sets the CPUs of every thread of a process. */
export function pinProcess(pid: number, cpus: string): void {
  spawnSync('taskset', ['--all-tasks', '--pid', '--cpu-list', cpus, String(pid)], { stdio: 'ignore' });
}

/** Replaces the generated "not implemented" body of the endpoint's method with a small answer. */
export function implementService(file: string): void {
  const text = readFileSync(file, 'utf8');
  const stub = /throw new NotImplementedError\('createNote'\);/;
  if (!stub.test(text)) throw new Error(`${file} has no "throw new NotImplementedError('createNote')" to replace; did the service template change?`);
  writeFileSync(file, text.replace(stub, IMPLEMENTATION));
}

/** The body and 200-response schemas the generated service validates with, so both servers do the same work. */
async function endpointSchema(schemasModule: string): Promise<{ schema: typeof FALLBACK_SCHEMA; source: 'generated' | 'fallback' }> {
  try {
    const module = (await import(pathToFileURL(schemasModule).href)) as Record<string, unknown>;
    const endpoint = module.createNoteSchema as { body?: object; response?: Record<string, object> } | undefined;
    const typeSchemas = module.typeSchemas as unknown[] | undefined;
    if (endpoint?.body && endpoint.response?.[200] && (typeSchemas?.length ?? 0) === 0) {
      return { schema: { body: endpoint.body, response: endpoint.response[200] } as typeof FALLBACK_SCHEMA, source: 'generated' };
    }
  } catch {
    // fall through
  }
  return { schema: FALLBACK_SCHEMA, source: 'fallback' };
}

/** A fastify server with the same route, validation and answer, and nothing else (no logging, no hooks). */
function bareServerSource(schema: typeof FALLBACK_SCHEMA): string {
  return `// Written by create-kit-service's bench: the baseline for the generated service.
import Fastify from 'fastify';

// With OTEL_EXPORTER_OTLP_ENDPOINT: the same SDK, exporter and two spans per request (the caller's
// trace continued, then one inside it) as the generated service, and nothing else.
let traced = (request, answer) => answer();
if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
  const { BatchSpanProcessor, NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { context, propagation, SpanKind, trace } = await import('@opentelemetry/api');
  new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] }).register();
  const tracer = trace.getTracer('bare');
  traced = (request, answer) => {
    const parent = propagation.extract(context.active(), request.headers);
    const span = tracer.startSpan('POST /notes', { kind: SpanKind.SERVER }, parent);
    return context.with(trace.setSpan(parent, span), () =>
      tracer.startActiveSpan('endpoint createNote', (inner) => {
        inner.end();
        span.end();
        return answer();
      }),
    );
  };
}

const app = Fastify({ logger: false });
app.get('/health', async () => ({ status: 'ok' }));
app.post(${JSON.stringify(ROUTE)}, {
  schema: {
    body: ${JSON.stringify(schema.body)},
    response: { 200: ${JSON.stringify(schema.response)} },
  },
}, async (request) => traced(request, () => ({ id: 'note-1', title: request.body.title, quantity: request.body.quantity })));
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST });
`;
}

export interface ServerSpec {
  name: string;
  cwd: string;
  args: string[];
  env: Record<string, string>;
  /** Where the server's stdout and stderr go (its logs are written, not dropped). */
  logFile: string;
}

export interface RunningServer {
  spec: ServerSpec;
  child: ChildProcess;
  port: number;
}

/**
 * Starts a server on a free 127.0.0.1 port (on `cpu` alone, if given) and checks that it answers
 * correctly: by default over HTTP (health, then a valid and an invalid request), or with `ready`.
 */
export async function startServer(spec: ServerSpec, cpu?: number, ready: (port: number, child: ChildProcess) => Promise<void> = httpReady): Promise<RunningServer> {
  const port = await freePort();
  const fd = openSync(spec.logFile, 'w');
  const [command, args] = cpu === undefined ? [process.execPath, spec.args] : ['taskset', ['--cpu-list', String(cpu), process.execPath, ...spec.args]];
  const child = startProcess(command, args, {
    cwd: spec.cwd,
    env: { ...process.env, ...spec.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  try {
    await ready(port, child);
  } catch (error) {
    await stopProcess(child);
    const log = existsSync(spec.logFile) ? readFileSync(spec.logFile, 'utf8').slice(-2000) : '';
    throw new Error(`${spec.name}: ${error instanceof Error ? error.message : String(error)}${log ? `\nserver output (tail):\n${log}` : ''}`);
  }
  return { spec, child, port };
}

async function httpReady(port: number, child: ChildProcess): Promise<void> {
  await waitForHttp(`http://127.0.0.1:${port}/health`, child);
  await checkAnswers(port);
}

/** A valid request gets the expected 200 body; an invalid one gets 400 (validation is on). */
async function checkAnswers(port: number): Promise<void> {
  const url = `http://127.0.0.1:${port}${ROUTE}`;
  const headers = { 'content-type': 'application/json' };
  const ok = await fetch(url, { method: 'POST', headers, body: REQUEST_BODY });
  const body = (await ok.json()) as unknown;
  if (ok.status !== 200 || JSON.stringify(body) !== JSON.stringify(EXPECTED_RESPONSE)) {
    throw new Error(`POST ${ROUTE} answered ${ok.status} ${JSON.stringify(body)}, expected 200 ${JSON.stringify(EXPECTED_RESPONSE)}`);
  }
  const bad = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ title: 'x', quantity: 'many' }) });
  await bad.arrayBuffer();
  if (bad.status !== 400) throw new Error(`POST ${ROUTE} with an invalid body answered ${bad.status}, expected 400`);
}

function loadOptions(port: number, load: LoadOptions) {
  return {
    url: `http://127.0.0.1:${port}${ROUTE}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: REQUEST_BODY,
    connections: load.connections,
  };
}

/** The part of a load generator's result that a segment's summary reads (autocannon's Result has it). */
export interface LoadCounts {
  /** Seconds. */
  duration: number;
  requests: { total: number };
  /** Milliseconds. */
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface Segment {
  result: LoadCounts;
  cpuS: number;
}

/** One measured load of one server, with the CPU time the server process used meanwhile. */
async function loadSegment(server: RunningServer, load: LoadOptions): Promise<Segment> {
  const before = cpuSeconds(server.child.pid!);
  const result = await autocannon({ ...loadOptions(server.port, load), duration: load.durationSeconds });
  return { result, cpuS: cpuSeconds(server.child.pid!) - before };
}

export const reqPerCpu = (segment: Segment) => segment.result.requests.total / segment.cpuS;
const round3 = (value: number) => round(value, 3);

export function summarizeSegments(name: string, segments: Segment[]): ServerLoad {
  const sum = (pick: (segment: Segment) => number) => segments.reduce((total, segment) => total + pick(segment), 0);
  const requests = sum((segment) => segment.result.requests.total);
  const durationS = sum((segment) => segment.result.duration);
  const serverCpuS = sum((segment) => segment.cpuS);
  return {
    server: name,
    requests,
    durationS: round(durationS, 2),
    reqPerS: round(requests / durationS, 0),
    serverCpuS: round(serverCpuS, 2),
    reqPerCpuS: round(requests / serverCpuS, 0),
    serverCpuShare: round(serverCpuS / durationS, 2),
    latencyP50Ms: median(segments.map((segment) => segment.result.latency.p50)),
    latencyP99Ms: median(segments.map((segment) => segment.result.latency.p99)),
    non2xx: sum((segment) => segment.result.non2xx),
    errors: sum((segment) => segment.result.errors),
    timeouts: sum((segment) => segment.result.timeouts),
    roundsReqPerCpuS: segments.map((segment) => round(reqPerCpu(segment), 0)),
  };
}

export function countLines(file: string): number {
  if (!existsSync(file)) return 0;
  const text = readFileSync(file, 'utf8');
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
