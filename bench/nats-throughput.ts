import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Msg, NatsConnection, RequestOptions } from '@nats-io/transport-node';
import { counts } from './grpc-throughput.js';
import { round } from './measure.js';
import { acceptsTcp, cpuSeconds, freePort, natsServerBinary, startProcess, stopProcess, waitForHttp } from './processes.js';
import {
  CONTEXT,
  countLines,
  cpuPinning,
  EXPECTED_RESPONSE,
  prepareSystem,
  pinProcess,
  reqPerCpu,
  REQUEST_BODY,
  startServer,
  summarizeSegments,
  withTransports,
  type LoadCounts,
  type RunningServer,
  type Segment,
  type ServerLoad,
  type ServerSpec,
} from './throughput.js';

/** The HTTP row's spec with a NATS transport too: same endpoint, request, response and middleware. */
export const NATS_THROUGHPUT_SPEC = withTransports('http, nats');
/** What the generated transport subscribes: `<system>.<context kebab>.<endpoint camelCase>` in the queue group `<context kebab>`. */
const SUBJECT = 'bench-notes.notes.createNote';
const QUEUE = CONTEXT;
/** The request payload is the HTTP row's body; every request sends the same bytes, encoded once. */
const PAYLOAD = new TextEncoder().encode(REQUEST_BODY);
/** The reply both servers must send, byte for byte (the generated one adds headers). */
const EXPECTED_REPLY = new TextEncoder().encode(JSON.stringify(EXPECTED_RESPONSE));
/** Fails the generated validation: the generated server must answer it with these error headers. */
const INVALID_BODY = JSON.stringify({ title: 'x', quantity: 'many' });

export interface NatsLoadOptions {
  /** Requests kept in flight per server, on one client connection per server. */
  requestsInFlight: number;
  /** All servers at once, before the measured rounds. */
  warmupSeconds: number;
  rounds: number;
  durationSeconds: number;
  /** Also load the generated service with LOG_LEVEL=warn, to show what request logging costs. */
  diagnose: boolean;
}

/** As the HTTP row's figures; here `requests` counts completed request-reply calls (errors included) and `non2xx` is always 0. */
export interface NatsThroughputResult {
  setup: { generateMs: number; installMs: number; buildMs: number };
  pinning?: { serverCpu: number; loadCpus: string };
  load: NatsLoadOptions & { subject: string; queue: string; request: string };
  /** What was checked on each server before the load. */
  checks: string[];
  /** CPU the bench process (the NATS client) used during the rounds; near 1 core (or the CPUs it is pinned to), it was the limit. */
  loadGenerator: { cpuS: number; cpuShare: number };
  /** The nats-servers (one per server under load), on the load generator's CPUs: counted for neither side, shown for context. */
  natsServers: { count: number; cpuS: number; cpuShare: number; cpus?: string };
  generated: ServerLoad & { logLines: number };
  bare: ServerLoad;
  generatedQuiet?: ServerLoad;
  /** Generated calls per server CPU-second as a share of the bare subscriber's, over all rounds. */
  cpuEfficiencyRatio: number;
  roundRatios: number[];
}

/**
 * The NATS row of the throughput benchmark: generates the one-endpoint system with
 * `transports: [http, nats]` (with npm install), implements its method, and loads the generated
 * service's NATS transport (JSON decode, ajv validation, logging/metrics/ratelimit chain, JSON
 * reply with an X-Request-Id header; info logging to a file) and a bare subscriber with the same
 * @nats-io/transport-node package that answers the same JSON, and nothing else. Measured as the
 * other rows: all servers at the same time, pinned to one shared CPU, calls per server CPU-second.
 *
 * Each server gets its own nats-server. The generated subject and queue group are fixed by the
 * generator, so with `--diagnose` two generated services would join one queue group and split
 * each other's traffic; one nats-server each keeps the traffic apart, and lets the bare subscriber
 * use the very same subject and queue group (same subject length, same routing work). The
 * nats-servers run on the load generator's CPUs, not the servers' CPU, and their CPU is counted
 * for neither side. The load generator is the project's own @nats-io/transport-node client.
 */
