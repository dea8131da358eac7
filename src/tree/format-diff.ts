import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import type { FileChange } from './virtual-tree.js';

/** Git's default, so `--dry-run` output reads like `git diff`. */
const CONTEXT_LINES = 3;

const paint = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const bold = paint(1);
const red = paint(31);
const green = paint(32);
const cyan = paint(36);
const dim = paint(2);

/**
 * Colours one file's patch as git does. Works per file so that the two header lines are known by
 * position: a removed line whose text starts with `--` must not be taken for a header.
 */
function colorPatch(patch: string): string {
  const lines = patch.split('\n');
  return lines
    .map((line, index) => {
      if (line === '') return line;
      if (index < 2) return bold(line);
      if (line.startsWith('@@')) return cyan(line);
      if (line.startsWith('+')) return green(line);
      if (line.startsWith('-')) return red(line);
      if (line.startsWith('\\')) return dim(line);
      return line;
    })
    .join('\n');
}

/**
 * A unified diff of the changes, git style (`--- a/path`, `+++ b/path`, `/dev/null` for a created or
 * deleted file), which `--dry-run` prints and `git apply` accepts. Colour is off unless asked for:
 * only the CLI knows whether it writes to a terminal. `sourcePath` names a file's old path when the
 * command moves it (the `a/` side). Empty for no changes.
 */
export function formatDiff(changes: readonly FileChange[], options: { color?: boolean; sourcePath?: (path: string) => string } = {}): string {
  return changes
    .map((change) => {
      const patch = createTwoFilesPatch(
        change.kind === 'create' ? '/dev/null' : `a/${options.sourcePath?.(change.path) ?? change.path}`,
        change.kind === 'delete' ? '/dev/null' : `b/${change.path}`,
        change.before ?? '',
        change.after ?? '',
        undefined,
        undefined,
        { context: CONTEXT_LINES, headerOptions: FILE_HEADERS_ONLY },
      );
      return options.color ? colorPatch(patch) : patch;
    })
    .join('');
}

/** One `create|update|delete path` line per change, for the report after a run and for `--check`. */
export function summarizeChanges(changes: readonly FileChange[]): string[] {
  return changes.map((change) => `${change.kind} ${change.path}`);
}
