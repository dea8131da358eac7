import type { SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemCompiler, type CompileError } from '../helpers/compile-system.js';
import { output, run } from '../helpers/run-command.js';
import { applySpecEdit, initialSpec, specEdit, specText, type Spec } from '../helpers/spec-evolution.js';
import { diffSnapshots, snapshotTree } from '../helpers/system-tree.js';
import { applyUserEdit, lostLines, READS_FIELD, userEdit, type Ledger } from '../helpers/user-edits.js';

/**
 * Issue "Every spec change leaves a system that builds", as a property: random sequences of spec
 * edits (endpoints, fields, types, errors, contexts and uses added, removed, renamed, retyped), each
 * followed by random user edits (method bodies, helpers, imports, comments, tests, translators, a
 * line appended to a generated file) and `generate` through the real binary. After every step:
 * - generate exits 0, or 1 with conflict markers, which the test resolves as a user would (the
 *   generator's side, plus the user's lines) before generating again;
 * - no line the user wrote is lost;
 * - every service compiles (one in-memory TypeScript program for the whole system); where the
 *   user's code no longer fits the spec (a line that reads a request field that left), generate named
 *   that file and line, and the user then removes the line;
 * - a second generate writes nothing, and generate --check exits 0.
 * At the end of each sequence the services are compiled to JavaScript and their generated and user
 * tests run.
 *
 * CI runs EVOLUTION_RUNS sequences (25) of EVOLUTION_STEPS steps (8) from EVOLUTION_SEED. A failure
 * prints `EVOLUTION_REPLAY=<seed>:<path>`, which replays it; `EVOLUTION_RUNS=200 npx vitest run
 * test/e2e/evolution.test.ts` runs longer (README, Developing).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const RUNS = Number(process.env.EVOLUTION_RUNS ?? 25);
const STEPS = Number(process.env.EVOLUTION_STEPS ?? 8);
/** `<seed>:<path>`, as a failure prints it: runs that one sequence again. */
const [REPLAY_SEED, REPLAY_PATH] = (process.env.EVOLUTION_REPLAY ?? '').split(':');
const SEED = Number(REPLAY_SEED || (process.env.EVOLUTION_SEED ?? 20261130));
const PATH = REPLAY_PATH || undefined;

const work = mkdtempSync(join(tmpdir(), 'cks-evolution-'));
/** An installed system whose node_modules every sequence links to (the initial spec needs every dependency a service can have: an upstream client, gRPC, NATS). */
const installed = join(work, 'installed');
/** The system of the initial spec, not installed: each sequence starts from a copy. */
const start = join(work, 'start');
const compiler = new SystemCompiler();
let sequence = 0;
/** What the sequences did, printed at the end: evidence that they reach the cases they are for. */
const tally = { specChanges: 0, specEditsRefused: 0, userEdits: 0, conflictsResolved: 0, misfitsNamed: 0, keptReported: 0, untouchedRemoved: 0 };

