import { createHash } from 'node:crypto';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

/**
 * Helpers of tests that regenerate a system and compare its files: a content snapshot of a tree
 * (what a "changes no byte" check compares), the difference of two snapshots, and a copy of a
 * system without its installed or built parts.
 */

/** Folders that are never part of a system's source: installed packages, build output, git. */
export const NOT_SOURCE = new Set(['node_modules', 'dist', '.git']);

/** Every file below `dir` (skipping node_modules, dist and .git at any depth) by POSIX path, with its SHA-256. */
export function snapshotTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!NOT_SOURCE.has(entry.name)) walk(path);
      } else if (entry.isFile()) {
        files[relative(dir, path).split('\\').join('/')] = createHash('sha256').update(readFileSync(path)).digest('hex');
      }
    }
  };
  walk(dir);
  return files;
}

/** What differs between two snapshots, one line per file: `+ path`, `- path` or `~ path`; empty when equal. */
export function diffSnapshots(before: Record<string, string>, after: Record<string, string>): string[] {
  const lines: string[] = [];
  for (const path of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!(path in before)) lines.push(`+ ${path}`);
    else if (!(path in after)) lines.push(`- ${path}`);
    else if (before[path] !== after[path]) lines.push(`~ ${path}`);
  }
  return lines.sort();
}

/** Copies a system without node_modules, dist and .git. */
export function copySystem(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !NOT_SOURCE.has(basename(source)) });
}

/**
 * Whether `lines` occur in `text` in this order (each as a whole line, leading and trailing blanks
 * ignored), other lines allowed in between. Answers the first line not found, or undefined.
 */
export function missingLine(text: string, lines: readonly string[]): string | undefined {
  const have = text.split('\n').map((line) => line.trim());
  let at = 0;
  for (const line of lines) {
    const wanted = line.trim();
    if (wanted === '') continue;
    const found = have.indexOf(wanted, at);
    if (found === -1) return line;
    at = found + 1;
  }
  return undefined;
}
