import { diffModels } from '../diff/diff-models.js';
import { summarizeBreakingChanges } from '../diff/summarize-breaking-changes.js';
import { KitError } from '../errors.js';
import { buildModel } from '../model/build-model.js';
import type { ProtoNumbers } from '../model/number-proto-fields.js';
import type { SystemModel } from '../model/system-model.js';
import { BASE_DIR } from '../plan/manifest.js';
import { PROTO_NUMBERS_PATH, readSpecRecord, SPEC_RECORD_PATH, specRecord, stageSystem, type StagedFile } from '../plan/stage-system.js';
import type { SpecSource } from '../spec/load-spec.js';
import type { RawSpec } from '../spec/spec-schema.js';
import { validateSpec } from '../spec/validate-spec.js';
import { commitMoves } from '../tree/commit-moves.js';
import { commitTree } from '../tree/commit-tree.js';
import { formatDiff } from '../tree/format-diff.js';
import { originalPath, type MovedFileSystem } from '../tree/moved-file-system.js';
import { VirtualTree, type FileChange } from '../tree/virtual-tree.js';
import { findCodeThatNoLongerFits } from '../verify/find-code-that-no-longer-fits.js';
import { crashHookFromEnvironment } from './crash-hook.js';
import { out, printProblems } from './output.js';

export interface ApplyOptions {
  /** The spec text to write to kit.yaml first (add endpoint, add context); by default it stays. */
  specText?: string;
  dryRun?: boolean;
  check?: boolean;
  /** The tree to stage into, holding the command's own changes already (rename); by default a fresh one over the root. */
  tree?: VirtualTree;
  /** The view the tree reads through when the command moves files (rename context): the moves are made just before the tree is written. */
  moves?: MovedFileSystem;
  /** What the command did before this step (moved files, renamed code), reported with the rest. */
  staged?: StagedFile[];
}

/**
 * The shared end of generate and add: validate the spec, stage the whole system in memory, then
 * print it (--dry-run), judge it (--check) or write it in one step, and report every file touched.
 * Exit 1 (a KitError) on an invalid spec, on conflicts, and with --check when anything would change.
 */
export async function applySpec(root: string, source: SpecSource, options: ApplyOptions = {}): Promise<StagedFile[]> {
  const { spec, problems } = validateSpec(source);
  printProblems(problems);
  if (!spec) throw new KitError('INVALID_SPEC', `${source.file} is invalid; nothing was written`, { hint: 'fix the problems above, then run the command again' });

  const started = performance.now();
  const tree = options.tree ?? new VirtualTree(root);
  if (options.specText !== undefined) tree.write('kit.yaml', options.specText);
  // What the system was generated from until now, read before staging replaces the record.
  const previousSpec = tree.read(SPEC_RECORD_PATH);
  const numbers = JSON.parse(tree.read(PROTO_NUMBERS_PATH) ?? '{}') as ProtoNumbers;
  const model = buildModel(spec, numbers);
  const staged = [...(options.staged ?? []), ...(await stageSystem(tree, spec, model))];
  const changes = tree.changes();
  const moves = options.moves?.moves ?? [];

  if (options.check) {
    if (changes.length === 0 && !staged.some((file) => file.action === 'conflict')) {
      out.line(`${out.green('✓')} the system is up to date with kit.yaml`);
      return staged;
    }
    report(staged);
    throw new KitError('COMMAND_FAILED', changes.length > 0 ? `the system is out of date with kit.yaml: ${changes.length} file(s) would change` : 'conflict markers are still unresolved', {
      hint: changes.length > 0 ? 'run "create-kit-service generate" and commit the result' : 'resolve the <<<<<<< markers in the files listed above',
    });
  }
  if (options.dryRun) {
    const codeChanges = changes.filter((change) => !change.path.startsWith('.kit/'));
    for (const move of moves) out.line(`rename ${move.from} -> ${move.to}`);
    // A moved file's old text is at its old path: the diff says so, as git's does.
    out.line(formatDiff(codeChanges, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, sourcePath: (path) => originalPath(moves, path) ?? path }));
    report(staged);
    out.err(`(dry run: nothing written${changes.length > codeChanges.length ? '; the .kit/ record would be updated too' : ''})`);
    return staged;
  }
  const moved = options.moves ? await commitMoves(root, options.moves) : undefined;
  let committed: ReturnType<typeof commitTree>;
  try {
    committed = commitTree(tree, { afterStep: crashHookFromEnvironment() });
  } catch (error) {
    // The tree's writes were rolled back: so are the moves, and nothing changed.
    await moved?.undo();
    throw error;
  }
  const { written, deleted, bytes } = committed;
  for (const { move, git } of moved?.done ?? []) out.err(`${SYMBOLS.move} ${'move'.padEnd(8)} ${move.from} -> ${move.to}${git ? '  (git mv)' : ''}`);
  report(staged);
  const conflicts = staged.filter((file) => file.action === 'conflict');
  const summary = `${written} written, ${deleted} deleted, ${bytes} bytes, in ${Math.round(performance.now() - started)} ms`;
  // Files in conflict are read as the generator now writes them (their new base): the user's code
  // is checked against the spec, not against the markers, which the next run would not check again.
  const generatedNow = new Map(conflicts.map((file) => [file.path, tree.read(`${BASE_DIR}/${file.path}`) ?? '']));
  if (conflicts.length > 0) {
    reportCodeThatNoLongerFits(root, changes, generatedNow);
    throw new KitError('COMMAND_FAILED', `${conflicts.length} file(s) have conflicts (${summary})`, {
      hint: 'resolve the <<<<<<< markers in the files listed above, then run generate again',
    });
  }
  out.err(changes.length === 0 ? `${out.green('✓')} already up to date; nothing written` : `${out.green('✓')} up to date: ${summary}`);
  reportBreakingChanges(previousSpec, spec, model, numbers);
  reportCodeThatNoLongerFits(root, changes, generatedNow);
  // The dependencies are the user's to install (it needs the network, and takes longer than all of
  // the above): say so whenever what is installed may no longer match.
  const manifests = changes.filter((change) => change.path === 'package.json' || /^services\/[^/]+\/package\.json$/.test(change.path));
  if (manifests.length > 0) {
    out.err(`${out.yellow('next:')} run "npm install": ${manifests.map((change) => change.path).join(', ')} changed`);
  }
  return staged;
}

