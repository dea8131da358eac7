import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's own folder (holding package.json, templates/ and schema/): the nearest folder
 * above this module with a templates/ folder, whether it runs built (dist/src/) or from source.
 */
export const packageRoot = findRoot(dirname(fileURLToPath(import.meta.url)));

function findRoot(start: string): string {
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'templates')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`create-kit-service: no templates/ folder above ${start}; the package is incomplete`);
}
