import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { childEnv } from './service-process.js';

/** Runs a command to its end with no input, bounded in time; the result says how it ended. */
export function run(command: string, args: string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: timeoutMs, input: '', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} ${args.join(' ')} in ${cwd} failed: ${result.error.message}`);
  return result;
}

/** How a command ended and what it printed (the last `max` characters of each stream), for a failure message. */
export function output(result: SpawnSyncReturns<string>, max = 6_000): string {
  const cut = (text: string) => (text.length > max ? `...${text.slice(-max)}` : text);
  return `exit ${result.status} ${result.signal ?? ''}\nstdout:\n${cut(result.stdout)}\nstderr:\n${cut(result.stderr)}`;
}
