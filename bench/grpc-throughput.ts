import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { round } from './measure.js';
import { cpuSeconds, freePort, stopProcess } from './processes.js';
import {
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

/** The HTTP row's spec with a gRPC transport too: same endpoint, request, response and middleware. */
export const GRPC_THROUGHPUT_SPEC = withTransports('http, grpc');
/** Where the generator writes the context's contract, and what it declares (see the generated transport/grpc.ts). */
const PROTO_FILE = 'bench_notes/notes/v1/notes.proto';
const SERVICE = 'bench_notes.notes.v1.NotesService';
const METHOD = 'CreateNote';
/** The loader options of the generated transport (grpc-codec.ts), used by the bare server and the client alike. */
const LOADER_OPTIONS = { keepCase: true, longs: Number, enums: String, defaults: true, arrays: true };
/** The HTTP row's body as the request message; its field names are already the proto's (lower_snake_case). */
const REQUEST: Readonly<Record<string, unknown>> = JSON.parse(REQUEST_BODY) as Record<string, unknown>;

export interface GrpcLoadOptions {
  /** Unary calls kept in flight per server, on one channel (one HTTP/2 connection) per server. */
  callsInFlight: number;
  /** All servers at once, before the measured rounds. */
  warmupSeconds: number;
  rounds: number;
  durationSeconds: number;
  /** Also load the generated service with LOG_LEVEL=warn, to show what call logging costs. */
  diagnose: boolean;
}

/** As the HTTP row's figures; here `requests` counts completed unary calls (errors included) and `non2xx` is always 0. */
export interface GrpcThroughputResult {
  setup: { generateMs: number; installMs: number; buildMs: number };
  pinning?: { serverCpu: number; loadCpus: string };
  load: GrpcLoadOptions & { method: string; proto: string; request: Readonly<Record<string, unknown>> };
  /** What was checked on each server before the load. */
  checks: string[];
  /** CPU the bench process (the gRPC client) used during the rounds; near 1 core (or the CPUs it is pinned to), it was the limit. */
  loadGenerator: { cpuS: number; cpuShare: number };
  generated: ServerLoad & { logLines: number };
  bare: ServerLoad;
  generatedQuiet?: ServerLoad;
  /** Generated calls per server CPU-second as a share of the bare grpc-js server's, over all rounds. */
  cpuEfficiencyRatio: number;
  roundRatios: number[];
}

/**
 * The gRPC row of the throughput benchmark: generates the one-endpoint system with
 * `transports: [http, grpc]` (with npm install), implements its method, and loads the generated
 * service's gRPC server (decode, field mapping, ajv validation, logging/metrics/ratelimit chain,
 * encode; info logging to a file) and a bare @grpc/grpc-js server that loads the same .proto with
 * the same options and answers the same method with the same object, and nothing else. Measured as
 * the HTTP row: all servers at the same time, pinned to one shared CPU, calls per server CPU-second.
 * The load generator is a grpc-js client in this process, taken from the generated system's
 * node_modules (the bench itself does not depend on gRPC).
 */
export async function runGrpcThroughput(workDir: string, load: GrpcLoadOptions, progress: (line: string) => void): Promise<GrpcThroughputResult> {
  const { system, service, generateMs, installMs, buildMs } = prepareSystem(workDir, GRPC_THROUGHPUT_SPEC, 'the one-endpoint system with transports [http, grpc]', progress, (generated) => {
    if (!existsSync(join(generated, 'proto', PROTO_FILE))) throw new Error(`the generator wrote no ${join('proto', PROTO_FILE)}; did the gRPC naming change?`);
  });
  const protoRoot = join(service, 'proto');

  // The packages the generated service runs on, as it resolves them.
  const fromService = createRequire(join(service, 'package.json'));
  const grpc = fromService('@grpc/grpc-js') as GrpcJs;
  const protoLoader = fromService('@grpc/proto-loader') as ProtoLoader;
  const definition = protoLoader.loadSync(PROTO_FILE, { includeDirs: [protoRoot], ...LOADER_OPTIONS });
  if (!definition[SERVICE]) throw new Error(`${PROTO_FILE} declares no ${SERVICE}`);
  const method = (definition[SERVICE] as Record<string, MethodDefinition | undefined>)[METHOD];
  if (!method) throw new Error(`${SERVICE} has no rpc ${METHOD}`);
  // Encoded once: the load generator's CPU is the limit on this machine, and every call sends the same bytes.
  const requestBytes = method.requestSerialize(REQUEST);
  const serialize = () => requestBytes;

  const bareScript = join(system, 'bare-grpc-server.mjs');
  writeFileSync(bareScript, bareServerSource(join(service, 'package.json'), protoRoot));

  const generatedEnv = { RATE_LIMIT_RPS: '1000000000', RATE_LIMIT_BURST: '1000000000' };
  const main = join(service, 'dist', 'src', 'main.js');
  const logFile = join(workDir, 'generated-service.log');
  const specs: { spec: ServerSpec; generated: boolean }[] = [
    { spec: { name: 'generated (gRPC)', cwd: service, args: [main], env: { ...generatedEnv, LOG_LEVEL: 'info' }, logFile }, generated: true },
    { spec: { name: 'bare grpc-js', cwd: system, args: [bareScript], env: {}, logFile: join(workDir, 'bare-grpc-server.log') }, generated: false },
  ];
  if (load.diagnose) {
    specs.push({
      spec: { name: 'generated (gRPC), LOG_LEVEL=warn', cwd: service, args: [main], env: { ...generatedEnv, LOG_LEVEL: 'warn' }, logFile: join(workDir, 'generated-quiet.log') },
      generated: true,
    });
  }

  const pinning = cpuPinning();
  const targets: Target[] = [];
  const checks: string[] = [];
  try {
    if (pinning) pinProcess(process.pid, pinning.loadCpus);
    for (const { spec, generated } of specs) {
      const grpcPort = await freePort();
      const client = new grpc.Client(`127.0.0.1:${grpcPort}`, grpc.credentials.createInsecure());
      const call: Call = (callback, metadata = new grpc.Metadata(), options = {}) =>
        client.makeUnaryRequest(method.path, serialize, method.responseDeserialize, REQUEST, metadata, options, callback);
      // Pushed before the start, so that the finally block closes its channel whatever happens.
      const target: Target = { client, call };
      targets.push(target);
      const ready = async (_httpPort: number, child: ChildProcess) => {
        checks.push(`${spec.name}: ${await checkAnswer(new grpc.Metadata({ waitForReady: true }), call, child, generated)}`);
      };
      target.server = await startServer({ ...spec, env: { ...spec.env, GRPC_PORT: String(grpcPort) } }, pinning?.serverCpu, ready);
    }
    const running = targets as Required<Target>[];
    progress(`warming up the servers for ${load.warmupSeconds}s (${load.callsInFlight} calls in flight each)`);
    await Promise.all(running.map((target) => loadCalls(target.call, load.warmupSeconds, load.callsInFlight)));
    const segments = running.map(() => [] as Segment[]);
    const generator = { cpuS: 0, wallS: 0 };
    for (let round = 1; round <= load.rounds; round++) {
      progress(`round ${round}/${load.rounds}: ${running.map((target) => target.server.spec.name).join(' + ')}, ${load.durationSeconds}s`);
      const [cpuBefore, wallBefore] = [process.cpuUsage(), performance.now()];
      const results = await Promise.all(running.map((target) => loadSegment(target, load)));
      const cpu = process.cpuUsage(cpuBefore);
      generator.cpuS += (cpu.user + cpu.system) / 1e6;
      generator.wallS += (performance.now() - wallBefore) / 1000;
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
      load: { ...load, method: `${SERVICE}/${METHOD}`, proto: join('proto', PROTO_FILE), request: REQUEST },
      checks,
      loadGenerator: { cpuS: round(generator.cpuS, 2), cpuShare: round(generator.cpuS / generator.wallS, 2) },
      generated: { ...generated!, logLines: countLines(logFile) },
      bare: bare!,
      ...(quiet ? { generatedQuiet: quiet } : {}),
      cpuEfficiencyRatio: round(generated!.reqPerCpuS / bare!.reqPerCpuS, 3),
      roundRatios: segments[0]!.map((segment, index) => round(reqPerCpu(segment) / reqPerCpu(segments[1]![index]!), 3)),
    };
  } finally {
    for (const target of targets) {
      target.client.close();
      if (target.server) await stopProcess(target.server.child);
    }
    if (pinning) pinProcess(process.pid, `0-${availableParallelism() - 1}`);
  }
}


/** A grpc-js server for the same .proto, loaded the same way, answering the same object: no validation, logging, health or reflection. */
function bareServerSource(servicePackage: string, protoRoot: string): string {
  return `// Written by create-kit-service's bench: the baseline for the generated gRPC transport.
import { createRequire } from 'node:module';

// The generated service's own packages (its node_modules, then the system's).
const require = createRequire(${JSON.stringify(servicePackage)});
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const definition = protoLoader.loadSync(${JSON.stringify(PROTO_FILE)}, { includeDirs: [${JSON.stringify(protoRoot)}], keepCase: true, longs: Number, enums: String, defaults: true, arrays: true });
const server = new grpc.Server();
server.addService(definition[${JSON.stringify(SERVICE)}], {
  ${METHOD}: (call, callback) => callback(null, { id: 'note-1', title: call.request.title, quantity: call.request.quantity }),
});
server.bindAsync(\`\${process.env.HOST}:\${process.env.GRPC_PORT}\`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
});
`;
}

/**
 * Waits for the server's first answer (the channel reconnects until it listens) and checks it is
 * the expected response; the generated transport must also send its x-request-id header. There is
 * no invalid request to check the generated validation with: every field of this message is a
 * scalar or a list, which the loader's `defaults: true` always fills with a valid value.
 */
function checkAnswer(waitForReady: object, call: Call, child: ChildProcess, generated: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`the server exited (${child.exitCode ?? child.signalCode}) before answering`));
    const onExit = (code: number | null, signal: string | null) => reject(new Error(`the server exited (${code ?? signal}) before answering ${METHOD}`));
    child.once('exit', onExit);
    let requestId: unknown;
    const unary = call((error, response) => {
      child.off('exit', onExit);
      if (error) return reject(new Error(`${METHOD} failed: ${error.message}`));
      if (!isDeepStrictEqual(response, EXPECTED_RESPONSE)) {
        return reject(new Error(`${METHOD} answered ${JSON.stringify(response)}, expected ${JSON.stringify(EXPECTED_RESPONSE)}`));
      }
      if (generated && (typeof requestId !== 'string' || requestId === '')) return reject(new Error(`${METHOD} answered without the x-request-id header the generated transport sends`));
      resolve(`${METHOD} answered ${JSON.stringify(response)}${generated ? ` with x-request-id ${String(requestId)}` : ''}`);
    }, waitForReady, { deadline: Date.now() + 20_000 });
    unary.on('metadata', (metadata) => {
      requestId = metadata.get('x-request-id')[0];
    });
  });
}