export async function runNatsThroughput(workDir: string, load: NatsLoadOptions, progress: (line: string) => void): Promise<NatsThroughputResult> {
  const natsBinary = natsServerBinary();
  const { system, service, generateMs, installMs, buildMs } = prepareSystem(workDir, NATS_THROUGHPUT_SPEC, 'the one-endpoint system with transports [http, nats]', progress, (generated) =>
    checkGeneratedSubject(join(generated, 'src', 'transport', 'nats.ts')),
  );

  // Fails early if the generated system does not have the client package the bare subscriber loads.
  createRequire(join(service, 'package.json')).resolve('@nats-io/transport-node');
  const bareScript = join(system, 'bare-nats-subscriber.mjs');
  writeFileSync(bareScript, bareSubscriberSource(join(service, 'package.json')));

  const generatedEnv = { RATE_LIMIT_RPS: '1000000000', RATE_LIMIT_BURST: '1000000000' };
  const main = join(service, 'dist', 'src', 'main.js');
  const logFile = join(workDir, 'generated-service.log');
  const specs: { spec: ServerSpec; generated: boolean }[] = [
    { spec: { name: 'generated (NATS)', cwd: service, args: [main], env: { ...generatedEnv, LOG_LEVEL: 'info' }, logFile }, generated: true },
    { spec: { name: 'bare subscriber', cwd: system, args: [bareScript], env: {}, logFile: join(workDir, 'bare-nats-subscriber.log') }, generated: false },
  ];
  if (load.diagnose) {
    specs.push({
      spec: { name: 'generated (NATS), LOG_LEVEL=warn', cwd: service, args: [main], env: { ...generatedEnv, LOG_LEVEL: 'warn' }, logFile: join(workDir, 'generated-quiet.log') },
      generated: true,
    });
  }

  const { connect } = await import('@nats-io/transport-node');
  const pinning = cpuPinning();
  const targets: Target[] = [];
  const checks: string[] = [];
  try {
    if (pinning) pinProcess(process.pid, pinning.loadCpus);
    for (const [index, { spec, generated }] of specs.entries()) {
      // Pushed as soon as each part runs, so that the finally block ends whatever was started.
      const target: Target = { nats: await startNatsServer(natsBinary, join(workDir, `nats-server-${index}.log`), pinning?.loadCpus) };
      targets.push(target);
      // The load generator's connection; no async stack trace per request (its CPU is the limit here).
      target.client = await connect({ servers: target.nats.url, name: `bench load ${index}`, noAsyncTraces: true });
      const client = target.client;
      const ready = async (httpPort: number, child: ChildProcess) => {
        // The generated service's /health answers 200 only once it is connected and subscribed.
        if (generated) await waitForHttp(`http://127.0.0.1:${httpPort}/health`, child);
        checks.push(`${spec.name}: ${await checkAnswer(client, child, generated)}`);
      };
      target.server = await startServer({ ...spec, env: { ...spec.env, NATS_URL: target.nats.url } }, pinning?.serverCpu, ready);
    }
    const running = targets as Required<Target>[];
    progress(`warming up the servers for ${load.warmupSeconds}s (${load.requestsInFlight} requests in flight each)`);
    await Promise.all(running.map((target) => loadRequests(target.client, load.warmupSeconds, load.requestsInFlight)));
    const segments = running.map(() => [] as Segment[]);
    const generator = { cpuS: 0, wallS: 0 };
    let natsCpuS = 0;
    for (let round = 1; round <= load.rounds; round++) {
      progress(`round ${round}/${load.rounds}: ${running.map((target) => target.server.spec.name).join(' + ')}, ${load.durationSeconds}s`);
      const natsBefore = natsCpu(running);
      const [cpuBefore, wallBefore] = [process.cpuUsage(), performance.now()];
      const results = await Promise.all(running.map((target) => loadSegment(target, load)));
      const cpu = process.cpuUsage(cpuBefore);
      generator.cpuS += (cpu.user + cpu.system) / 1e6;
      generator.wallS += (performance.now() - wallBefore) / 1000;
      natsCpuS += natsCpu(running) - natsBefore;
      results.forEach((segment, index) => segments[index]!.push(segment));
    }
    // Latencies are fractional here (autocannon's are whole milliseconds): round the medians over the rounds.
    const [generated, bare, quiet] = segments.map((list, index) => {
      const summary = summarizeSegments(running[index]!.server.spec.name, list);
      return { ...summary, latencyP50Ms: round(summary.latencyP50Ms, 2), latencyP99Ms: round(summary.latencyP99Ms, 2) };
    });
    return {
      setup: { generateMs: round(generateMs), installMs: round(installMs), buildMs: round(buildMs) },
      ...(pinning ? { pinning } : {}),
      load: { ...load, subject: SUBJECT, queue: QUEUE, request: REQUEST_BODY },
      checks,
      loadGenerator: { cpuS: round(generator.cpuS, 2), cpuShare: round(generator.cpuS / generator.wallS, 2) },
      natsServers: { count: running.length, cpuS: round(natsCpuS, 2), cpuShare: round(natsCpuS / generator.wallS, 2), ...(pinning ? { cpus: pinning.loadCpus } : {}) },
      generated: { ...generated!, logLines: countLines(logFile) },
      bare: bare!,
      ...(quiet ? { generatedQuiet: quiet } : {}),
      cpuEfficiencyRatio: round(generated!.reqPerCpuS / bare!.reqPerCpuS, 3),
      roundRatios: segments[0]!.map((segment, index) => round(reqPerCpu(segment) / reqPerCpu(segments[1]![index]!), 3)),
    };
  } finally {
    // Clients first, then the servers (which drain their subscriptions), then the nats-servers.
    for (const target of targets) await target.client?.close().catch(() => undefined);
    for (const target of targets) if (target.server) await stopProcess(target.server.child);
    for (const target of targets) await stopProcess(target.nats.child);
    if (pinning) pinProcess(process.pid, `0-${availableParallelism() - 1}`);
  }
}


