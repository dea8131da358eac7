import { describe, expect, it } from 'vitest';
import { KitError } from '../../../src/errors.js';
import { memoryFileSystem } from '../../../src/tree/memory-file-system.js';
import { normalizeTreePath } from '../../../src/tree/normalize-tree-path.js';
import { VirtualTree } from '../../../src/tree/virtual-tree.js';

function treeOver(files: Record<string, string>) {
  const fs = memoryFileSystem(files);
  return { fs, tree: new VirtualTree('/repo', fs) };
}

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('VirtualTree', () => {
  it('reads through to disk until a path is changed in the tree', () => {
    const { tree } = treeOver({ '/repo/a.txt': 'disk\n', '/repo/src/b.ts': 'b' });
    expect(tree.read('a.txt')).toBe('disk\n');
    expect(tree.read('./src//b.ts')).toBe('b');
    expect(tree.read('missing.txt')).toBeUndefined();
    expect(tree.exists('a.txt')).toBe(true);
    expect(tree.exists('src')).toBe(false);

    tree.write('a.txt', 'tree\n');
    expect(tree.read('a.txt')).toBe('tree\n');
    tree.delete('src/b.ts');
    expect(tree.read('src/b.ts')).toBeUndefined();
    expect(tree.exists('src/b.ts')).toBe(false);
  });

  it('records create, update and delete, sorted by path, without touching disk', () => {
    const { fs, tree } = treeOver({ '/repo/old.txt': 'old', '/repo/keep.txt': 'v1' });
    tree.write('z/new.txt', 'new');
    tree.write('keep.txt', 'v2');
    tree.delete('old.txt');
    expect(tree.changes()).toEqual([
      { kind: 'update', path: 'keep.txt', before: 'v1', after: 'v2' },
      { kind: 'delete', path: 'old.txt', before: 'old' },
      { kind: 'create', path: 'z/new.txt', after: 'new' },
    ]);
    expect(fs.snapshot('/repo')).toEqual({ 'keep.txt': 'v1', 'old.txt': 'old' });
  });

  it('drops a write equal to what is on disk', () => {
    const { tree } = treeOver({ '/repo/a.txt': 'same' });
    tree.write('a.txt', 'same');
    expect(tree.changes()).toEqual([]);
  });

  it('drops a change when the original content is written back', () => {
    const { tree } = treeOver({ '/repo/a.txt': 'same' });
    tree.write('a.txt', 'different');
    tree.write('a.txt', 'same');
    expect(tree.changes()).toEqual([]);

    tree.delete('a.txt');
    tree.write('a.txt', 'same');
    expect(tree.changes()).toEqual([]);
  });

  it('records nothing for deleting a missing file, or a file created only in the tree', () => {
    const { tree } = treeOver({});
    tree.delete('missing.txt');
    expect(tree.changes()).toEqual([]);

    tree.write('fresh.txt', 'x');
    tree.delete('fresh.txt');
    expect(tree.changes()).toEqual([]);
    expect(tree.exists('fresh.txt')).toBe(false);
  });

  it('keeps content byte for byte, line endings included', () => {
    const { tree } = treeOver({ '/repo/a.txt': 'a\nb\n' });
    tree.write('a.txt', 'a\r\nb\r\n');
    expect(tree.changes()).toEqual([{ kind: 'update', path: 'a.txt', before: 'a\nb\n', after: 'a\r\nb\r\n' }]);
  });

  it('deletes every file below a folder', () => {
    const { tree } = treeOver({ '/repo/svc/a.ts': 'a', '/repo/svc/src/b.ts': 'b', '/repo/other.ts': 'o' });
    tree.write('svc/new.ts', 'n');
    tree.delete('svc');
    expect(tree.changes()).toEqual([
      { kind: 'delete', path: 'svc/a.ts', before: 'a' },
      { kind: 'delete', path: 'svc/src/b.ts', before: 'b' },
    ]);
  });

  it('lists files as the tree would leave them', () => {
    const { tree } = treeOver({ '/repo/a.txt': 'a', '/repo/src/b.ts': 'b', '/repo/src/c.ts': 'c', '/elsewhere.txt': 'e' });
    tree.write('src/d.ts', 'd');
    tree.delete('src/b.ts');
    expect(tree.listFiles()).toEqual(['a.txt', 'src/c.ts', 'src/d.ts']);
    expect(tree.listFiles('src')).toEqual(['src/c.ts', 'src/d.ts']);
    expect(tree.listFiles('nowhere')).toEqual([]);
  });

  it.each(['../x', '/etc/passwd', 'a/../../x', 'a\\b', 'C:/x', 'a\0b', '..', '.', ''])(
    'rejects %j with OUTSIDE_TARGET and stages nothing',
    (path) => {
      const { fs, tree } = treeOver({ '/repo/a.txt': 'a' });
      for (const run of [() => tree.write(path, 'x'), () => tree.delete(path), () => tree.read(path)]) {
        const error = catchError(run);
        expect(error).toBeInstanceOf(KitError);
        expect((error as KitError).code).toBe('OUTSIDE_TARGET');
        expect((error as KitError).hint).toMatch(/relative to the target folder/);
      }
      expect(tree.changes()).toEqual([]);
      expect(fs.snapshot()).toEqual({ 'repo/a.txt': 'a' });
    },
  );
});

describe('normalizeTreePath', () => {
  it('gives one form for the same file', () => {
    expect(normalizeTreePath('./a//b/')).toBe('a/b');
    expect(normalizeTreePath('a/../b/c.ts')).toBe('b/c.ts');
    expect(normalizeTreePath('.kit/manifest.json')).toBe('.kit/manifest.json');
    expect(normalizeTreePath('services/a/x..ts')).toBe('services/a/x..ts');
  });
});
