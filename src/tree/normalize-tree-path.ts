import { posix } from 'node:path';
import { KitError } from '../errors.js';

const HINT =
  'Paths in a tree are relative to the target folder and use forward slashes, e.g. services/ordering/src/service.ts.';

/**
 * The one canonical form of a tree path (`services/a/x.ts`), or a KitError OUTSIDE_TARGET. Every
 * tree operation goes through it, so a bad path from a spec or template can never reach outside the
 * target folder, and `./a//b` and `a/b` are the same file. Rejects absolute paths (POSIX, drive
 * letters, UNC), backslashes (a Windows separator on one OS, a file name character on another),
 * NUL, any `..` that climbs above the root, and the root itself.
 */
export function normalizeTreePath(path: string): string {
  const reject = (reason: string): never => {
    throw new KitError('OUTSIDE_TARGET', `Refusing the path ${JSON.stringify(path)}: ${reason}.`, { hint: HINT });
  };
  if (path.includes('\0')) reject('it contains a NUL character');
  if (path.includes('\\')) reject('it contains a backslash');
  if (path.startsWith('/')) reject('it is absolute');
  if (/^[A-Za-z]:/.test(path)) reject('it starts with a drive letter');
  const normalized = posix.normalize(path).replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) reject('it leads outside the target folder');
  if (normalized === '.' || normalized === '') reject('it names the target folder itself, not a file in it');
  return normalized;
}
