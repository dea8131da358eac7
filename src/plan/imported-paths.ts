import { posix } from 'node:path';

/** `import ... from './x.js'`, `export ... from`, `import('./x.js')` and `import './x.js'` of a relative module. */
const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.\.?\/[^'"]+)\1/g;

/**
 * The tree paths of the TypeScript modules that a module at `path` imports by relative specifier
 * (`../types.js` from `services/x/src/translators/y.ts` is `services/x/src/types.ts`), read off the
 * text: enough to know which generated files the user's code still needs.
 */
export function importedPaths(path: string, text: string): string[] {
  const dir = posix.dirname(path);
  return [...text.matchAll(RELATIVE_IMPORT)].map((match) => posix.join(dir, match[2]!).replace(/\.js$/, '.ts'));
}