/** One unary call of the method with the request, on one server's channel. */
type Call = (callback: UnaryCallback, metadata?: object, options?: { deadline?: number }) => UnaryCall;

interface Target {
  client: GrpcClient;
  call: Call;
  /** Set once the server answered its check. */
  server?: RunningServer;
}

/** One measured load of one server, with the CPU time the server process used meanwhile. */
async function loadSegment(target: Required<Target>, load: GrpcLoadOptions): Promise<Segment> {
  const pid = target.server.child.pid!;
  const before = cpuSeconds(pid);
  const result = await loadCalls(target.call, load.durationSeconds, load.callsInFlight);
  return { result, cpuS: cpuSeconds(pid) - before };
}

/**
 * Keeps `inFlight` unary calls going for `seconds`, then lets the last ones finish. Counts every
 * completed call; a failed call or an unexpected answer is an error. Latencies in milliseconds.
 */
function loadCalls(call: Call, seconds: number, inFlight: number): Promise<LoadCounts> {
  return new Promise((resolve) => {
    const latencies: number[] = [];
    let errors = 0;
    let pending = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    const issue = () => {
      pending++;
      const sent = performance.now();
      call((error, response) => {
        pending--;
        const now = performance.now();
        latencies.push(now - sent);
        if (error || (response as { id?: unknown } | undefined)?.id !== EXPECTED_RESPONSE.id) errors++;
        if (now < end) issue();
        else if (pending === 0) resolve(counts(latencies, errors, (now - started) / 1000));
      });
    };
    for (let i = 0; i < inFlight; i++) issue();
  });
}

