import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, startService, stop, stopAll } from '../helpers/service-process.js';

/**
 * `add endpoint` through the real binary on a generated, installed system whose user files were
 * written and reformatted by hand: the endpoint appears in kit.yaml (every comment kept) and in
 * the code, the system builds and passes its tests, and the new route answers 501, then 200 once
 * the method is written. Running the command again changes nothing.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
let work: string;
let system: string;

function run(args: string[], cwd = system) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env: childEnv({ NO_COLOR: '1' }), encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return result;
}

function npm(args: string[]) {
  const result = spawnSync('npm', args, { cwd: system, env: childEnv(), encoding: 'utf8', timeout: 300_000 });
  expect(result.status, `npm ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

function hashes(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(system, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || /[\\/](node_modules|dist|\.git)[\\/]/.test(path)) continue;
    files[relative(system, path)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return files;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cks-add-'));
  const created = run(['shop', '--example', '--yes', '--no-git'], work);
  expect(created.status, created.stderr).toBe(0);
  system = join(work, 'shop');
}, 300_000);

afterAll(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

describe('add endpoint on a system the user has worked in', () => {
  const service = () => join(system, 'services/ordering/src/service.ts');
  const userLines = ['  // The user wrote this comment.', '    return { orders: [] }; // and this body'];

  it('adds the endpoint to kit.yaml and the code, keeping every line the user wrote', () => {
    // The user's own spec comments, and a hand-written method body.
    const spec = join(system, 'kit.yaml');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('  ordering:\n', '  ordering: # the heart of the shop\n    # user comment before the description\n'));
    const source = readFileSync(service(), 'utf8');
    const stub = "  async listOrders(request: ListOrdersRequest): Promise<ListOrdersResponse> {\n    throw new NotImplementedError('listOrders');\n  }";
    expect(source).toContain(stub);
    // A comment at the end of the class's last line (where the new method goes) stays on that line.
    expect(source.endsWith('  }\n}\n')).toBe(true);
    const edited = source.replace(stub, `${userLines[0]}\n  async listOrders(request: ListOrdersRequest): Promise<ListOrdersResponse> {\n${userLines[1]}\n  }`);
    writeFileSync(service(), `${edited.slice(0, -'  }\n}\n'.length)}  } // the user's note on the last method\n}\n`);
    const specBefore = readFileSync(spec, 'utf8');
    const serviceBefore = readFileSync(service(), 'utf8');

    const result = run(['add', 'endpoint', 'ordering', 'cancelOrderNow', '--http', 'POST /orders/{orderId}/cancel-now', '--request', 'orderId:string,reason:string?', '--response', 'ok:boolean', '--errors', 'OrderNotFound', '--description', 'Cancel at once']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/merge +services\/ordering\/src\/service\.ts/);

    const specAfter = readFileSync(spec, 'utf8');
    // The old text is all there, in order; only the endpoint's lines were inserted.
    const [before, after] = [specBefore.split('\n'), specAfter.split('\n')];
    let head = 0;
    while (before[head] === after[head]) head++;
    const inserted = after.slice(head, head + after.length - before.length);
    expect(inserted).toEqual([
      '      cancelOrderNow:',
      '        description: Cancel at once',
      '        http: POST /orders/{orderId}/cancel-now',
      '        request: { orderId: string, reason?: string }',
      '        response: { ok: boolean }',
      '        errors: [OrderNotFound]',
    ]);
    expect(specAfter.replace(inserted.map((line) => `${line}\n`).join(''), '')).toBe(specBefore);

    const serviceAfter = readFileSync(service(), 'utf8');
    for (const line of serviceBefore.split('\n')) expect(serviceAfter.split('\n')).toContain(line);
    expect(serviceAfter).toContain("async cancelOrderNow(request: CancelOrderNowRequest): Promise<CancelOrderNowResponse> {\n    throw new NotImplementedError('cancelOrderNow');");
    expect(readFileSync(join(system, 'services/ordering/test/service.test.ts'), 'utf8')).toContain("test.todo('cancelOrderNow');");
    // The merge loaded the bundled ts-morph, whose compiled code is kept for the next run in the tool's own folder.
    // (Other test files merge at the same time: a cache being written beside it is no failure.)
    expect(readdirSync(join(root, 'dist/compile-cache')).some((name) => /^ts-morph-[0-9a-f]{12}\.cjs-v\d+\.\d+\.\d+-\w+\.v8$/.test(name))).toBe(true);
  });

  it('running it again changes nothing and says the endpoint exists', () => {
    const before = hashes();
    const again = run(['add', 'endpoint', 'ordering', 'cancelOrderNow', '--http', 'POST /orders/{orderId}/cancel-now']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('already exists');
    expect(hashes()).toEqual(before);
    expect(run(['generate', '--check']).status).toBe(0);
  });

  it('refuses a route that is taken, writing nothing', () => {
    const before = hashes();
    const clash = run(['add', 'endpoint', 'ordering', 'lookAgain', '--http', 'GET /orders/{id}', '--request', 'id:uuid']);
    expect(clash.status).toBe(1);
    expect(clash.stderr).toMatch(/kit\.yaml:\d+:\d+: error: route GET \/orders\/\{id\} of endpoint "lookAgain" is already taken by endpoint "getOrder"/);
    expect(hashes()).toEqual(before);
  });

  it('builds, passes its tests, and serves the new route: 501 first, 200 once written', async () => {
    npm(['run', 'build']);
    const tested = npm(['test']);
    expect(tested.stdout).not.toMatch(/^# fail [1-9]/m);

    const ordering = join(system, 'services/ordering');
    let running = await startService(ordering);
    const call = () => fetch(`${running.base}/orders/o-1/cancel-now`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'changed my mind' }) });
    let reply = await call();
    expect(reply.status).toBe(501);
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('NOT_IMPLEMENTED');
    stop(running.pid);
    await running.exited;

    writeFileSync(service(), readFileSync(service(), 'utf8').replace("throw new NotImplementedError('cancelOrderNow');", 'return { ok: request.orderId === \'o-1\' };'));
    npm(['run', 'build', '-w', 'services/ordering']);
    running = await startService(ordering);
    reply = await call();
    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({ ok: true });
    stop(running.pid);
    await running.exited;
  }, 600_000);
});

describe('add context', () => {
  it('adds a context with an example endpoint, its service and compose entry', () => {
    const result = run(['add', 'context', 'inventory']);
    expect(result.status, result.stderr).toBe(0);
    expect(readFileSync(join(system, 'kit.yaml'), 'utf8')).toMatch(/\n {2}inventory:\n {4}description: The inventory bounded context\n {4}port: 8084\n/);
    expect(readFileSync(join(system, 'services/inventory/src/service.ts'), 'utf8')).toContain('async getInventoryStatus(');
    expect(readFileSync(join(system, 'docker-compose.yml'), 'utf8')).toMatch(/\n {2}inventory:\n/);
    expect(readFileSync(join(system, 'README.md'), 'utf8')).toContain('[inventory](services/inventory/README.md)');
    expect(run(['add', 'context', 'inventory']).status).toBe(1);
  });
});
