import { fileURLToPath } from 'node:url';

/** The package's own folder (holding package.json, templates/ and schema/), from dist/src/. */
export const packageRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
