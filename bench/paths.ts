import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: this file runs as dist/bench/paths.js. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI entry, as users run it. */
export const CLI = join(ROOT, 'bin', 'create-kit-service.js');
export const EXAMPLE_SPEC = join(ROOT, 'templates', 'examples', 'kit.yaml');
export const RESULTS_DIR = join(ROOT, '.bench');
/** The preload that reports a CLI run's CPU time (compiled next to this file). */
export const CPU_REPORT = join(ROOT, 'dist', 'bench', 'cpu-report.js');