/** The bench loads SUBJECT in QUEUE: make sure that is what the generated transport subscribes. */
function checkGeneratedSubject(file: string): void {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!text.includes(`'${SUBJECT}'`) || !text.includes(`QUEUE = '${QUEUE}'`)) {
    throw new Error(`${file} does not subscribe '${SUBJECT}' in queue group '${QUEUE}'; did the NATS naming change?`);
  }
}

/** A subscriber with the generated service's own client package, answering the same JSON: no validation, logging, middleware or health. */
function bareSubscriberSource(servicePackage: string): string {
  return `// Written by create-kit-service's bench: the baseline for the generated NATS transport.
import { createRequire } from 'node:module';

// The generated service's own client package (its node_modules, then the system's).
const require = createRequire(${JSON.stringify(servicePackage)});
const { connect } = require('@nats-io/transport-node');

const connection = await connect({ servers: process.env.NATS_URL, name: 'bare subscriber' });
connection.subscribe(${JSON.stringify(SUBJECT)}, {
  queue: ${JSON.stringify(QUEUE)},
  callback: (error, message) => {
    if (error) return;
    const request = JSON.parse(message.string());
    message.respond(JSON.stringify({ id: 'note-1', title: request.title, quantity: request.quantity }));
  },
});
await connection.flush();
`;
}

interface NatsServerProcess {
  child: ChildProcess;
  url: string;
}

