import { posix } from 'node:path';
import type { TreeFileSystem } from './tree-file-system.js';

/** An in-memory file system that can also show what it holds. */
export interface MemoryFileSystem extends TreeFileSystem {
  /**
   * Every file below `dir` (default `/`) keyed by its POSIX path relative to `dir`, in sorted order,
   * so tests can compare the whole disk with one `toEqual`.
   */
  snapshot(dir?: string): Record<string, string>;
}

/** A failure shaped like node's, so callers that look at `code` behave as they do on disk. */
function fsError(code: string, operation: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${operation} '${path}'`);
  error.code = code;
  error.path = path;
  return error;
}

/** Backslashes too, so a tree joined with win32 separators still finds its files. */
function normalize(path: string): string {
  return posix.resolve('/', path.replaceAll('\\', '/'));
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A file system held in memory, for tests and for dry runs that must not touch the disk. Keys are
 * paths; relative ones are taken from `/`, so `memoryFileSystem({ 'a.txt': 'x' })` fits a tree
 * rooted at `/`. Folders exist implicitly above every file and explicitly once created.
 */
export function memoryFileSystem(files: Record<string, string> = {}): MemoryFileSystem {
  const fileMap = new Map<string, string>();
  const dirs = new Set<string>(['/']);

  const addParents = (path: string): void => {
    for (let dir = posix.dirname(path); !dirs.has(dir); dir = posix.dirname(dir)) dirs.add(dir);
  };
  for (const [path, content] of Object.entries(files)) {
    const full = normalize(path);
    fileMap.set(full, content);
    addParents(full);
  }

  const requireParentDir = (operation: string, path: string): void => {
    const parent = posix.dirname(path);
    if (!dirs.has(parent)) throw fsError(fileMap.has(parent) ? 'ENOTDIR' : 'ENOENT', operation, path);
  };
  const childrenOf = (dir: string): string[] => {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const names = new Set<string>();
    for (const path of [...fileMap.keys(), ...dirs]) {
      if (path.startsWith(prefix) && path !== dir) names.add(path.slice(prefix.length).split('/')[0] ?? '');
    }
    names.delete('');
    return [...names].sort(byCodeUnit);
  };
  const filesUnder = (dir: string): [string, string][] => {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    return [...fileMap.entries()]
      .filter(([path]) => path.startsWith(prefix))
      .map(([path, content]): [string, string] => [path.slice(prefix.length), content])
      .sort(([a], [b]) => byCodeUnit(a, b));
  };

  return {
    readFile(path) {
      return fileMap.get(normalize(path));
    },
    exists(path) {
      const full = normalize(path);
      return fileMap.has(full) || dirs.has(full);
    },
    writeFile(path, content) {
      const full = normalize(path);
      if (dirs.has(full)) throw fsError('EISDIR', 'open', full);
      requireParentDir('open', full);
      fileMap.set(full, content);
    },
    rename(from, to) {
      const source = normalize(from);
      const target = normalize(to);
      const content = fileMap.get(source);
      if (content === undefined) throw fsError('ENOENT', 'rename', source);
      if (dirs.has(target)) throw fsError('EISDIR', 'rename', target);
      requireParentDir('rename', target);
      fileMap.delete(source);
      fileMap.set(target, content);
    },
    remove(path) {
      const full = normalize(path);
      if (fileMap.delete(full)) return;
      if (!dirs.has(full)) return;
      if (childrenOf(full).length > 0) throw fsError('ENOTEMPTY', 'rmdir', full);
      dirs.delete(full);
    },
    mkdirp(path) {
      const full = normalize(path);
      const missing: string[] = [];
      for (let dir = full; !dirs.has(dir); dir = posix.dirname(dir)) {
        if (fileMap.has(dir)) throw fsError(dir === full ? 'EEXIST' : 'ENOTDIR', 'mkdir', full);
        missing.push(dir);
      }
      for (const dir of missing) dirs.add(dir);
    },
    readDir(path) {
      const full = normalize(path);
      return dirs.has(full) ? childrenOf(full) : [];
    },
    listFiles(path) {
      const full = normalize(path);
      return dirs.has(full) ? filesUnder(full).map(([relative]) => relative) : [];
    },
    snapshot(dir = '/') {
      return Object.fromEntries(filesUnder(normalize(dir)));
    },
  };
}
