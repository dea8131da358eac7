import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { KitError } from '../../errors.js';
import { stageSystem, type StagedFile } from '../../plan/stage-system.js';
import { loadSpec } from '../../spec/load-spec.js';
import { validateSpec } from '../../spec/validate-spec.js';
import { commitTree } from '../../tree/commit-tree.js';
import { formatDiff } from '../../tree/format-diff.js';
import { VirtualTree } from '../../tree/virtual-tree.js';
import { out, printProblems } from '../output.js';
import { crashHookFromEnvironment } from '../crash-hook.js';

export interface GenerateOptions {
  dryRun?: boolean;
  check?: boolean;
  prune?: boolean;
}

/**
 * `generate`: brings the system around ./kit.yaml (or the nearest one above) up to date with it.
 * The whole change is computed in memory first; `--dry-run` prints it, `--check` only says whether
 * there is one, and otherwise it is written in one step. Exit 1 when a merge left conflicts.
 */
export async function generateCommand(options: GenerateOptions): Promise<void> {
  const root = findSystemRoot(process.cwd());
  const source = await loadSpec(relative(process.cwd(), join(root, 'kit.yaml')) || 'kit.yaml');
  const { spec, problems } = validateSpec(source);
  printProblems(problems);
  if (!spec) throw new KitError('INVALID_SPEC', `${source.file} is invalid; nothing was written`, { hint: 'fix the problems above, then run generate again' });

  const started = performance.now();
  const tree = new VirtualTree(root);
  const staged = await stageSystem(tree, spec, { prune: options.prune });
  const changes = tree.changes();
  const codeChanges = changes.filter((change) => !change.path.startsWith('.kit/'));

  if (options.check) {
    if (changes.length === 0) {
      out.line(`${out.green('✓')} the system is up to date with kit.yaml`);
      return;
    }
    report(staged);
    throw new KitError('COMMAND_FAILED', `the system is out of date with kit.yaml: ${changes.length} file(s) would change`, {
      hint: 'run "create-kit-service generate" and commit the result',
    });
  }
  if (options.dryRun) {
    out.line(formatDiff(codeChanges, { color: process.stdout.isTTY && !process.env.NO_COLOR }));
    report(staged);
    out.err(`(dry run: nothing written${changes.length > codeChanges.length ? '; .kit/ would be updated too' : ''})`);
    return;
  }
  const { written, deleted, bytes } = commitTree(tree, { afterStep: crashHookFromEnvironment() });
  report(staged);
  const conflicts = staged.filter((file) => file.action === 'conflict');
  const summary = `${written} written, ${deleted} deleted, ${bytes} bytes, in ${Math.round(performance.now() - started)} ms`;
  if (conflicts.length > 0) {
    throw new KitError('COMMAND_FAILED', `${conflicts.length} file(s) have conflicts (${summary})`, {
      hint: 'resolve the <<<<<<< markers in the files listed above, then run generate again',
    });
  }
  out.err(changes.length === 0 ? `${out.green('✓')} already up to date; nothing written` : `${out.green('✓')} up to date: ${summary}`);
}

const SYMBOLS: Record<StagedFile['action'], string> = {
  create: '+',
  update: '~',
  merge: 'M',
  conflict: '!',
  keep: '=',
  delete: '-',
};

/** One line per file that changed or needs attention, grouped by what happened. */
function report(staged: StagedFile[]): void {
  for (const action of ['create', 'update', 'merge', 'delete', 'keep', 'conflict'] as const) {
    for (const file of staged.filter((entry) => entry.action === action)) {
      const line = `${SYMBOLS[action]} ${action.padEnd(8)} ${file.path}${file.detail ? `  (${file.detail})` : ''}`;
      out.err(action === 'conflict' ? out.red(line) : action === 'keep' ? out.yellow(line) : line);
    }
  }
}

/** The folder of the nearest kit.yaml, from `start` upwards. */
function findSystemRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'kit.yaml'))) return dir;
    if (dir === dirname(dir)) {
      throw new KitError('FILE_NOT_FOUND', 'no kit.yaml in this folder or any folder above it', {
        hint: 'run generate inside a system made by create-kit-service, or create one with "create-kit-service <dir> --spec kit.yaml"',
      });
    }
  }
}
