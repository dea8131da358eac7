import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { acceptsTcp, natsServerBinary } from '../../bench/processes.js';
import { freePort } from './service-process.js';

/**
 * A real nats-server (Debian's package, installed by .ci/run) for end-to-end tests: started on a
 * free port of 127.0.0.1, stopped and started again on the same port (to test reconnects), and
 * killed by its pid at the end.
 */
export interface NatsServer {
  port: number;
  /** nats://127.0.0.1:<port> */
  url: string;
  /** Stops the server (SIGTERM) and waits until it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it takes connections. */
  start(): Promise<void>;
  /** Kills it if it still runs (for afterAll). */
  kill(): void;
}

/** Starts a nats-server on a free port of 127.0.0.1 and waits (bounded) until it takes connections. */
export async function startNatsServer(): Promise<NatsServer> {
  const binary = natsServerBinary();
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    log = '';
    const process = spawn(binary, ['--addr', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    child = process;
    const deadline = Date.now() + 10_000;
    while (!(await acceptsTcp(port))) {
      if (process.exitCode !== null || process.signalCode !== null) throw new Error(`nats-server exited (${process.exitCode ?? process.signalCode}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not take connections on port ${port} within 10 s:\n${log}`);
      await sleep(50);
    }
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000).then(() => running.kill('SIGKILL'))]);
  };
  await start();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    stop,
    start,
    kill: () => {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
