import { join, posix, relative, sep } from 'node:path';
import type { TreeFileSystem } from './tree-file-system.js';

/** A file or folder that moves, by tree path (relative to the system's root). */
export interface PathMove {
  from: string;
  to: string;
}

/** Where a tree path is after the moves (the path itself when no move concerns it). */
export function movedPath(moves: readonly PathMove[], path: string): string {
  for (const move of moves) {
    if (path === move.from) return move.to;
    if (path.startsWith(`${move.from}/`)) return move.to + path.slice(move.from.length);
  }
  return path;
}

/** Where a tree path was before the moves; undefined for a path a move leaves empty. */
export function originalPath(moves: readonly PathMove[], path: string): string | undefined {
  for (const move of moves) {
    if (path === move.to) return move.from;
    if (path.startsWith(`${move.to}/`)) return move.from + path.slice(move.to.length);
  }
  for (const move of moves) if (path === move.from || path.startsWith(`${move.from}/`)) return undefined;
  return path;
}

/** A file system that shows files and folders at the places they are about to be moved to. */
export interface MovedFileSystem extends TreeFileSystem {
  readonly moves: readonly PathMove[];
  /** The file system as it is, without the moves. */
  readonly inner: TreeFileSystem;
  /** Once the moves are done on disk: from then on every path is read where it is. */
  settle(): void;
  /** After the moves were undone: show them as about to happen again. */
  unsettle(): void;
}

/**
 * A view of `inner` under `root` in which the moves (folders or files, no move inside another)
 * have happened already: a moved file is read at its new path, and nothing is at its old one.
 * A command that moves files (`rename context`) builds its whole change in a VirtualTree over this
 * view, so `--dry-run` shows the result and nothing moves until the commit: which does the moves on
 * disk, settles the view, and then writes the tree. Writing before the moves are settled is a bug
 * and throws.
 */
export function movedFileSystem(inner: TreeFileSystem, root: string, moves: readonly PathMove[]): MovedFileSystem {
  let settled = false;
  /** The tree path of a file system path under root; undefined outside it. */
  const treePath = (path: string): string | undefined => {
    const rel = relative(root, path);
    if (rel === '') return '';
    if (rel.startsWith('..') || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel)) return undefined;
    return rel.split(sep).join('/');
  };
  /** Where the content shown at `path` is on disk now; undefined for nothing there. */
  const source = (path: string): string | undefined => {
    if (settled) return path;
    const rel = treePath(path);
    if (rel === undefined || rel === '') return path;
    const original = originalPath(moves, rel);
    return original === undefined ? undefined : join(root, original);
  };
  const written = (path: string) => {
    if (!settled) throw new Error(`internal: ${path} written before the moves were made`);
    return path;
  };
  /** Moves whose target lies strictly below the tree path `rel` (a folder), as paths relative to it. */
  const arrivingBelow = (rel: string) => moves.filter((move) => rel === '' || move.to.startsWith(`${rel}/`)).map((move) => ({ move, below: rel === '' ? move.to : move.to.slice(rel.length + 1) }));
  const leavingBelow = (rel: string) => moves.filter((move) => rel === '' || move.from.startsWith(`${rel}/`)).map((move) => (rel === '' ? move.from : move.from.slice(rel.length + 1)));

  return {
    moves,
    inner,
    settle: () => void (settled = true),
    unsettle: () => void (settled = false),
    readFile: (path) => {
      const at = source(path);
      return at === undefined ? undefined : inner.readFile(at);
    },
    exists: (path) => {
      const at = source(path);
      return at !== undefined && inner.exists(at);
    },
    writeFile: (path, content) => inner.writeFile(written(path), content),
    rename: (from, to) => inner.rename(written(from), written(to)),
    remove: (path) => inner.remove(written(path)),
    mkdirp: (path) => inner.mkdirp(written(path)),
    readDir: (path) => {
      const at = source(path);
      if (at === undefined) return [];
      if (settled) return inner.readDir(path);
      const rel = treePath(path) ?? '';
      const names = new Set(inner.readDir(at));
      for (const gone of leavingBelow(rel)) if (!gone.includes('/')) names.delete(gone);
      for (const { move, below } of arrivingBelow(rel)) if (inner.exists(join(root, move.from))) names.add(below.split('/')[0]!);
      return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
    listFiles: (path) => {
      const at = source(path);
      if (at === undefined) return [];
      if (settled) return inner.listFiles(path);
      const rel = treePath(path) ?? '';
      const leaving = leavingBelow(rel);
      const files = new Set(inner.listFiles(at).filter((file) => !leaving.some((gone) => file === gone || file.startsWith(`${gone}/`))));
      for (const { move, below } of arrivingBelow(rel)) {
        const from = join(root, move.from);
        if (inner.readFile(from) !== undefined) files.add(below);
        else for (const file of inner.listFiles(from)) files.add(posix.join(below, file));
      }
      return [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    },
  };
}
