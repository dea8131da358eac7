import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

/** The create command through the real binary, without npm install (the system tests do that). */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const fixture = (name: string) => join(root, 'test/fixtures/specs', name);

let work: string;
const folders: string[] = [];
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cks-create-'));
  folders.push(work);
});
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function run(args: string[], cwd = work): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DEBUG;
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000, input: '' });
  if (result.error) throw result.error;
  return result;
}

/** Every file below a folder with its content hash and modification time. */
function snapshot(dir: string): Record<string, { hash: string; mtimeMs: number }> {
  const files: Record<string, { hash: string; mtimeMs: number }> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = { hash: createHash('sha256').update(readFileSync(path)).digest('hex'), mtimeMs: statSync(path).mtimeMs };
  }
  return files;
}

describe('create-kit-service [dir]', () => {
  it('generates the example system with the layout of PRODUCT.md', () => {
    const result = run(['shop', '--example', '--yes', '--no-install', '--no-git']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/wrote \d+ files/);
    for (const file of ['kit.yaml', 'package.json', 'docker-compose.yml', 'README.md', '.gitignore', '.kit/manifest.json', '.kit/kit.schema.json']) {
      expect(existsSync(join(work, 'shop', file)), file).toBe(true);
    }
    for (const context of ['ordering', 'billing', 'shipping']) {
      for (const file of ['package.json', 'tsconfig.json', 'Dockerfile', '.dockerignore', 'README.md', 'src/service.ts', 'src/types.ts', 'src/main.ts', 'test/contract.test.ts', 'test/service.test.ts']) {
        expect(existsSync(join(work, 'shop/services', context, file)), `${context}/${file}`).toBe(true);
      }
    }
    expect(readFileSync(join(work, 'shop/kit.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/\.kit\/kit\.schema\.json\n/);
    const manifest = JSON.parse(readFileSync(join(work, 'shop/.kit/manifest.json'), 'utf8')) as { files: Record<string, { owner: string }> };
    expect(manifest.files['services/ordering/src/service.ts']?.owner).toBe('user');
    expect(manifest.files['services/ordering/src/types.ts']?.owner).toBe('generator');
  });

  it('writes exactly the golden tree (the built, precompiled templates render as the sources do)', () => {
    expect(run(['shop', '--example', '--yes', '--no-install', '--no-git']).status).toBe(0);
    const golden = join(root, 'test/golden/example');
    const files = readFileSync(join(golden, 'FILES.golden'), 'utf8').trim().split('\n');
    for (const file of files) {
      expect(readFileSync(join(work, 'shop', file), 'utf8'), file).toBe(readFileSync(join(golden, `${file}.golden`), 'utf8'));
    }
  });

  it('changes no byte when run a second time into the same folder', () => {
    expect(run(['shop', '--example', '--yes', '--no-install', '--no-git']).status).toBe(0);
    const before = snapshot(join(work, 'shop'));
    const again = run(['shop', '--example', '--yes', '--no-install', '--no-git', '--force']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/wrote 0 files/);
    expect(snapshot(join(work, 'shop'))).toEqual(before);
  });

  it('keeps the user\'s service.ts when forced into an existing system', () => {
    expect(run(['shop', '--example', '--yes', '--no-install', '--no-git']).status).toBe(0);
    const service = join(work, 'shop/services/billing/src/service.ts');
    writeFileSync(service, `${readFileSync(service, 'utf8')}\n// my own line\n`);
    expect(run(['shop', '--example', '--yes', '--no-install', '--no-git', '--force']).status).toBe(0);
    expect(readFileSync(service, 'utf8')).toContain('// my own line');
  });

  it('makes the first commit in a repository of its own, also inside a repository that ignores it', () => {
    const git = (args: string[], cwd: string) => spawnSync('git', args, { cwd, encoding: 'utf8' });
    git(['init', '--quiet'], work);
    writeFileSync(join(work, '.gitignore'), 'shop/\n');
    const result = run(['shop', '--example', '--yes', '--no-install']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/✓ Making the first commit/);
    const shop = join(work, 'shop');
    expect(realpathSync(git(['rev-parse', '--show-toplevel'], shop).stdout.trim())).toBe(realpathSync(shop));
    expect(git(['log', '--oneline'], shop).stdout).toMatch(/Generate the system with create-kit-service/);
    expect(git(['status', '--porcelain'], shop).stdout).toBe('');
  });

  it('when npm install fails: exit 1 with npm\'s last lines, the whole log in a temporary folder, none in the system', () => {
    // npm offline with an empty cache fails at once, and deterministically.
    const cache = mkdtempSync(join(tmpdir(), 'cks-empty-cache-'));
    folders.push(cache);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_offline: 'true', npm_config_cache: cache };
    delete env.DEBUG;
    const result = spawnSync(process.execPath, [bin, 'offline', '--example', '--yes', '--no-git'], { cwd: work, env, encoding: 'utf8', timeout: 120_000, input: '' });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/npm install failed \(.*\); its last lines:\n {2}npm error/);
    const log = /all of npm's output is in (\S+npm-install\.log)/.exec(result.stderr)?.[1];
    expect(log, result.stderr).toBeDefined();
    expect(log!.startsWith(realpathSync(tmpdir())) || log!.startsWith(tmpdir()), log).toBe(true);
    expect(readFileSync(log!, 'utf8')).toMatch(/ENOTCACHED|offline/);
    expect(existsSync(join(work, 'offline', 'npm-install.log'))).toBe(false);
    rmSync(dirname(log!), { recursive: true, force: true });
  });

  it('refuses a folder that is not empty, and writes nothing into it', () => {
    mkdirSync(join(work, 'taken'));
    writeFileSync(join(work, 'taken/notes.txt'), 'mine');
    const result = run(['taken', '--example', '--yes', '--no-install', '--no-git']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not empty/);
    expect(result.stderr).toMatch(/--force/);
    expect(readdirSync(join(work, 'taken'))).toEqual(['notes.txt']);
  });

  it('writes nothing when the spec is invalid', () => {
    const result = run(['bad', '--spec', fixture('bad.yaml'), '--yes', '--no-install', '--no-git']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+: error: /);
    expect(result.stderr).toMatch(/nothing was written/);
    expect(existsSync(join(work, 'bad'))).toBe(false);
  });

  it('exits 2 and names the flags when there is no spec and no terminal', () => {
    const result = run(['somewhere']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--spec/);
    expect(result.stderr).toMatch(/--example/);
    expect(existsSync(join(work, 'somewhere'))).toBe(false);
  });

  it('--dry-run lists the files and writes nothing', () => {
    const result = run(['shop', '--example', '--yes', '--dry-run']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/create services\/ordering\/src\/service\.ts/);
    expect(existsSync(join(work, 'shop'))).toBe(false);
  });

  it('--name renames the system and keeps the spec\'s comments', () => {
    const result = run(['store', '--example', '--name', 'my-store', '--yes', '--no-install', '--no-git']);
    expect(result.status, result.stderr).toBe(0);
    const spec = readFileSync(join(work, 'store/kit.yaml'), 'utf8');
    expect(spec).toMatch(/^name: my-store$/m);
    expect(spec).toContain('# The built-in example');
    expect(JSON.parse(readFileSync(join(work, 'store/services/ordering/package.json'), 'utf8')).name).toBe('@my-store/ordering');
  });
});
