import { isAscii } from 'node:buffer';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { packageRoot } from '../package-root.js';

type TsMorph = typeof import('ts-morph');

/** Where the compiled code of ts-morph and TypeScript is kept between runs: the tool's own folder, never the user's. */
const CACHE_DIR = join(packageRoot, 'dist', 'compile-cache');

/**
 * Loads ts-morph, with V8's code cache for its three large files (TypeScript alone is 9 MB of
 * JavaScript). Compiling them is most of what loading ts-morph costs, and Node 20 has no compile
 * cache of its own (`module.enableCompileCache` came with Node 22), so this keeps one: each file's
 * compiled code, taken when the process exits (by then it holds the parser and printer functions
 * the merge ran), is stored under the package's own dist/ and used by the next run. A cache from
 * another Node version or of another file is rejected by V8 or not found by name, and the file is
 * compiled as usual; a cache folder that cannot be written only costs the speed-up.
 *
 * `require` rather than `import()`: Node's ES module loader would scan ts-morph's 10 MB of
 * CommonJS for export names first.
 */
export function loadTsMorph(): TsMorph {
  const require = createRequire(import.meta.url);
  const extensions = (Module as unknown as { _extensions: Record<string, (module: NodeModule, file: string) => void> })._extensions;
  const compileJs = extensions['.js']!;
  const compiled: CompiledFile[] = [];
  extensions['.js'] = (module, file) => {
    const cacheFile = cacheFileOf(file);
    if (cacheFile) compiled.push(compileWithCache(module, file, cacheFile));
    else compileJs(module, file);
  };
  try {
    return require('ts-morph') as TsMorph;
  } finally {
    extensions['.js'] = compileJs;
    const stale = compiled.filter((entry) => !entry.cacheUsed);
    if (stale.length > 0) process.once('exit', () => stale.forEach(storeCache));
  }
}

interface CompiledFile {
  script: Script;
  cacheFile: string;
  cacheUsed: boolean;
}

/** The files cached: those that ts-morph and its common package ship in dist/. */
const CACHED_FILE = /[\\/]node_modules[\\/](ts-morph|@ts-morph[\\/]common)[\\/]dist[\\/]([^\\/]+\.js)$/;

/**
 * Where a file's code cache is kept, or undefined for files not cached. The name holds the
 * package's version and the file's size (npm gives every file the same mtime) and the Node version
 * and architecture, so a cache is never used for other code: "@ts-morph/common dist/typescript.js"
 * of 0.28.0 on Node v20.20.2 is `ts-morph+common.typescript.js~0.28.0-9143384-v20.20.2-x64.v8`.
 */
function cacheFileOf(file: string): string | undefined {
  const match = CACHED_FILE.exec(file);
  if (!match) return undefined;
  const packageDir = dirname(dirname(file));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const name = `${match[1]!.replace(/^@/, '').replace(/[\\/]/, '+')}.${match[2]}`;
  return join(CACHE_DIR, `${name}~${version}-${statSync(file).size}-${process.version}-${process.arch}.v8`);
}

/** What Module.prototype._compile does for a CommonJS file, with V8's cached data. */
function compileWithCache(module: NodeModule, file: string, cacheFile: string): CompiledFile {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // not cached yet
  }
  const script = new Script(Module.wrap(readSource(file)), { filename: file, cachedData });
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { script, cacheFile, cacheUsed: cachedData !== undefined && !script.cachedDataRejected };
}

/**
 * The file's text. TypeScript's 9 MB are plain ASCII, which read as Latin-1 is the same text in a
 * fraction of the time Node 20's UTF-8 decoding takes (about 130 ms here).
 */
function readSource(file: string): string {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/** Writes a file's code cache in one step (temp file, then rename), replacing its older ones. */
function storeCache({ script, cacheFile }: CompiledFile): void {
  try {
    mkdirSync(CACHE_DIR, { recursive: true });
    const prefix = `${basename(cacheFile).split('~')[0]}~`;
    for (const old of readdirSync(CACHE_DIR)) if (old.startsWith(prefix)) rmSync(join(CACHE_DIR, old), { force: true });
    const temp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
  } catch {
    // A read-only installation: ts-morph loads without the cache, only slower.
  }
}
