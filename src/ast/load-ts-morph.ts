import { isAscii } from 'node:buffer';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { packageRoot } from '../package-root.js';

type TsMorph = typeof import('ts-morph');

/** The build bundles ts-morph into dist/bundle/ts-morph-<content hash>.cjs (scripts/bundle.ts). */
export const TS_MORPH_BUNDLE_PREFIX = 'ts-morph-';
const BUNDLE_DIR = join(packageRoot, 'dist', 'bundle');
/** Where the bundle's compiled code is kept between runs: the tool's own folder, never the user's. */
const CACHE_DIR = join(packageRoot, 'dist', 'compile-cache');

/**
 * Loads the bundled ts-morph with V8's code cache. Compiling its 4 MB of JavaScript is most of
 * what loading it costs, and Node 20 has no compile cache of its own (`module.enableCompileCache`
 * came with Node 22), so this keeps one: the compiled code, taken when the process exits (by then it
 * holds the parser and printer functions the merge ran), is stored under the package's own dist/
 * and used by the next run. The cache is named after the bundle (whose name holds its content
 * hash), the Node version and the architecture; V8 itself rejects a cache made under other flags,
 * and then the bundle is compiled as usual. A cache folder that cannot be written only costs the
 * speed-up. Unbuilt (tests run from the sources), ts-morph comes from node_modules instead.
 */
export function loadTsMorph(): TsMorph {
  const bundle = findBundle();
  if (!bundle) return createRequire(import.meta.url)('ts-morph') as TsMorph;
  const cacheFile = join(CACHE_DIR, `${basename(bundle)}-${process.version}-${process.arch}.v8`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // not cached yet
  }
  // What Module.prototype._compile does for a CommonJS file, with the cached data.
  const script = new Script(Module.wrap(readSource(bundle)), { filename: bundle, cachedData });
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => storeCache(script, cacheFile, bundle));
  return module.exports as TsMorph;
}

function findBundle(): string | undefined {
  try {
    const name = readdirSync(BUNDLE_DIR).find((file) => file.startsWith(TS_MORPH_BUNDLE_PREFIX) && file.endsWith('.cjs'));
    return name && join(BUNDLE_DIR, name);
  } catch {
    return undefined;
  }
}

/**
 * The file's text. The bundle is plain ASCII (esbuild escapes the rest), which read as Latin-1 is
 * the same text in a fraction of the time Node 20's UTF-8 decoding takes.
 */
function readSource(file: string): string {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * Writes the code cache in one step (temp file, then rename, so that a run at the same time never
 * reads half a cache), then removes what older bundles left behind.
 */
function storeCache(script: Script, cacheFile: string, bundle: string): void {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
    for (const old of readdirSync(CACHE_DIR)) if (!old.startsWith(`${basename(bundle)}-`)) rmSync(join(CACHE_DIR, old), { force: true });
  } catch {
    // A read-only installation: ts-morph loads without the cache, only slower.
  }
}