/**
 * One line when the spec just applied breaks callers of the one the system was generated from
 * before (`.kit/spec.json`), compared model to model (the new one is the one just rendered; both
 * numbered from the same record). Skipped without that record (a system made by an older version),
 * when the spec did not change (no model is built then), and when the record no longer validates:
 * the line is advice, and must never fail a generate that succeeded.
 */
function reportBreakingChanges(previousSpec: string | undefined, spec: RawSpec, model: SystemModel, numbers: ProtoNumbers): void {
  if (previousSpec === undefined || previousSpec === specRecord(spec)) return;
  const older = readSpecRecord(previousSpec);
  if (!older) return;
  const line = summarizeBreakingChanges(diffModels(buildModel(older, numbers), model));
  if (line) out.err(`${out.yellow('!')} ${line}; "create-kit-service diff" lists them`);
}

/** How many places of code that no longer fits are listed; the build shows the rest. */
const MISFITS_SHOWN = 20;

/**
 * When the change took something away from the generated code that the user's code reads, names
 * every place in the affected services that no longer compiles. The command still succeeds: the
 * generated code is right, and what to change in the user's code is the user's decision.
 */
function reportCodeThatNoLongerFits(root: string, changes: readonly FileChange[], overlay: ReadonlyMap<string, string>): void {
  const started = performance.now();
  const check = findCodeThatNoLongerFits(root, changes, overlay);
  if (check.services.length === 0) return;
  if (check.skipped) {
    out.err(out.dim(`(your code was not checked against the changed types: ${check.skipped})`));
    return;
  }
  const took = `${Math.round(performance.now() - started)} ms`;
  if (check.misfits.length === 0) {
    out.err(out.dim(`(checked ${check.services.join(', ')} against the changed types: everything compiles, ${took})`));
    return;
  }
  out.err(out.yellow(`! ${check.misfits.length} place(s) in ${check.services.join(', ')} no longer compile against kit.yaml (checked in ${took}):`));
  for (const misfit of check.misfits.slice(0, MISFITS_SHOWN)) {
    out.err(`  ${misfit.file}:${misfit.line}:${misfit.column}${misfit.symbol ? ` ${misfit.symbol}` : ''}: ${misfit.message}`);
  }
  if (check.misfits.length > MISFITS_SHOWN) out.err(`  ... and ${check.misfits.length - MISFITS_SHOWN} more ("npm run build" shows them all)`);
  out.err(out.dim('  hint: your code names something kit.yaml no longer has, or has changed: change the code, or the spec back'));
}

const SYMBOLS: Record<StagedFile['action'], string> = { move: '>', rename: 'R', create: '+', update: '~', merge: 'M', conflict: '!', keep: '=', delete: '-' };

/** One line per file that changed or needs attention, grouped by what happened. */
function report(staged: StagedFile[]): void {
  for (const action of ['move', 'rename', 'create', 'update', 'merge', 'delete', 'keep', 'conflict'] as const) {
    for (const file of staged.filter((entry) => entry.action === action)) {
      const line = `${SYMBOLS[action]} ${action.padEnd(8)} ${file.path}${file.detail ? `  (${file.detail})` : ''}`;
      out.err(action === 'conflict' ? out.red(line) : action === 'keep' ? out.yellow(line) : line);
    }
  }
}