export function counts(latencies: number[], errors: number, durationS: number): LoadCounts {
  const sorted = Float64Array.from(latencies).sort();
  const at = (share: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0, 2);
  return { duration: durationS, requests: { total: latencies.length }, latency: { p50: at(0.5), p99: at(0.99) }, non2xx: 0, errors, timeouts: 0 };
}

// The part of @grpc/grpc-js and @grpc/proto-loader the bench uses; both are loaded at run time from the generated system.
type UnaryCallback = (error: (Error & { code?: number }) | null, response?: unknown) => void;
interface UnaryCall {
  on(event: 'metadata', listener: (metadata: { get(key: string): unknown[] }) => void): UnaryCall;
}
interface GrpcClient {
  makeUnaryRequest(
    path: string,
    serialize: (value: unknown) => Buffer,
    deserialize: (bytes: Buffer) => unknown,
    argument: unknown,
    metadata: object,
    options: object,
    callback: UnaryCallback,
  ): UnaryCall;
  close(): void;
}
interface GrpcJs {
  Client: new (address: string, credentials: unknown) => GrpcClient;
  credentials: { createInsecure(): unknown };
  /** `waitForReady`: a call waits for the channel to connect instead of failing while the server is starting. */
  Metadata: new (options?: { waitForReady?: boolean }) => object;
}
interface MethodDefinition {
  path: string;
  requestSerialize(value: unknown): Buffer;
  responseDeserialize(bytes: Buffer): unknown;
}
interface ProtoLoader {
  loadSync(file: string, options: object): Record<string, unknown>;
}
