import { basename, dirname, join, posix } from 'node:path';
import { KitError } from '../errors.js';
import type { TreeFileSystem } from './tree-file-system.js';
import type { FileChange, VirtualTree } from './virtual-tree.js';

/** How the CLI follows a commit; failures are injected through the tree's file system instead. */
export interface CommitOptions {
  /**
   * Called once per change when it is on disk, for progress output: for every created or updated file
   * once all of them are in place (never for a write that is then rolled back), then for each deletion.
   */
  onWrite?(change: FileChange): void;
  /**
   * Called after each rename or deletion with how many were done. Tests pass one that kills the
   * process, to show that a run interrupted half-way is finished by running it again.
   */
  afterStep?(done: number): void;
}

/**
 * The generator's record (.kit/: manifest and merge bases) is written after everything else, so an
 * interrupted run leaves the old record, and the next run sees what is still to do.
 */
const RECORD_PREFIX = '.kit/';
const isRecord = (change: FileChange) => change.path.startsWith(RECORD_PREFIX);

/** What a commit did, for the report after a run. */
export interface CommitResult {
  /** Files created or updated. */
  written: number;
  /** UTF-8 bytes of the files written; 0 when the tree had nothing to change. */
  bytes: number;
  /** Files deleted. */
  deleted: number;
}

interface PendingWrite {
  change: FileChange;
  content: string;
  target: string;
  temp: string;
}

/**
 * Hidden, next to its target: the rename stays on one file system and so is atomic. The name is
 * the same in every run, so a run that follows an interrupted one overwrites the temp files it
 * left and renames them into place, instead of leaving them behind for good.
 */
function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.kit-tmp`);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Folders above a tree path that do not exist yet, deepest first: the order to remove them in. */
function missingFolders(tree: VirtualTree, path: string): string[] {
  const missing: string[] = [];
  for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) {
    if (tree.fs.exists(tree.resolve(dir))) break;
    missing.push(dir);
  }
  return missing;
}

/** Best effort: a failure while cleaning up must not hide the failure that made us clean up. */
function removeQuietly(fs: TreeFileSystem, path: string): boolean {
  try {
    fs.remove(path);
    return true;
  } catch {
    return false;
  }
}

/** Removes folders the commit created (deepest first), as long as nothing else was put in them. */
function removeCreatedFolders(tree: VirtualTree, folders: readonly string[]): void {
  const deepestFirst = [...folders].sort((a, b) => b.split('/').length - a.split('/').length);
  for (const folder of deepestFirst) {
    const full = tree.resolve(folder);
    if (tree.fs.readDir(full).length === 0) removeQuietly(tree.fs, full);
  }
}

/** After a deletion, removes the folders it left empty, up to but never including the root. */
function removeEmptiedFolders(tree: VirtualTree, path: string): void {
  for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) {
    const full = tree.resolve(dir);
    if (tree.fs.readDir(full).length > 0 || !removeQuietly(tree.fs, full)) return;
  }
}

/**
 * Puts a tree's changes on disk in one step, the only place that writes to a target. It first checks
 * that disk still holds what the tree read (an editor may have saved a file meanwhile), then writes
 * every new content to a temp file next to its target, then renames each into place, then deletes.
 * A failure before the renames leaves the targets untouched; a failed rename rolls back the renames
 * before it (best effort) and reports any file it could not restore. Deletions come last, so a
 * failed write never leaves a half-removed service. Throws KitError COMMAND_FAILED.
 */
export function commitTree(tree: VirtualTree, options: CommitOptions = {}): CommitResult {
  const { fs } = tree;
  const changes = [...tree.changes().filter((change) => !isRecord(change)), ...tree.changes().filter(isRecord)];
  let steps = 0;
  const step = () => options.afterStep?.(++steps);

  for (const change of changes) {
    const target = tree.resolve(change.path);
    const changedMeanwhile =
      fs.readFile(target) !== change.before || (change.kind === 'create' && fs.exists(target));
    if (changedMeanwhile) {
      throw new KitError('COMMAND_FAILED', `${change.path} changed on disk while the command was running.`, {
        hint: 'Nothing was written. Run the command again.',
      });
    }
  }

  const writes: PendingWrite[] = [];
  const createdFolders: string[] = [];
  for (const change of changes) {
    if (change.after === undefined) continue;
    const target = tree.resolve(change.path);
    writes.push({ change, content: change.after, target, temp: tempPathFor(target) });
  }

  const written: PendingWrite[] = [];
  for (const write of writes) {
    try {
      createdFolders.push(...missingFolders(tree, write.change.path));
      fs.mkdirp(dirname(write.target));
      // Counted before writing: a write that fails halfway can still leave a partial temp file.
      written.push(write);
      fs.writeFile(write.temp, write.content);
    } catch (error) {
      for (const done of written) removeQuietly(fs, done.temp);
      removeCreatedFolders(tree, createdFolders);
      throw new KitError('COMMAND_FAILED', `Could not write ${write.change.path}: ${describe(error)}`, {
        hint: 'Nothing was changed on disk.',
        cause: error,
      });
    }
  }

  const renamed: PendingWrite[] = [];
  const deletions: FileChange[] = [];
  const removeDeleted = (record: boolean) => {
    for (const change of changes) {
      if (change.kind !== 'delete' || isRecord(change) !== record) continue;
      try {
        fs.remove(tree.resolve(change.path));
      } catch (error) {
        throw new KitError('COMMAND_FAILED', `Could not delete ${change.path}: ${describe(error)}`, {
          hint: `The new and updated files were written, and ${deletions.length} deletion(s) done; run the command again to finish.`,
          cause: error,
        });
      }
      deletions.push(change);
      removeEmptiedFolders(tree, change.path);
      step();
    }
  };
  const renameAll = (group: PendingWrite[]) => {
    for (const write of group) {
      try {
        fs.rename(write.temp, write.target);
        renamed.push(write);
        step();
      } catch (error) {
        const notRestored = rollBack(fs, renamed);
        for (const pending of writes.slice(renamed.length)) removeQuietly(fs, pending.temp);
        removeCreatedFolders(tree, createdFolders);
        throw new KitError('COMMAND_FAILED', `Could not write ${write.change.path}: ${describe(error)}`, {
          hint:
            notRestored.length === 0
              ? 'Nothing was changed on disk.'
              : `These files could not be restored and may hold new content: ${notRestored.join(', ')}.`,
          cause: error,
        });
      }
    }
  };
  // Order: the code's writes, the code's deletions, then the record.
  renameAll(writes.filter((write) => !isRecord(write.change)));
  removeDeleted(false);
  renameAll(writes.filter((write) => isRecord(write.change)));
  removeDeleted(true);

  let bytes = 0;
  for (const write of writes) {
    bytes += Buffer.byteLength(write.content, 'utf8');
    options.onWrite?.(write.change);
  }
  for (const change of deletions) options.onWrite?.(change);


  tree.markCommitted();
  return { written: writes.length, bytes, deleted: deletions.length };
}

/** Undoes renames, newest first: an update gets its old content back, a created file goes. */
function rollBack(fs: TreeFileSystem, renamed: readonly PendingWrite[]): string[] {
  const notRestored: string[] = [];
  for (const write of [...renamed].reverse()) {
    try {
      if (write.change.before === undefined) fs.remove(write.target);
      else fs.writeFile(write.target, write.change.before);
    } catch {
      notRestored.push(write.change.path);
    }
  }
  return notRestored;
}
