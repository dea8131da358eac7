import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The lib the generated tsconfig names, when a service's tsconfig cannot be read. */
const DEFAULT_LIB = ['ES2023'];

/**
 * The lib files of the system's own TypeScript (`node_modules/typescript/lib`, installed with the
 * system) that a service's tsconfig names (`"lib": ["ES2023"]`), with every lib file they reference,
 * for the in-memory Project of a rename: the types of array elements, awaited promises and
 * `Partial<...>` come from them. Undefined when the system's TypeScript is not installed; a rename
 * then finds what does not go through those types, and the fit check after it (which needs the
 * same TypeScript) is skipped too.
 */
export function readSystemLib(root: string, tsconfig: string): { files: Map<string, string>; use: string[] } | undefined {
  let folder: string;
  try {
    folder = dirname(createRequire(join(root, 'package.json')).resolve('typescript'));
  } catch {
    return undefined;
  }
  let names = DEFAULT_LIB;
  try {
    const lib = (JSON.parse(readFileSync(join(root, tsconfig), 'utf8')) as { compilerOptions?: { lib?: unknown } }).compilerOptions?.lib;
    if (Array.isArray(lib) && lib.every((name) => typeof name === 'string')) names = lib;
  } catch {
    // A tsconfig with comments, or none: the generator's lib.
  }
  const files = new Map<string, string>();
  const visit = (file: string): boolean => {
    if (files.has(file)) return true;
    let text: string;
    try {
      text = readFileSync(join(folder, file), 'utf8');
    } catch {
      return false;
    }
    files.set(file, text);
    for (const reference of text.matchAll(/^\/\/\/\s*<reference\s+lib="([^"]+)"\s*\/>/gm)) visit(`lib.${reference[1]!.toLowerCase()}.d.ts`);
    return true;
  };
  const use = names.map((name) => `lib.${name.toLowerCase()}.d.ts`).filter(visit);
  return use.length > 0 ? { files, use } : undefined;
}
