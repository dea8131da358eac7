import { describe, expect, it } from 'vitest';
import { formatDiff, summarizeChanges } from '../../../src/tree/format-diff.js';
import type { FileChange } from '../../../src/tree/virtual-tree.js';

const create: FileChange = { kind: 'create', path: 'services/a/x.ts', after: 'export const x = 1;\n' };
const update: FileChange = {
  kind: 'update',
  path: 'README.md',
  before: '# shop\n\none\ntwo\nthree\n',
  after: '# shop\n\none\n2\nthree\n',
};
const remove: FileChange = { kind: 'delete', path: 'old.txt', before: 'gone\n' };

describe('formatDiff', () => {
  it('prints a created file against /dev/null', () => {
    expect(formatDiff([create])).toBe(
      ['--- /dev/null', '+++ b/services/a/x.ts', '@@ -0,0 +1,1 @@', '+export const x = 1;', ''].join('\n'),
    );
  });

  it('prints an update with three lines of context', () => {
    expect(formatDiff([update])).toBe(
      [
        '--- a/README.md',
        '+++ b/README.md',
        '@@ -1,5 +1,5 @@',
        ' # shop',
        ' ',
        ' one',
        '-two',
        '+2',
        ' three',
        '',
      ].join('\n'),
    );
  });

  it('prints a deleted file against /dev/null', () => {
    expect(formatDiff([remove])).toBe(['--- a/old.txt', '+++ /dev/null', '@@ -1,1 +0,0 @@', '-gone', ''].join('\n'));
  });

  it('marks a missing final newline as git does', () => {
    expect(formatDiff([{ kind: 'create', path: 'a', after: 'x' }])).toBe(
      ['--- /dev/null', '+++ b/a', '@@ -0,0 +1,1 @@', '+x', '\\ No newline at end of file', ''].join('\n'),
    );
  });

  it('joins several files and is empty for no changes', () => {
    expect(formatDiff([create, remove])).toBe(formatDiff([create]) + formatDiff([remove]));
    expect(formatDiff([])).toBe('');
  });

  it('colours only when asked, and never mistakes a removed "--" line for a header', () => {
    const change: FileChange = { kind: 'update', path: 'a', before: '-- x\n', after: 'y\n' };
    expect(formatDiff([change])).not.toContain('\u001b[');
    expect(formatDiff([change], { color: true }).split('\n')).toEqual([
      '\u001b[1m--- a/a\u001b[0m',
      '\u001b[1m+++ b/a\u001b[0m',
      '\u001b[36m@@ -1,1 +1,1 @@\u001b[0m',
      '\u001b[31m--- x\u001b[0m',
      '\u001b[32m+y\u001b[0m',
      '',
    ]);
  });
});

describe('summarizeChanges', () => {
  it('gives one line per change', () => {
    expect(summarizeChanges([create, update, remove])).toEqual([
      'create services/a/x.ts',
      'update README.md',
      'delete old.txt',
    ]);
  });
});
