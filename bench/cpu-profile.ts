import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { round, timeProcess } from './measure.js';
import { ROOT } from './paths.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CostRow {
  name: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  command: string;
  totalMs: number;
  byModule: CostRow[];
  byFunction: CostRow[];
}

/**
 * Runs a node script under --cpu-prof and sums the self time of its samples by package (or project
 * file) and by function: where a command spends its time, without a profiler UI.
 */
export function profileCommand(args: readonly string[], cwd: string, top = 12): ProfileSummary {
  const dir = mkdtempSync(join(tmpdir(), 'ckit-prof-'));
  try {
    timeProcess(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '200', ...args], { cwd });
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('node --cpu-prof wrote no profile');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    return { command: `node ${args.map((arg) => relative(ROOT, arg) || arg).join(' ')}`, ...summarize(profile, top) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(profile: CpuProfile, top: number): Omit<ProfileSummary, 'command'> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  const byModule = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    const module = moduleOf(frame.url, frame.functionName);
    byModule.set(module, (byModule.get(module) ?? 0) + us);
    const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const name = `${frame.functionName || '(anonymous)'}${where}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  }
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: round(us / 1000), share: round(us / totalUs, 3) }));
  return { totalMs: round(totalUs / 1000), byModule: rows(byModule), byFunction: rows(byFunction) };
}

/** A package name, a project source file, "node core", or V8's own buckets ((garbage collector), (program)). */
function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName || '(native)';
  if (url.startsWith('node:')) return 'node core';
  const path = url.replace(/^file:\/\//, '');
  const inModules = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (inModules) return inModules[1]!;
  if (path.startsWith(ROOT)) return relative(ROOT, path);
  return path;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inModules = /.*\/node_modules\/(.*)$/.exec(path);
  if (inModules) return inModules[1]!;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}
