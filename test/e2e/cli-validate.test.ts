import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * The real binary, as a user runs it: these tests need `npm run build` first (`npm test` runs it
 * as pretest). Each test runs in a fresh temporary folder, with NO_COLOR=1 and without DEBUG.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const fixture = (name: string) => join(root, 'test/fixtures/specs', name);
const example = join(root, 'templates/examples/kit.yaml');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

const ANSI = /\u001b\[/;
/** A line of a JavaScript stack trace: `    at fn (file:///x.js:1:2)`. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

let work: string;
const folders: string[] = [];

beforeAll(() => {
  if (!existsSync(join(root, 'dist/src/cli/main.js'))) {
    throw new Error('dist/ is missing: run "npm run build" before these tests (npm test does it as pretest)');
  }
});

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cks-validate-'));
  folders.push(work);
});

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function run(args: string[], options: { env?: Record<string, string>; nodeArgs?: string[] } = {}): SpawnSyncReturns<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DEBUG', 'FORCE_COLOR', 'NO_COLOR', 'NODE_OPTIONS']) delete env[name];
  Object.assign(env, { NO_COLOR: '1' }, options.env);
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], { cwd: work, env, encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return result;
}

const lines = (text: string) => text.split('\n').filter((line) => line !== '');

describe('create-kit-service: help, version, usage', () => {
  it('--help exits 0 and lists the commands', () => {
    const result = run(['--help']);
    expect(result.status, result.stderr).toBe(0);
    for (const command of ['validate', 'generate', 'add', 'rename']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(result.stdout).toContain('Exit codes');
  });

  it('--version prints the version of package.json', () => {
    const result = run(['--version']);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('an unknown option exits 2 with a message', () => {
    const result = run(['--bogus']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('generate outside a system exits 1 with a clear message and a hint', () => {
    const result = run(['generate']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: no kit.yaml in this folder or any folder above it');
    expect(result.stderr).toContain('hint: ');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});

describe('create-kit-service validate', () => {
  it('accepts the built-in example and summarises it', () => {
    const result = run(['validate', example]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${example} is valid: 3 contexts, 7 endpoints`);
    expect(result.stdout).toMatch(/^ {2}ordering: placeOrder, getOrder, listOrders, cancelOrder$/m);
    expect(result.stderr).toBe('');
  });

  it('reports every problem of a bad spec as file:line:col with a hint, and exits 1', () => {
    copyFileSync(fixture('bad.yaml'), join(work, 'bad.yaml'));
    const result = run(['validate', 'bad.yaml']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const err = lines(result.stderr);
    const problems = err.filter((line) => /^bad\.yaml:\d+:\d+: error: /.test(line));
    expect(problems).toEqual([
      'bad.yaml:2:7: error: system name "My_Shop" is not kebab-case',
      'bad.yaml:5:11: error: port 70000 is out of range',
      'bad.yaml:7:23: error: unknown type "strin" in type "Customer"',
      'bad.yaml:10:15: error: path parameter "{orderId}" is not a field of the request of endpoint "getOrder"',
      'bad.yaml:13:7: error: context "ordering" uses unknown context "biling"',
    ]);
    // Every problem line is followed by its hint.
    for (const problem of problems) expect(err[err.indexOf(problem) + 1]).toMatch(/^ {2}hint: \S/);
    expect(err.at(-2)).toBe('error: bad.yaml is invalid: 5 problems');
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('reports invalid YAML with its place', () => {
    copyFileSync(fixture('invalid-yaml.yaml'), join(work, 'broken.yaml'));
    const result = run(['validate', 'broken.yaml']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^broken\.yaml:5:3: error: invalid YAML: /m);
    expect(result.stderr).toContain('broken.yaml is invalid: 1 problem\n');
  });

  it('prints warnings but accepts the spec', () => {
    copyFileSync(fixture('uses-cycle.yaml'), join(work, 'kit.yaml'));
    const result = run(['validate', 'kit.yaml']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^kit\.yaml:7:5: warning: contexts call each other in a cycle: ordering -> billing -> ordering$/m);
    expect(result.stdout).toContain('kit.yaml is valid: 2 contexts, 2 endpoints');
  });

  it('reads ./kit.yaml when no file is given', () => {
    copyFileSync(fixture('minimal.yaml'), join(work, 'kit.yaml'));
    const result = run(['validate']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('kit.yaml is valid: 1 context, 1 endpoint');
  });

  it('without a file and without ./kit.yaml exits 1 with "not found"', () => {
    const result = run(['validate']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: spec file not found: kit.yaml');
    expect(result.stderr).toMatch(/^ {2}hint: \S/m);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('a missing file given by name exits 1 with "not found"', () => {
    const result = run(['validate', 'nope.yaml']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('spec file not found: nope.yaml');
  });

  it('prints no ANSI escapes with NO_COLOR, even when FORCE_COLOR is set', () => {
    copyFileSync(fixture('bad.yaml'), join(work, 'bad.yaml'));
    copyFileSync(fixture('uses-cycle.yaml'), join(work, 'kit.yaml'));
    for (const args of [['validate', 'bad.yaml'], ['validate'], ['--help']]) {
      const result = run(args, { env: { FORCE_COLOR: '1' } });
      expect(result.stdout + result.stderr).not.toMatch(ANSI);
    }
  });

  it('colours its output with FORCE_COLOR and without NO_COLOR (so the check above can fail)', () => {
    copyFileSync(fixture('bad.yaml'), join(work, 'bad.yaml'));
    const result = run(['validate', 'bad.yaml'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(result.stderr).toMatch(ANSI);
  });

  it('shows a stack trace only with DEBUG set', () => {
    const without = run(['validate', 'nope.yaml']);
    expect(without.stderr).not.toMatch(STACK_LINE);
    const withDebug = run(['validate', 'nope.yaml'], { env: { DEBUG: '1' } });
    expect(withDebug.status).toBe(1);
    expect(withDebug.stderr).toMatch(STACK_LINE);
  });
});

describe('create-kit-service --help stays light', () => {
  /**
   * Records the URL of every module the ESM loader resolves, through a resolve hook registered with
   * `node --import` (module.register works on Node 20.6+). CommonJS-internal requires are not seen,
   * but every package import of our ESM code is.
   */
  function recordLoads(args: string[]): string[] {
    const record = join(work, 'loaded.txt');
    writeFileSync(record, '');
    writeFileSync(
      join(work, 'record-hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(file, result.url + '\\n');
  return result;
}
`,
    );
    writeFileSync(
      join(work, 'record-loads.mjs'),
      `import { register } from 'node:module';
register('./record-hooks.mjs', { parentURL: import.meta.url, data: { file: ${JSON.stringify(record)} } });
`,
    );
    const result = run(args, { nodeArgs: ['--import', join(work, 'record-loads.mjs')] });
    expect(result.status, result.stderr).toBe(0);
    return lines(readFileSync(record, 'utf8'));
  }

  const HEAVY = ['yaml', 'handlebars', 'ts-morph', '@inquirer', 'zod', 'diff', 'execa'];
  /**
   * The CLI runs bundled (dist/bundle/): a loaded chunk stands for the sources esbuild put into it,
   * as its metafile records, so packages are found whether bundled or loaded from node_modules.
   */
  const meta = JSON.parse(readFileSync(join(root, 'dist/bundle/meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  const sources = (urls: string[]) =>
    urls.flatMap((url) => {
      const output = Object.entries(meta.outputs).find(([path]) => url.endsWith(`/${path}`));
      return output ? Object.keys(output[1].inputs) : [url];
    });
  const loadedPackages = (urls: string[]) =>
    new Set(sources(urls).flatMap((path) => /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? []));

  it('--help loads commander but none of the heavy packages nor the spec code', () => {
    const urls = recordLoads(['--help']);
    const packages = loadedPackages(urls);
    expect(packages.has('commander'), urls.join('\n')).toBe(true);
    for (const heavy of HEAVY) {
      expect([...packages].filter((name) => name === heavy || name.startsWith(`${heavy}/`)), `--help loaded ${heavy}`).toEqual([]);
    }
    expect(sources(urls).filter((path) => path.includes('dist/src/spec/'))).toEqual([]);
    expect(urls.some((url) => url.includes('/dist/bundle/')), 'the CLI runs bundled').toBe(true);
  });

  it('validate does load yaml (the recorder sees package imports)', () => {
    const urls = recordLoads(['validate', example]);
    expect(loadedPackages(urls).has('yaml'), urls.join('\n')).toBe(true);
  });
});