/** Starts a nats-server on a free port of 127.0.0.1 (on `cpus`, if given) and waits until it takes connections. */
async function startNatsServer(binary: string, logFile: string, cpus?: string): Promise<NatsServerProcess> {
  const port = await freePort();
  const natsArgs = ['--addr', '127.0.0.1', '--port', String(port)];
  const [command, args] = cpus === undefined ? [binary, natsArgs] : ['taskset', ['--cpu-list', cpus, binary, ...natsArgs]];
  const fd = openSync(logFile, 'w');
  const child = startProcess(command, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const deadline = Date.now() + 10_000;
  while (!(await acceptsTcp(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stopProcess(child);
      throw new Error(`nats-server did not take connections on 127.0.0.1:${port} within 10 s:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    await sleep(50);
  }
  return { child, url: `nats://127.0.0.1:${port}` };
}

/**
 * Waits (bounded) for the server's first answer and checks it: the expected reply, byte for byte
 * (the load counts any other reply as an error). The generated transport must also send an
 * X-Request-Id header and no error headers, and answer an invalid request with its validation error.
 */
async function checkAnswer(client: NatsConnection, child: ChildProcess, generated: boolean): Promise<string> {
  const deadline = Date.now() + 20_000;
  let reply: Msg | undefined;
  let lastError = '';
  while (!reply) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before answering ${SUBJECT}`);
    if (Date.now() > deadline) throw new Error(`no answer on ${SUBJECT} within 20 s (last: ${lastError})`);
    try {
      reply = await client.request(SUBJECT, REQUEST_BODY, { timeout: 2_000 });
    } catch (error) {
      // No responders until the subscriber has subscribed.
      lastError = error instanceof Error ? error.message : String(error);
      await sleep(50);
    }
  }
  const body = reply.string();
  if (!isDeepStrictEqual(JSON.parse(body) as unknown, EXPECTED_RESPONSE) || !sameBytes(reply.data, EXPECTED_REPLY)) {
    throw new Error(`${SUBJECT} answered ${body}, expected ${JSON.stringify(EXPECTED_RESPONSE)}`);
  }
  if (!generated) return `${SUBJECT} answered ${body}`;
  const requestId = reply.headers?.get('X-Request-Id');
  if (!requestId) throw new Error(`${SUBJECT} answered without the X-Request-Id header the generated transport sends`);
  if (reply.headers?.get('Kit-Error-Code')) throw new Error(`${SUBJECT} answered with Kit-Error-Code ${reply.headers.get('Kit-Error-Code')}`);
  const invalid = await client.request(SUBJECT, INVALID_BODY, { timeout: 5_000 });
  const [code, kind] = [invalid.headers?.get('Kit-Error-Code'), invalid.headers?.get('Kit-Error-Kind')];
  if (code !== 'VALIDATION_FAILED' || kind !== 'invalid_argument') {
    throw new Error(`${SUBJECT} answered ${INVALID_BODY} with Kit-Error-Code ${code || '(none)'} and Kit-Error-Kind ${kind || '(none)'}, expected VALIDATION_FAILED / invalid_argument`);
  }
  return `${SUBJECT} answered ${body} with X-Request-Id ${requestId}, and an invalid request with Kit-Error-Code ${code}`;
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (actual[i] !== expected[i]) return false;
  return true;
}

interface Target {
  nats: NatsServerProcess;
  /** The load generator's connection to this server's nats-server. */
  client?: NatsConnection;
  /** Set once the server answered its check. */
  server?: RunningServer;
}

const natsCpu = (targets: Required<Target>[]) => targets.reduce((total, target) => total + cpuSeconds(target.nats.child.pid!), 0);

/** One measured load of one server, with the CPU time the server process used meanwhile. */
async function loadSegment(target: Required<Target>, load: NatsLoadOptions): Promise<Segment> {
  const pid = target.server.child.pid!;
  const before = cpuSeconds(pid);
  const result = await loadRequests(target.client, load.durationSeconds, load.requestsInFlight);
  return { result, cpuS: cpuSeconds(pid) - before };
}

/**
 * Keeps `inFlight` requests going for `seconds`, then lets the last ones finish. Counts every
 * completed request; a failed request or any reply but the expected bytes is an error. Latencies in milliseconds.
 */
function loadRequests(client: NatsConnection, seconds: number, inFlight: number): Promise<LoadCounts> {
  const options: RequestOptions = { timeout: 10_000 };
  return new Promise((resolve) => {
    const latencies: number[] = [];
    let errors = 0;
    let pending = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    const done = (sent: number, failed: boolean) => {
      pending--;
      const now = performance.now();
      latencies.push(now - sent);
      if (failed) errors++;
      if (now < end) issue();
      else if (pending === 0) resolve(counts(latencies, errors, (now - started) / 1000));
    };
    const issue = () => {
      pending++;
      const sent = performance.now();
      client.request(SUBJECT, PAYLOAD, options).then(
        (reply) => done(sent, !sameBytes(reply.data, EXPECTED_REPLY)),
        () => done(sent, true),
      );
    };
    for (let i = 0; i < inFlight; i++) issue();
  });
}
