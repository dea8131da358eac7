/**
 * Bundles the built CLI into dist/bundle/ (one chunk per lazily imported command, so `--help` still
 * loads commander alone). Loading a few bundled files instead of hundreds of modules takes a fifth
 * off every command's start-up. ts-morph stays outside: it is large and loaded only by the commands
 * that merge user files. dist/bundle/meta.json says which sources went into which chunk (the tests
 * use it to check what `--help` loads). Run by `npm run build`, after the precompiled templates.
 */
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { packageRoot } from '../src/package-root.js';

const dist = join(packageRoot, 'dist');
// Chunk names carry content hashes: a fresh folder leaves no stale chunks behind.
rmSync(join(dist, 'bundle'), { recursive: true, force: true });
const result = await build({
  entryPoints: [join(dist, 'src', 'cli', 'main.js')],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: join(dist, 'bundle'),
  external: ['ts-morph'],
  metafile: true,
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies bundled into ES modules still call require().
  banner: { js: "import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);" },
});
// The renderer imports the precompiled templates beside itself, wherever it was bundled to.
copyFileSync(join(dist, 'src', 'render', 'precompiled-templates.js'), join(dist, 'bundle', 'precompiled-templates.js'));
writeFileSync(join(dist, 'bundle', 'meta.json'), JSON.stringify(result.metafile));
