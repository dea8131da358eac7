import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The few file operations the tree and the commit step need, all synchronous: a generator touches a
 * few hundred small files, where sync calls are simpler and faster than promises. Paths are the file
 * system's own (the tree joins its root with a tree path). Tests and dry runs pass an in-memory one.
 */
export interface TreeFileSystem {
  /** The file's UTF-8 text, or undefined when no file is at path (missing, or a folder). */
  readFile(path: string): string | undefined;
  /** Whether anything, file or folder, is at path. */
  exists(path: string): boolean;
  /** Creates or truncates a file; its folder must exist. Not atomic: commitTree makes it so. */
  writeFile(path: string, content: string): void;
  /** Moves a file, replacing any file at `to`. */
  rename(from: string, to: string): void;
  /** Removes a file or an empty folder; does nothing when path is missing. */
  remove(path: string): void;
  /** Creates a folder and its missing parents. */
  mkdirp(path: string): void;
  /** Names of the entries directly in a folder, sorted; [] when there is no such folder. */
  readDir(path: string): string[];
  /** Every file below a folder as a sorted POSIX path relative to it; [] when there is no such folder. */
  listFiles(path: string): string[];
}

/** Codes under which "nothing readable is there" is an answer, not a failure. */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

function isMissing(error: unknown): boolean {
  return error instanceof Error && MISSING.has((error as NodeJS.ErrnoException).code ?? '');
}

/** Code-unit order, so listings do not depend on the user's locale. */
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listFilesUnder(dir: string, prefix: string, into: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for (const entry of entries) {
    const full = join(dir, entry.name);
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) {
      // Symbolic links to folders are not followed: they could loop or lead out of the target.
      listFilesUnder(full, relative, into);
    } else if (entry.isFile()) {
      into.push(relative);
    } else if (entry.isSymbolicLink()) {
      try {
        if (statSync(full).isFile()) into.push(relative);
      } catch {
        // A dangling link is not a file anyone can read.
      }
    }
  }
}

/** The real disk, through node:fs. */
export const nodeFileSystem: TreeFileSystem = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      // Permission and I/O errors must surface: treating them as "missing" would overwrite the file.
      if (isMissing(error)) return undefined;
      throw error;
    }
  },
  exists(path) {
    return existsSync(path);
  },
  writeFile(path, content) {
    writeFileSync(path, content, 'utf8');
  },
  rename(from, to) {
    renameSync(from, to);
  },
  remove(path) {
    let stat;
    try {
      stat = lstatSync(path);
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    // rmdir, not rm -r: a folder is only ever removed once it is empty, so no user file goes with it.
    if (stat.isDirectory()) rmdirSync(path);
    else unlinkSync(path);
  },
  mkdirp(path) {
    mkdirSync(path, { recursive: true });
  },
  readDir(path) {
    try {
      return readdirSync(path).sort(byCodeUnit);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  },
  listFiles(path) {
    const files: string[] = [];
    listFilesUnder(path, '', files);
    return files.sort(byCodeUnit);
  },
};
