import { join } from 'node:path';
import { normalizeTreePath } from './normalize-tree-path.js';
import { nodeFileSystem, type TreeFileSystem } from './tree-file-system.js';

/** One file the tree would change on disk; `before` is what is on disk, `after` what would be. */
export interface FileChange {
  kind: 'create' | 'update' | 'delete';
  /** Normalized POSIX path relative to the tree's root. */
  path: string;
  /** Absent for a create. */
  before?: string;
  /** Absent for a delete. */
  after?: string;
}

/** Marks a staged deletion, distinct from "not staged" (undefined). */
const DELETED = null;

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A folder's files as a command means to leave them: it reads through to disk, records writes and
 * deletions in memory, and only `commitTree` puts them on disk. Every command builds all its changes
 * here first, so `--dry-run` and `--check` see exactly what a real run would write. A write equal to
 * what is on disk records nothing, which is what makes a second `generate` write nothing.
 * Contents are kept byte for byte (no line-ending changes).
 */
export class VirtualTree {
  /** The target folder, as given; tree paths are relative to it. */
  readonly root: string;
  /** Where reads come from and where `commitTree` writes. */
  readonly fs: TreeFileSystem;
  /** Path -> new content, or DELETED. */
  private readonly staged = new Map<string, string | typeof DELETED>();
  /** What disk held at first read, so `before` and no-op checks are stable for the tree's life. */
  private readonly disk = new Map<string, string | undefined>();

  constructor(root: string, fs: TreeFileSystem = nodeFileSystem) {
    this.root = root;
    this.fs = fs;
  }

  /** The file system path of a tree path; throws KitError OUTSIDE_TARGET for a path outside the root. */
  resolve(path: string): string {
    return join(this.root, normalizeTreePath(path));
  }

  /** The content as the tree would leave it: the staged change, else the disk; undefined when no file. */
  read(path: string): string | undefined {
    const normalized = normalizeTreePath(path);
    const staged = this.staged.get(normalized);
    if (staged === DELETED) return undefined;
    return staged ?? this.original(normalized);
  }

  /** Whether a file (not a folder) would be at path. */
  exists(path: string): boolean {
    return this.read(path) !== undefined;
  }

  /** Stages content for a file; content equal to the disk's cancels any earlier change of it. */
  write(path: string, content: string): void {
    const normalized = normalizeTreePath(path);
    if (content === this.original(normalized)) this.staged.delete(normalized);
    else this.staged.set(normalized, content);
  }

  /**
   * Stages the removal of a file, or of every file below a folder (a folder left empty is removed on
   * commit). A path with nothing at it, or a file that exists only in the tree, leaves no trace.
   */
  delete(path: string): void {
    const normalized = normalizeTreePath(path);
    if (this.read(normalized) === undefined) {
      for (const file of this.listFiles(normalized)) this.deleteFile(file);
      return;
    }
    this.deleteFile(normalized);
  }

  /** Every file below a folder (default: the root) as the tree would leave them, as sorted tree paths. */
  listFiles(dir = ''): string[] {
    const base = dir === '' || dir === '.' ? '' : normalizeTreePath(dir);
    const prefix = base === '' ? '' : `${base}/`;
    const files = new Set(this.fs.listFiles(base === '' ? this.root : join(this.root, base)).map((file) => prefix + file));
    for (const [path, content] of this.staged) {
      if (!path.startsWith(prefix)) continue;
      if (content === DELETED) files.delete(path);
      else files.add(path);
    }
    return [...files].sort(byCodeUnit);
  }

  /** What committing would do, sorted by path so diffs and reports are stable. */
  changes(): FileChange[] {
    const changes: FileChange[] = [];
    for (const [path, content] of this.staged) {
      const before = this.original(path);
      if (content === DELETED) {
        if (before !== undefined) changes.push({ kind: 'delete', path, before });
      } else if (before === undefined) {
        changes.push({ kind: 'create', path, after: content });
      } else {
        changes.push({ kind: 'update', path, before, after: content });
      }
    }
    return changes.sort((a, b) => byCodeUnit(a.path, b.path));
  }

  /**
   * Makes the staged changes the tree's new base once `commitTree` has put them on disk, so the same
   * tree can go on being edited and committed without writing anything twice.
   */
  markCommitted(): void {
    for (const [path, content] of this.staged) this.disk.set(path, content === DELETED ? undefined : content);
    this.staged.clear();
  }

  private deleteFile(normalized: string): void {
    if (this.original(normalized) === undefined) this.staged.delete(normalized);
    else this.staged.set(normalized, DELETED);
  }

  private original(normalized: string): string | undefined {
    if (!this.disk.has(normalized)) this.disk.set(normalized, this.fs.readFile(join(this.root, normalized)));
    return this.disk.get(normalized);
  }
}
