import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: this file runs as dist/bench/paths.js. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI entry, as users run it. */
export const CLI = join(ROOT, 'bin', 'create-kit-service.js');
export const EXAMPLE_SPEC = join(ROOT, 'templates', 'examples', 'kit.yaml');
export const RESULTS_DIR = join(ROOT, '.bench');
