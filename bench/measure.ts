import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface ProcessRun {
  ms: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion and returns its wall time (spawn to exit, as a user feels it).
 * A non-zero exit is a broken benchmark, not a slow one: it throws with the command's output.
 */
export function timeProcess(command: string, args: readonly string[], options: SpawnSyncOptions = {}): ProcessRun {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const stdout = String(result.stdout ?? '');
  const stderr = String(result.stderr ?? '');
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${[command, ...args].join(' ')} exited with ${result.status ?? result.signal}\n${stdout}\n${stderr}`.trimEnd());
  }
  return { ms, stdout, stderr };
}

export interface Sampled {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
  samplesMs: number[];
}

/** Runs `once` warmups + runs times (setup and cleanup outside the timed part) and summarizes. */
export function sample(runs: number, warmups: number, once: () => number): Sampled {
  for (let i = 0; i < warmups; i++) once();
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) samplesMs.push(once());
  return summarize(samplesMs);
}

/** Median, min and max of measured times. */
export function summarize(samplesMs: readonly number[]): Sampled {
  return {
    medianMs: round(median(samplesMs)),
    minMs: round(Math.min(...samplesMs)),
    maxMs: round(Math.max(...samplesMs)),
    runs: samplesMs.length,
    samplesMs: samplesMs.map((ms) => round(ms)),
  };
}
