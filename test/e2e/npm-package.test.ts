import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package as npm publishes it: packed, installed into another project, run from there. This
 * catches files missing from "files" (templates, the JSON Schema) and dev-only imports.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
let work: string;
let installed: string;

function sh(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 180_000, env: { ...process.env, NO_COLOR: '1' } });
  if (result.error) throw result.error;
  return result;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cks-pack-'));
  const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--json'], root);
  expect(pack.status, pack.stderr).toBe(0);
  const [{ filename }] = JSON.parse(pack.stdout) as { filename: string }[];
  installed = join(work, 'project');
  sh('mkdir', ['-p', installed], work);
  writeFileSync(join(installed, 'package.json'), '{ "name": "somebody-else", "private": true }\n');
  const install = sh('npm', ['install', '--no-audit', '--no-fund', join(work, filename!)], installed);
  expect(install.status, install.stderr).toBe(0);
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package, installed elsewhere', () => {
  const bin = () => join(installed, 'node_modules/.bin/create-kit-service');

  it('ships the templates, the example and the JSON Schema', () => {
    const pkg = join(installed, 'node_modules/create-kit-service');
    for (const file of ['templates/examples/kit.yaml', 'templates/service/src/main.ts.hbs', 'schema/kit.schema.json', 'dist/bundle/main.js']) {
      expect(existsSync(join(pkg, file)), file).toBe(true);
    }
    expect(existsSync(join(pkg, 'test'))).toBe(false);
  });

  it('runs --version, validate and create', () => {
    const version = sh(bin(), ['--version'], installed);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
    const example = join(installed, 'node_modules/create-kit-service/templates/examples/kit.yaml');
    expect(sh(bin(), ['validate', example], installed).status).toBe(0);
    const create = sh(bin(), ['shop', '--example', '--yes', '--no-install', '--no-git'], installed);
    expect(create.status, create.stderr).toBe(0);
    expect(existsSync(join(installed, 'shop/services/ordering/src/transport/http.ts'))).toBe(true);
    expect(readFileSync(join(installed, 'shop/.kit/kit.schema.json'), 'utf8')).toContain('"contexts"');
  });

  it('runs generate and add endpoint (with the bundled ts-morph) from there, having installed nothing else', () => {
    expect(readdirSync(join(installed, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['create-kit-service']);
    const shop = join(installed, 'shop');
    expect(sh(bin(), ['generate', '--check'], shop).status).toBe(0);
    // An edited service.ts is merged by ts-morph (an untouched one would simply be rewritten).
    const service = join(shop, 'services/billing/src/service.ts');
    writeFileSync(service, `// my notes\n${readFileSync(service, 'utf8')}`);
    const add = sh(bin(), ['add', 'endpoint', 'billing', 'refund', '--request', 'receiptId:string', '--response', 'ok:boolean'], shop);
    expect(add.status, add.stderr).toBe(0);
    expect(add.stderr).toMatch(/merge +services\/billing\/src\/service\.ts/);
    expect(readFileSync(service, 'utf8')).toMatch(/^\/\/ my notes\n[\s\S]*async refund\(request: RefundRequest\): Promise<RefundResponse>/);
  });
});