beforeAll(() => {
  if (!existsSync(join(root, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does it as pretest)');
  writeFileSync(join(work, 'kit.yaml'), specText(initialSpec()));
  const created = run(process.execPath, [bin, 'installed', '--spec', 'kit.yaml', '--yes', '--no-git'], work, 300_000);
  if (created.status !== 0) throw new Error(`create failed\n${output(created)}`);
  const first = run(process.execPath, [bin, 'start', '--spec', 'kit.yaml', '--yes', '--no-install', '--no-git'], work, 60_000);
  if (first.status !== 0) throw new Error(`create of the initial spec failed\n${output(first)}`);
}, 360_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the evolution of a system', () => {
  it(`after every spec change and user edit, generate leaves a system that compiles, keeps every user line, and is settled (${RUNS} sequences of ${STEPS} steps, seed ${SEED})`, () => {
    const step = fc.record({ spec: specEdit, user: fc.array(userEdit, { minLength: 1, maxLength: 3 }) });
    const started = performance.now();
    const details = fc.check(
      fc.property(fc.array(step, { minLength: STEPS, maxLength: STEPS }), (steps) => {
        evolve(steps);
      }),
      // Each sequence takes seconds: no shrinking (the seed and path replay the failure as it was).
      { numRuns: PATH ? 1 : RUNS, seed: SEED, path: PATH, endOnFailure: true },
    );
    if (details.failed) {
      throw new Error(`replay: EVOLUTION_REPLAY=${details.seed}:${details.counterexamplePath} npx vitest run test/e2e/evolution.test.ts\n${String(details.errorInstance)}`);
    }
    console.log(`evolution: ${PATH ? 1 : RUNS} sequence(s) of ${STEPS} steps in ${((performance.now() - started) / 1000).toFixed(1)} s; ${JSON.stringify(tally)}`);
  }, 3_600_000);
});

/** One sequence, in a fresh copy of the initial system; throws (with the story so far) on the first broken promise. */
function evolve(steps: { spec: { kind: number; picks: number[] }; user: { kind: number; picks: number[] }[] }[]): void {
  const dir = join(work, `sequence-${++sequence}`);
  cpSync(start, dir, { recursive: true });
  symlinkSync(join(installed, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const story: string[] = [];
  const ledger: Ledger = new Map();
  let spec: Spec = initialSpec();
  const fail = (message: string): never => {
    throw new Error(`${message}\n\nsteps so far:\n${story.join('\n')}\n\nsystem left in ${dir}`);
  };
  try {
    for (const [index, { spec: edit, user }] of steps.entries()) {
      const changed = applySpecEdit(spec, edit);
      tally[changed ? 'specChanges' : 'specEditsRefused']++;
      if (changed) {
        spec = changed.spec;
        writeFileSync(join(dir, 'kit.yaml'), specText(spec));
      }
      story.push(`${index + 1}. spec: ${changed?.did ?? '(no change)'}`);
      for (const one of user) {
        const did = applyUserEdit(dir, one, ledger);
        if (did) tally.userEdits++;
        story.push(`   user: ${did ?? '(nothing to edit)'}`);
      }

      let result = generate(dir);
      if (result.status === 1 && /have conflicts/.test(result.stderr)) {
        story.push(`   conflicts resolved: ${resolveConflicts(dir).join(', ')}`);
        tally.conflictsResolved++;
        // What the run with conflicts said counts as said (it names the code that no longer fits).
        const said = result.stderr;
        result = generate(dir);
        result.stderr = `${said}${result.stderr}`;
      }
      if (result.status !== 0) fail(`step ${index + 1}: generate failed\n${output(result)}`);
      tally.keptReported += (result.stderr.match(/^= keep/gm) ?? []).length;
      tally.untouchedRemoved += (result.stderr.match(/removed the untouched/g) ?? []).length;
      if (process.env.EVOLUTION_VERBOSE) story.push(result.stderr.replace(/^/gm, '      '));
      const lost = lostLines(dir, ledger);
      if (lost.length > 0) fail(`step ${index + 1}: user lines lost:\n${lost.join('\n')}\n${output(result)}`);
      expectCompilesOrNamed(dir, result, ledger, (message) => fail(`step ${index + 1}: ${message}`));
      expectSettled(dir, (message) => fail(`step ${index + 1}: ${message}`));
    }
    const errors = compiler.emitBeside(dir);
    if (errors.length > 0) fail(`the final system does not compile:\n${show(errors)}`);
    const tests = readdirSync(join(dir, 'services')).flatMap((service) =>
      existsSync(join(dir, 'services', service, 'tsconfig.json'))
        ? ['contract', 'grpc', 'nats', 'service'].map((name) => join('services', service, 'test', `${name}.test.js`)).filter((file) => existsSync(join(dir, file)))
        : [],
    );
    const ran = run(process.execPath, ['--test', ...tests], dir, 120_000);
    if (ran.status !== 0) fail(`the services' tests fail at the end of the sequence\n${output(ran, 20_000)}`);
    if (process.env.EVOLUTION_VERBOSE) console.log(story.join('\n'));
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    if (error instanceof Error && !error.message.includes('steps so far:')) fail(`${error.stack}`);
    throw error;
  }
}

/**
 * Every service compiles; or the only errors are in the user's files, and generate named each of
 * them (file and line) in its report. The user then fixes them: drops a line of theirs that reads a
 * field that left, or deletes a translator function they had touched (so it no longer follows the
 * spec) for generate to write it anew.
 */
function expectCompilesOrNamed(dir: string, result: SpawnSyncReturns<string>, ledger: Ledger, fail: (message: string) => never): void {
  const errors = compiler.check(dir);
  if (errors.length === 0) return;
  const unnamed = errors.filter((error) => !error.file || !result.stderr.includes(`  ${error.file}:${error.line}:`));
  if (unnamed.length > 0) fail(`the system does not compile, and generate did not name these places:\n${show(unnamed)}\n${output(result)}`);
  tally.misfitsNamed += errors.length;
  for (const file of new Set(errors.map((error) => error.file))) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    const drop = new Set<number>();
    for (const error of errors.filter((candidate) => candidate.file === file)) {
      const at = error.line - 1;
      if (lines[at]!.includes(READS_FIELD)) {
        drop.add(at);
      } else if (file.includes('/src/translators/')) {
        let from = at;
        while (from > 0 && !lines[from]!.startsWith('export function ')) from--;
        if (lines[from - 1]?.startsWith('/**')) from--;
        let to = at;
        while (to < lines.length && lines[to] !== '}') to++;
        for (let index = from; index <= to; index++) drop.add(index);
      } else {
        fail(`a compile error that is not the user's own code:\n${show([error])}\n${output(result)}`);
      }
    }
    const removed = lines.filter((_, index) => drop.has(index)).map((line) => line.trim());
    writeFileSync(join(dir, file), lines.filter((_, index) => !drop.has(index)).join('\n'));
    ledger.set(file, (ledger.get(file) ?? []).filter((line) => !removed.includes(line)));
  }
  const again = generate(dir);
  if (again.status !== 0) fail(`generate after the user's fix failed\n${output(again)}`);
  const after = compiler.check(dir);
  if (after.length > 0) fail(`still does not compile after the user fixed what generate named:\n${show(after)}\n${output(again)}`);
}

/** A second generate writes nothing, and --check exits 0 and writes nothing. */
function expectSettled(dir: string, fail: (message: string) => never): void {
  const before = snapshotTree(dir);
  const again = generate(dir);
  const changed = diffSnapshots(before, snapshotTree(dir));
  if (again.status !== 0 || changed.length > 0 || !/already up to date/.test(again.stderr)) fail(`the second generate was not a no-op:\n${changed.join('\n')}\n${output(again)}`);
  const check = generate(dir, ['--check']);
  if (check.status !== 0 || diffSnapshots(before, snapshotTree(dir)).length > 0) fail(`generate --check after generate:\n${output(check)}`);
}

/**
 * What a user does with conflict markers here: takes the generator's side and keeps their own
 * lines from theirs. Returns the files resolved.
 */
function resolveConflicts(dir: string): string[] {
  const resolved: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.name === 'node_modules' || entry.name === '.kit' || !(entry.isDirectory() || entry.isFile())) continue;
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const text = readFileSync(path, 'utf8');
      if (!text.includes('<<<<<<< yours: ')) continue;
      const merged = text.replace(/^<<<<<<< yours: .*\n([\s\S]*?)^\|\|\|\|\|\|\| generated before\n[\s\S]*?^=======\n([\s\S]*?)^>>>>>>> generated now(\n|$)/gm, (_, yours: string, generated: string, end: string) => {
        const own = yours.split('\n').filter((line) => line.includes('USER'));
        return `${generated}${own.map((line) => `${line}\n`).join('')}`.replace(/\n$/, end === '' ? '' : '\n');
      });
      writeFileSync(path, merged);
      resolved.push(path.slice(dir.length + 1));
    }
  };
  walk(dir);
  return resolved;
}

function generate(cwd: string, flags: string[] = []): SpawnSyncReturns<string> {
  return run(process.execPath, [bin, 'generate', ...flags], cwd, 120_000);
}

function show(errors: CompileError[]): string {
  return errors.slice(0, 30).map((error) => `  ${error.file}:${error.line}: ${error.message}`).join('\n');
}
