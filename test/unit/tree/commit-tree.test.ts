import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KitError } from '../../../src/errors.js';
import { commitTree } from '../../../src/tree/commit-tree.js';
import { memoryFileSystem } from '../../../src/tree/memory-file-system.js';
import { nodeFileSystem, type TreeFileSystem } from '../../../src/tree/tree-file-system.js';
import { VirtualTree, type FileChange } from '../../../src/tree/virtual-tree.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kit-tree-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Every file and folder below a folder, folders with a trailing slash, to see leftovers too. */
function entries(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .map((entry) => {
      const relative = join(entry.parentPath, entry.name).slice(root.length + 1).replaceAll('\\', '/');
      return entry.isDirectory() ? `${relative}/` : relative;
    })
    .sort();
}

function catchError(run: () => unknown): KitError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KitError);
    return error as KitError;
  }
  throw new Error('expected a throw');
}

function seed(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

describe('commitTree on disk', () => {
  it('writes files and folders, deletes, removes emptied folders and leaves no temp file', () => {
    seed({ 'keep.txt': 'v1', 'old/deep/gone.txt': 'bye', 'old/other/stays.txt': 's' });
    const tree = new VirtualTree(dir);
    tree.write('services/a/src/x.ts', 'export const x = 1;\n');
    tree.write('keep.txt', 'v2 é');
    tree.delete('old/deep/gone.txt');

    const seen: FileChange['kind'][] = [];
    const result = commitTree(tree, { onWrite: (change) => seen.push(change.kind) });

    expect(result).toEqual({ written: 2, bytes: 'export const x = 1;\n'.length + 'v2 é'.length + 1, deleted: 1 });
    expect(seen).toEqual(['update', 'create', 'delete']);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('v2 é');
    expect(readFileSync(join(dir, 'services/a/src/x.ts'), 'utf8')).toBe('export const x = 1;\n');
    expect(entries(dir)).toEqual([
      'keep.txt',
      'old/',
      'old/other/',
      'old/other/stays.txt',
      'services/',
      'services/a/',
      'services/a/src/',
      'services/a/src/x.ts',
    ]);
  });

  it('never removes the root, even when a deletion empties it', () => {
    seed({ 'only.txt': 'x' });
    const tree = new VirtualTree(dir);
    tree.delete('only.txt');
    expect(commitTree(tree)).toEqual({ written: 0, bytes: 0, deleted: 1 });
    expect(existsSync(dir)).toBe(true);
    expect(entries(dir)).toEqual([]);
  });

  it('writes 0 bytes when the same content is committed again', () => {
    const write = (tree: VirtualTree) => {
      tree.write('a.txt', 'a\n');
      tree.write('services/b/c.ts', 'c\r\n');
    };
    const first = new VirtualTree(dir);
    write(first);
    expect(commitTree(first).bytes).toBeGreaterThan(0);

    const second = new VirtualTree(dir);
    write(second);
    expect(second.changes()).toEqual([]);
    expect(commitTree(second)).toEqual({ written: 0, bytes: 0, deleted: 0 });

    // The committed tree itself has nothing left to write either.
    expect(first.changes()).toEqual([]);
    expect(commitTree(first)).toEqual({ written: 0, bytes: 0, deleted: 0 });
  });

  it('leaves the originals byte-identical when writing a temp file fails', () => {
    seed({ 'a.txt': 'original a\r\n', 'z.txt': 'original z' });
    let tempWrites = 0;
    const failing: TreeFileSystem = {
      ...nodeFileSystem,
      writeFile(path, content) {
        tempWrites += 1;
        if (tempWrites === 3) throw new Error('disk full');
        nodeFileSystem.writeFile(path, content);
      },
    };
    const tree = new VirtualTree(dir, failing);
    tree.write('a.txt', 'new a');
    tree.write('b/new.txt', 'new b');
    tree.write('z.txt', 'new z');

    const error = catchError(() => commitTree(tree));
    expect(error.code).toBe('COMMAND_FAILED');
    expect(error.message).toContain('z.txt');
    expect(error.message).toContain('disk full');
    expect(error.hint).toBe('Nothing was changed on disk.');
    expect(readFileSync(join(dir, 'a.txt'))).toEqual(Buffer.from('original a\r\n'));
    expect(readFileSync(join(dir, 'z.txt'))).toEqual(Buffer.from('original z'));
    expect(entries(dir)).toEqual(['a.txt', 'z.txt']);
  });

  it('refuses to overwrite a file that changed on disk after the tree read it', () => {
    seed({ 'a.txt': 'v1' });
    const tree = new VirtualTree(dir);
    tree.write('a.txt', 'v2');
    writeFileSync(join(dir, 'a.txt'), 'edited by the user');
    const error = catchError(() => commitTree(tree));
    expect(error.message).toContain('a.txt changed on disk');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('edited by the user');
  });
});

describe('commitTree in memory', () => {
  it('rolls back earlier renames when a rename fails', () => {
    const fs = memoryFileSystem({ '/repo/a.txt': 'old a', '/repo/c.txt': 'old c' });
    let renames = 0;
    const failing: TreeFileSystem = {
      ...fs,
      rename(from, to) {
        renames += 1;
        if (renames === 3) throw new Error('EBUSY');
        fs.rename(from, to);
      },
    };
    const tree = new VirtualTree('/repo', failing);
    tree.write('a.txt', 'new a');
    tree.write('b/b.txt', 'new b');
    tree.write('c.txt', 'new c');

    const error = catchError(() => commitTree(tree));
    expect(error.message).toContain('c.txt');
    expect(error.hint).toBe('Nothing was changed on disk.');
    expect(fs.snapshot()).toEqual({ 'repo/a.txt': 'old a', 'repo/c.txt': 'old c' });
    expect(fs.exists('/repo/b')).toBe(false);
  });

  it('works the same over an in-memory file system', () => {
    const fs = memoryFileSystem({ 'x/old.txt': 'o' });
    const tree = new VirtualTree('/', fs);
    tree.write('x/y/new.txt', 'n');
    tree.delete('x/old.txt');
    expect(commitTree(tree)).toEqual({ written: 1, bytes: 1, deleted: 1 });
    expect(fs.snapshot()).toEqual({ 'x/y/new.txt': 'n' });
    expect(fs.readDir('/x')).toEqual(['y']);
  });
});
