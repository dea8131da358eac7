/**
 * Bundles the built CLI into dist/bundle/ (one chunk per lazily imported command, so `--help` still
 * loads commander alone). Loading a few bundled files instead of hundreds of modules takes a fifth
 * off every command's start-up. ts-morph is bundled apart (see bundleTsMorph): it is large and
 * loaded only by the commands that merge user files. dist/bundle/meta.json says which sources went
 * into which chunk (the tests use it to check what `--help` loads). Run by `npm run build`, after
 * the precompiled templates.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { TS_MORPH_BUNDLE_PREFIX } from '../src/ast/load-ts-morph.js';
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
await bundleTsMorph();

/**
 * ts-morph with TypeScript and its other dependencies as one minified CommonJS file,
 * dist/bundle/ts-morph-<content hash>.cjs: 4 MB to read and compile instead of 13 MB in three
 * files, which takes about a third off loading it. CommonJS, so that loadTsMorph can compile it
 * with V8's code cache; the hash in the name keeps a cache from ever meeting other code.
 */
async function bundleTsMorph(): Promise<void> {
  const { outputFiles } = await build({
    stdin: { contents: "module.exports = require('ts-morph');", resolveDir: packageRoot, loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    write: false,
    outfile: 'ts-morph.cjs',
    plugins: [withoutLibFiles()],
    logLevel: 'warning',
  });
  const code = outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 12);
  writeFileSync(join(dist, 'bundle', `${TS_MORPH_BUNDLE_PREFIX}${hash}.cjs`), code);
}

/**
 * Leaves out the texts of TypeScript's lib .d.ts files (2.8 MB) that @ts-morph/common carries for
 * projects that type-check: the merge's Project is made with skipLoadingLibFiles, the only case in
 * which ts-morph never reads them. Should a later version lay them out differently, the build says
 * so and keeps them (correct, only slower to load).
 */
function withoutLibFiles(): Plugin {
  return {
    name: 'without-lib-files',
    setup(builder) {
      builder.onLoad({ filter: /[\\/]@ts-morph[\\/]common[\\/]dist[\\/]ts-morph-common\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const start = source.indexOf('const libFiles = [');
        const end = source.indexOf('function getLibFiles()');
        if (start < 0 || end < start) return { contents: source, loader: 'js', warnings: [{ text: 'lib file texts not found; bundled with them' }] };
        return { contents: `${source.slice(0, start)}const libFiles = [];\n${source.slice(end)}`, loader: 'js' };
      });
    },
  };
}
