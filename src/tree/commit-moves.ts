import { mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KitError } from '../errors.js';
import type { MovedFileSystem, PathMove } from './moved-file-system.js';

/** Moves done on disk, and how to take them back. */
export interface CommittedMoves {
  /** Each move as done: with git (history kept) or as a plain rename. */
  done: { move: PathMove; git: boolean }[];
  /** Moves everything back, newest first, and shows the view unsettled again. */
  undo(): Promise<void>;
}

/**
 * Does the moves a MovedFileSystem shows, on disk, before the tree over it is written: each with
 * `git mv` when the system is in a git work tree and the path is tracked (so git follows the file's
 * history, and what git ignores, such as dist/ or node_modules/, moves along with the folder),
 * otherwise as a rename. A target that exists is refused before anything moves. If a move fails,
 * the ones before it are undone.
 */
export async function commitMoves(root: string, fs: MovedFileSystem): Promise<CommittedMoves> {
  for (const move of fs.moves) {
    if (fs.inner.exists(join(root, move.to))) throw new KitError('COMMAND_FAILED', `${move.to} already exists`, { hint: 'move it out of the way (or remove it), then run the command again; nothing was written' });
  }
  const git = await gitIn(root);
  const done: CommittedMoves['done'] = [];
  const undo = async () => {
    for (const { move, git: withGit } of [...done].reverse()) await moveOne(root, { from: move.to, to: move.from }, withGit ? git : undefined);
    fs.unsettle();
  };
  try {
    for (const move of fs.moves) {
      const tracked = git !== undefined && (await git(['ls-files', '--error-unmatch', '--', move.from]).then(() => true, () => false));
      await moveOne(root, move, tracked ? git : undefined);
      done.push({ move, git: tracked });
    }
  } catch (error) {
    await undo().catch(() => undefined);
    throw new KitError('COMMAND_FAILED', `could not move ${fs.moves[done.length]?.from ?? 'a file'}: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'nothing else was changed; the moves before it were undone',
      cause: error,
    });
  }
  fs.settle();
  return { done, undo };
}

type Git = (args: string[]) => Promise<unknown>;

/** A git runner for the work tree the system is in, or undefined (no git, or not a repository). */
async function gitIn(root: string): Promise<Git | undefined> {
  const { execa } = await import('execa');
  const git: Git = (args) => execa('git', args, { cwd: root, stdin: 'ignore' });
  return git(['rev-parse', '--is-inside-work-tree']).then(
    () => git,
    () => undefined,
  );
}

async function moveOne(root: string, move: PathMove, git: Git | undefined): Promise<void> {
  mkdirSync(dirname(join(root, move.to)), { recursive: true });
  if (git) await git(['mv', '--', move.from, move.to]);
  else renameSync(join(root, move.from), join(root, move.to));
}
