import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Helpers of end-to-end tests that start generated services as real processes: free ports, a
 * bounded wait for /health, a record of every process started (so that afterAll can kill exactly
 * those, by pid), and a reader of the Prometheus text format.
 */

/** A port nobody listens on right now: listen on port 0 of 127.0.0.1, note the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** The environment of a child process: this one's, without what would change how node or npm behave. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    // Left by `npm test` / `npx` around vitest; they describe this project, not the child's.
    if (/^npm_(package|lifecycle)_/.test(name) || ['npm_config_local_prefix', 'npm_command', 'INIT_CWD'].includes(name)) delete env[name];
  }
  for (const name of ['DEBUG', 'FORCE_COLOR', 'NO_COLOR', 'NODE_OPTIONS', 'NODE_ENV']) delete env[name];
  return Object.assign(env, { NO_COLOR: '1' }, extra);
}

/** A service started with `node dist/src/main.js`, and what it printed so far. */
export interface RunningService {
  child: ChildProcess;
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  base: string;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it has exited already. */
  hasExited(): boolean;
}

/** Every process these helpers started, by pid, until it exits. */
const started = new Map<number, ChildProcess>();

/**
 * Starts `node dist/src/main.js` in a service folder on a free port of 127.0.0.1, with JSON logs at
 * info level, and waits (bounded) until GET /health answers 200.
 */
export async function startService(folder: string, options: { env?: Record<string, string>; readyTimeoutMs?: number } = {}): Promise<RunningService> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: folder,
    env: childEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start node in ${folder}`);
  const pid = child.pid;
  started.set(pid, child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      started.delete(pid);
      resolve({ code, signal });
    });
  });
  const service: RunningService = {
    child,
    pid,
    port,
    base: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    exited,
    hasExited: () => done,
  };
  await waitForHealth(service, options.readyTimeoutMs ?? 20_000);
  return service;
}

/** Polls GET /health until it answers 200; fails early when the process exits, and after the timeout. */
async function waitForHealth(service: RunningService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (service.hasExited()) {
      throw new Error(`the service exited before it was ready\nstdout:\n${service.stdout()}\nstderr:\n${service.stderr()}`);
    }
    try {
      const response = await fetch(`${service.base}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String((error as Error).cause ?? error);
    }
    await sleep(100);
  }
  stop(service.pid);
  throw new Error(`GET /health did not answer 200 within ${timeoutMs} ms (${last})\nstdout:\n${service.stdout()}\nstderr:\n${service.stderr()}`);
}

/** Kills one process these helpers started, by its pid; does nothing once it has exited. */
export function stop(pid: number): void {
  const child = started.get(pid);
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Kills every process these helpers started that still runs (for afterAll). */
export function stopAll(): void {
  for (const pid of [...started.keys()]) stop(pid);
}

/** Waits for a promise at most `ms`, then fails with `what`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One GET on a connection of its own (no keep-alive pool, `Connection: close`), so that it really
 * opens a new connection. Resolves with the status, or with the connection error's code.
 */
export function freshGet(url: string, timeoutMs = 3_000): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { agent: false, headers: { connection: 'close' }, timeout: timeoutMs }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
      response.on('error', () => resolve({ status: response.statusCode ?? 0 }));
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    request.end();
  });
}

/** One sample of the Prometheus text format: `name{label="value",...} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Reads the samples of a Prometheus text exposition (comments skipped). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}
