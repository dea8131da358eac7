import { describe, expect, it } from 'vitest';
import { memoryFileSystem } from '../../../src/tree/memory-file-system.js';

describe('memoryFileSystem', () => {
  it('fails as node does where a real disk would', () => {
    const fs = memoryFileSystem({ '/a/file.txt': 'x' });
    expect(() => fs.writeFile('/missing/b.txt', 'x')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => fs.writeFile('/a', 'x')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => fs.mkdirp('/a/file.txt/sub')).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => fs.remove('/a')).toThrow(expect.objectContaining({ code: 'ENOTEMPTY' }));
    expect(() => fs.rename('/nope', '/a/b')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('lists, renames and removes', () => {
    const fs = memoryFileSystem({ 'a/b/c.txt': 'c', 'a/d.txt': 'd' });
    fs.mkdirp('/a/empty');
    expect(fs.readDir('/a')).toEqual(['b', 'd.txt', 'empty']);
    expect(fs.listFiles('/a')).toEqual(['b/c.txt', 'd.txt']);
    expect(fs.listFiles('/nope')).toEqual([]);
    fs.rename('/a/d.txt', '/a/b/d.txt');
    fs.remove('/a/empty');
    fs.remove('/not-there');
    expect(fs.readDir('/a')).toEqual(['b']);
    expect(fs.snapshot('/a')).toEqual({ 'b/c.txt': 'c', 'b/d.txt': 'd' });
  });
});
