import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { childEnv } from '../helpers/service-process.js';
import { copySystem, diffSnapshots, missingLine, snapshotTree } from '../helpers/system-tree.js';

/**
 * Issue "Regenerate after a spec change, without losing a line", end to end with the real binary.
 *
 * The example system is generated once, with npm install. Scripted steps then change kit.yaml and
 * combine user edits of user-owned files (services/<context>/src/service.ts, test/service.test.ts,
 * src/translators/*.ts) with edits of generator-owned files (non-conflicting, and in the last step
 * conflicting), and run `generate`. After each step: every line the user wrote is still there (in
 * order), the system builds and passes its tests (`npm run build`, `npm test`: after steps 1, 4a, 4b,
 * 5a, 5b and 6, which between them hold every change of the code's shape), a
 * second `generate` changes no byte of the tree (node_modules, dist and .git left out), and
 * `generate --check` then exits 0. Other tests work on copies of the freshly generated system
 * (without node_modules): --check and --dry-run before a generate, a type rename that reaches a
 * translator, and `generate` killed part-way (CREATE_KIT_SERVICE_CRASH_AFTER) and run again.
 *
 * Needs `npm run build` first. Every child process is bounded in time.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');

const work = mkdtempSync(join(tmpdir(), 'cks-regen-'));
/** The system the scripted steps change, installed. */
const sys = join(work, 'shop');
/** The system as created (no node_modules): the starting point of the tests on copies. */
const pristine = join(work, 'pristine');

const timings: string[] = [];
let started = 0;
beforeEach(() => {
  started = performance.now();
});
afterEach(() => {
  timings.push(`${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${expect.getState().currentTestName ?? ''}`);
});

beforeAll(() => {
  if (!existsSync(join(root, 'dist/src/cli/main.js'))) {
    throw new Error('dist/ is missing: run "npm run build" before these tests (npm test does it as pretest)');
  }
  const t0 = performance.now();
  const created = run(process.execPath, [bin, 'shop', '--example', '--yes', '--no-git'], work, 240_000);
  if (created.status !== 0) throw new Error(`create failed\n${output(created)}`);
  copySystem(sys, pristine);
  timings.push(`${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s  (beforeAll) create the example system with npm install`);
}, 300_000);

afterAll(() => {
  console.log(`regenerate.test.ts timings:\n${timings.join('\n')}`);
  rmSync(work, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Running things.

/** Runs a command to its end, bounded in time; the result says how it ended. */
function run(command: string, args: string[], cwd: string, timeoutMs: number, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const environment = childEnv(env);
  if (!('CREATE_KIT_SERVICE_CRASH_AFTER' in env)) delete environment.CREATE_KIT_SERVICE_CRASH_AFTER;
  const result = spawnSync(command, args, { cwd, env: environment, encoding: 'utf8', timeout: timeoutMs, input: '', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} ${args.join(' ')} in ${cwd} failed: ${result.error.message}\n${result.stdout}\n${result.stderr}`);
  return result;
}

function output(result: SpawnSyncReturns<string>, max = 6_000): string {
  const cut = (text: string) => (text.length > max ? `...${text.slice(-max)}` : text);
  return `exit ${result.status} ${result.signal ?? ''}\nstdout:\n${cut(result.stdout)}\nstderr:\n${cut(result.stderr)}`;
}

/** `create-kit-service generate [flags]` in a system folder. */
function generate(cwd: string, flags: string[] = [], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return run(process.execPath, [bin, 'generate', ...flags], cwd, 60_000, env);
}

/** `npm run build`, then `npm test`, at the root of the system: both must pass. */
function expectBuildsAndPasses(dir: string, step: string): void {
  const build = run('npm', ['run', 'build'], dir, 180_000);
  expect(build.status, `${step}: npm run build failed\n${output(build)}`).toBe(0);
  const test = run('npm', ['test'], dir, 240_000);
  expect(test.status, `${step}: npm test failed\n${output(test)}`).toBe(0);
  expect(test.stdout).toMatch(/# pass [1-9]/);
  expect(test.stdout).not.toMatch(/# fail [1-9]/);
}

/**
 * Right after a successful generate: a second one changes no byte of the tree (.kit/ included) and
 * says so, and `generate --check` exits 0 and changes nothing either.
 */
function expectSettled(dir: string, step: string): void {
  const before = snapshotTree(dir);
  const again = generate(dir);
  expect(again.status, `${step}: the second generate failed\n${output(again)}`).toBe(0);
  expect(diffSnapshots(before, snapshotTree(dir)), `${step}: the second generate changed files\n${output(again)}`).toEqual([]);
  expect(again.stderr).toMatch(/already up to date/);
  const check = generate(dir, ['--check']);
  expect(check.status, `${step}: generate --check after generate\n${output(check)}`).toBe(0);
  expect(diffSnapshots(before, snapshotTree(dir)), `${step}: generate --check changed files`).toEqual([]);
}

/** The spec changed and nothing was generated yet: --check exits 1, names a file, and writes nothing. */
function expectCheckFails(dir: string, step: string): void {
  const before = snapshotTree(dir);
  const check = generate(dir, ['--check']);
  expect(check.status, `${step}: generate --check before generate\n${output(check)}`).toBe(1);
  expect(check.stderr).toMatch(/out of date/);
  expect(diffSnapshots(before, snapshotTree(dir)), `${step}: generate --check wrote files`).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// Editing files as a user does, and remembering every line the user wrote.

interface UserBlock {
  /** Relative to the system. */
  file: string;
  lines: string[];
  /** Names the edit in failures; `forget` drops the blocks of one label. */
  label: string;
}
const userBlocks: UserBlock[] = [];

function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

function occurrences(text: string, search: string): number {
  return text.split(search).length - 1;
}

/** Replaces `search` (which must occur exactly once) in a file; the text put in is remembered as the user's. */
function userReplace(dir: string, file: string, search: string, text: string, label: string, remember = true): void {
  const content = read(dir, file);
  if (occurrences(content, search) !== 1) throw new Error(`${label}: "${search}" occurs ${occurrences(content, search)} times in ${file}, not once`);
  writeFileSync(join(dir, file), content.replace(search, () => text));
  if (remember) userBlocks.push({ file, lines: text.split('\n'), label });
}

/** Appends text to a file; remembered as the user's. */
function userAppend(dir: string, file: string, text: string, label: string, remember = true): void {
  const content = read(dir, file);
  writeFileSync(join(dir, file), `${content.replace(/\n*$/, '\n')}${text}`);
  if (remember) userBlocks.push({ file, lines: text.split('\n'), label });
}

/** The user deleted what they wrote under this label. */
function forget(label: string): void {
  for (let index = userBlocks.length - 1; index >= 0; index--) if (userBlocks[index]!.label === label) userBlocks.splice(index, 1);
}

/** Every block the user wrote is still in its file, its lines in order (a conflict's markers may sit between them). */
function expectUserLines(dir: string, step: string): void {
  const lost: string[] = [];
  for (const block of userBlocks) {
    const path = join(dir, block.file);
    if (!existsSync(path)) {
      lost.push(`${block.file}: the file is gone (${block.label})`);
      continue;
    }
    const missing = missingLine(readFileSync(path, 'utf8'), block.lines);
    if (missing !== undefined) lost.push(`${block.file}: "${missing.trim()}" (${block.label})`);
  }
  expect(lost, `${step}: lines the user wrote were lost`).toEqual([]);
}

/** Replaces `search`, which must occur exactly once, in kit.yaml. */
function editSpec(dir: string, search: string, replacement: string): void {
  userReplace(dir, 'kit.yaml', search, replacement, 'spec edit', false);
}

/** A line of the report that generate prints on stderr: `<action> <path>`, with its detail. */
function reportLine(result: SpawnSyncReturns<string>, action: string, path: string): string | undefined {
  return result.stderr.split('\n').find((line) => new RegExp(`^. ${action}\\s+${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s|$)`).test(line));
}

// ---------------------------------------------------------------------------------------------
// The spec changes of the steps, as text edits of the example's kit.yaml.

const REFUND_ENDPOINT = `        errors: [ReceiptNotFound]
      refund:
        description: Refund a receipt
        http: POST /receipts/{receiptId}/refund
        request: { receiptId: string, amount: number }
        response: { refunded: boolean }
        errors: [ReceiptNotFound, RefundWindowClosed]
`;

function addRefundEndpoint(dir: string): void {
  editSpec(dir, '        errors: [ReceiptNotFound]\n', REFUND_ENDPOINT);
}

function renameReceiptToInvoice(dir: string): void {
  editSpec(dir, '      Receipt: { receiptId: string', '      Invoice: { receiptId: string');
  editSpec(dir, 'response: { receipt: Receipt }', 'response: { receipt: Invoice }');
}

const REVIEWS_CONTEXT = `  reviews:
    description: Customer reviews of products
    port: 8085
    types:
      Review: { reviewId: string, sku: string, stars: integer, text?: string }
    endpoints:
      postReview:
        description: Post a review of a product
        http: POST /reviews
        request: { sku: string, stars: integer, text?: string }
        response: { review: Review }
`;

function addReviewsContext(dir: string): void {
  editSpec(dir, '  shipping:\n    description: Plans', `${REVIEWS_CONTEXT}  shipping:\n    description: Plans`);
}

// ---------------------------------------------------------------------------------------------

describe('generate on a copy of the fresh example (no install)', () => {
  it('--check exits 1 after a spec change, and --dry-run prints a unified diff; neither writes anything', () => {
    const dir = join(work, 'flags');
    copySystem(pristine, dir);
    addRefundEndpoint(dir);
    userAppend(dir, 'services/billing/src/errors.ts', '// USER: a line of mine in a generated file\n', 'flags', false);
    const before = snapshotTree(dir);

    expectCheckFails(dir, '--check');

    const dry = generate(dir, ['--dry-run']);
    expect(dry.status, output(dry)).toBe(0);
    expect(diffSnapshots(before, snapshotTree(dir)), `generate --dry-run wrote files\n${output(dry)}`).toEqual([]);
    expect(dry.stdout).toContain('--- a/services/billing/src/types.ts\n+++ b/services/billing/src/types.ts\n@@ ');
    expect(dry.stdout).toContain('--- a/services/billing/src/service.ts\n+++ b/services/billing/src/service.ts\n@@ ');
    expect(dry.stdout).toMatch(/^\+ {2}async refund\(request: RefundRequest\): Promise<RefundResponse> \{$/m);
    // The merged generated file: the diff adds the generator's lines and keeps the user's.
    expect(dry.stdout).toContain('+++ b/services/billing/src/errors.ts');
    expect(dry.stdout).toMatch(/^\+export class RefundWindowClosedError extends DomainError \{$/m);
    expect(dry.stdout).not.toMatch(/^-\/\/ USER: a line of mine/m);
    // And a real run after all that still has the change to make.
    expectCheckFails(dir, '--check after --dry-run');
  });

  it('renaming a type that a translation uses keeps the downstream service compiling (untouched translator)', () => {
    const dir = join(work, 'rename-translated');
    copySystem(pristine, dir);
    symlinkSync(join(sys, 'node_modules'), join(dir, 'node_modules'), 'dir');
    // ordering's Customer becomes Client: ordering.types, placeOrder's request, the Order type, uses.billing.translate.
    editSpec(dir, '      Customer:\n        id: string', '      Client:\n        id: string');
    editSpec(dir, 'request: { customer: Customer, lines: [OrderLine] }', 'request: { customer: Client, lines: [OrderLine] }');
    editSpec(dir, '        customer: Customer\n', '        customer: Client\n');
    editSpec(dir, 'translate: { Payer: Customer }', 'translate: { Payer: Client }');
    const result = generate(dir);
    expect(result.status, output(result)).toBe(0);
    const tsc = run(process.execPath, [join(sys, 'node_modules/typescript/bin/tsc'), '-p', 'services/ordering/tsconfig.json', '--noEmit'], dir, 120_000);
    expect(tsc.status, `ordering no longer compiles after the rename\n${output(tsc)}\n--- src/translators/billing.ts:\n${read(dir, 'services/ordering/src/translators/billing.ts')}`).toBe(0);
    expectSettled(dir, 'rename Customer -> Client');
  }, 150_000);
});

describe('scripted regeneration of the installed example system', () => {
  it('step 0: the freshly created system is up to date', () => {
    expectSettled(sys, 'step 0');
  });

  it('step 1: add an endpoint; user code in service.ts and its test; a user line in two generated files', () => {
    const step = 'step 1 (add endpoint billing.refund)';
    // User-owned: a real body for charge, a helper method, an import, comments.
    userReplace(sys, 'services/billing/src/service.ts', "import { NotImplementedError } from './errors.js';",
      "import { randomUUID } from 'node:crypto';\nimport { NotImplementedError, PaymentDeclinedError } from './errors.js';", 'billing imports');
    userReplace(sys, 'services/billing/src/service.ts', "    throw new NotImplementedError('charge');\n  }", [
      '    // USER: a charge must be positive',
      "    if (request.amount <= 0) throw new PaymentDeclinedError('the amount must be positive');",
      '    return { receiptId: this.nextReceiptId() };',
      '  }',
      '',
      '  /** USER: receipt ids are ours to make. */',
      '  private nextReceiptId(): string {',
      '    return `rcpt-${randomUUID()}`;',
      '  }',
    ].join('\n'), 'billing.charge body and helper');
    userReplace(sys, 'services/billing/test/service.test.ts', "test.todo('charge');", [
      '// USER: charge is written, so it is tested',
      "test('charge: answers a receipt id', async () => {",
      "  const response = await new BillingServiceImpl().charge({ payer: { id: 'p1', name: 'Ann', iban: 'DE89' }, amount: 10 });",
      '  assert.match(response.receiptId, /^rcpt-/);',
      '});',
    ].join('\n'), 'billing charge test');
    // Generator-owned, non-conflicting: errors.ts gets a new error class from the generator too.
    userAppend(sys, 'services/billing/src/errors.ts', [
      '',
      '// USER: an error of our own, next to the generated ones',
      'export class LedgerClosedError extends DomainError {',
      "  readonly code = 'LEDGER_CLOSED';",
      "  readonly kind = 'already_exists';",
      '}',
      '',
    ].join('\n'), 'billing errors.ts addition');
    // Generator-owned, and the generator does not change it in this step.
    userAppend(sys, 'services/ordering/src/config.ts', "\n// USER: the currency of every order\nexport const ORDER_CURRENCY = 'EUR';\n", 'ordering config.ts addition');
    addRefundEndpoint(sys);

    expectCheckFails(sys, step);
    const result = generate(sys);
    expect(result.status, output(result)).toBe(0);
    expectUserLines(sys, step);

    const service = read(sys, 'services/billing/src/service.ts');
    expect(service).toMatch(/^ {2}async refund\(request: RefundRequest\): Promise<RefundResponse> \{\n {4}throw new NotImplementedError\('refund'\);\n {2}\}$/m);
    expect(service).toMatch(/^ {2}RefundRequest,$/m);
    expect(reportLine(result, 'merge', 'services/billing/src/service.ts'), result.stderr).toMatch(/added refund/);
    const test = read(sys, 'services/billing/test/service.test.ts');
    expect(test).toContain("test.todo('refund');");
    expect(test, 'the user turned the todo of charge into a test: it must not come back').not.toContain("test.todo('charge');");
    const errors = read(sys, 'services/billing/src/errors.ts');
    expect(errors, 'the generator\'s change must be merged into the generated file the user edited').toMatch(/^export class RefundWindowClosedError extends DomainError \{$/m);
    expect(reportLine(result, 'merge', 'services/billing/src/errors.ts'), result.stderr).toBeDefined();
    expect(read(sys, 'services/billing/src/transport/http.ts')).toContain('/receipts/:receiptId/refund');

    expectBuildsAndPasses(sys, step);
    expectSettled(sys, step);
  }, 420_000);

  it('step 2: add a field to request types; user code in ordering and a translator; a user line in a generated file the generator changes', () => {
    const step = 'step 2 (add request fields)';
    userReplace(sys, 'services/ordering/src/service.ts', "import { NotImplementedError } from './errors.js';",
      "import { randomUUID } from 'node:crypto';\nimport { NotImplementedError } from './errors.js';", 'ordering imports');
    userReplace(sys, 'services/ordering/src/service.ts', "    throw new NotImplementedError('placeOrder');\n  }", [
      '    // USER: the total is the sum of the lines',
      '    const total = this.totalOf(request.lines);',
      '    return { orderId: randomUUID(), total };',
      '  }',
      '',
      '  /** USER: price times quantity, summed. */',
      "  private totalOf(lines: PlaceOrderRequest['lines']): number {",
      '    return lines.reduce((sum, line) => sum + line.price * line.quantity, 0);',
      '  }',
    ].join('\n'), 'ordering.placeOrder body and helper');
    userReplace(sys, 'services/ordering/test/service.test.ts', "test.todo('placeOrder');", [
      "test('placeOrder: totals the lines', async () => {",
      '  const service = new OrderingServiceImpl(fakeOrderingDeps());',
      "  const response = await service.placeOrder({ customer: { id: 'c1', name: 'Ann' }, lines: [{ sku: 'a', quantity: 2, price: 1.5 }, { sku: 'b', quantity: 1, price: 4 }] });",
      '  assert.equal(response.total, 7); // USER',
      '});',
    ].join('\n'), 'ordering placeOrder test');
    userReplace(sys, 'services/ordering/src/translators/billing.ts', "    iban: todo('iban'),", "    iban: 'DE00 0000 0000 0000', // USER: until customers have an IBAN", 'translator iban');
    userReplace(sys, 'services/billing/src/service.ts', '    // USER: a charge must be positive\n', [
      '    // USER: a charge must be positive',
      "    const currency = request.currency ?? 'EUR'; // USER: the new field",
      "    if (currency.length !== 3) throw new PaymentDeclinedError('unknown currency');",
      '',
    ].join('\n'), 'billing.charge uses currency');
    // Generator-owned, and the generator changes it (OrderLine gets a field): a clean three-way merge.
    userAppend(sys, 'services/ordering/src/types.ts', '\n// USER: a name of our own\nexport type OrderTotal = number;\n', 'ordering types.ts addition');
    editSpec(sys, 'request: { payer: Payer, amount: number, reference?: string }', 'request: { payer: Payer, amount: number, reference?: string, currency?: string }');
    editSpec(sys, 'OrderLine: { sku: string, quantity: integer, price: number }', 'OrderLine: { sku: string, quantity: integer, price: number, note?: string }');

    expectCheckFails(sys, step);
    const result = generate(sys);
    expect(result.status, output(result)).toBe(0);
    expectUserLines(sys, step);

    expect(read(sys, 'services/billing/src/types.ts')).toMatch(/^ {2}currency\?: string;$/m);
    expect(read(sys, 'services/ordering/src/clients/billing-types.ts')).toMatch(/^ {2}currency\?: string;$/m);
    const types = read(sys, 'services/ordering/src/types.ts');
    expect(types, 'the new field must be merged into the generated file the user edited').toMatch(/^ {2}note\?: string;$/m);
    expect(reportLine(result, 'merge', 'services/ordering/src/types.ts'), result.stderr).toBeDefined();
    expectSettled(sys, step);
  }, 120_000);

  it('step 3: rename a type (billing Receipt -> Invoice); more user code; user lines in generated files', () => {
    const step = 'step 3 (rename Receipt -> Invoice)';
    userReplace(sys, 'services/billing/src/service.ts', "import { NotImplementedError, PaymentDeclinedError } from './errors.js';\n",
      "import { NotImplementedError, PaymentDeclinedError } from './errors.js';\nimport { ReceiptNotFoundError } from './errors.js';\n", 'billing.getReceipt import');
    userReplace(sys, 'services/billing/src/service.ts', "    throw new NotImplementedError('getReceipt');\n  }", [
      '    // USER: receipts live in memory for now',
      '    const receipt = this.receipts.get(request.receiptId);',
      '    if (!receipt) throw new ReceiptNotFoundError(`no receipt ${request.receiptId}`);',
      '    return { receipt };',
      '  }',
      '',
      "  private readonly receipts = new Map<string, GetReceiptResponse['receipt']>(); // USER",
    ].join('\n'), 'billing.getReceipt body');
    userReplace(sys, 'services/shipping/src/service.ts', "    throw new NotImplementedError('schedule');\n  }", [
      '    // USER: express deliveries arrive tomorrow',
      '    const eta = request.express ? this.tomorrow() : undefined;',
      '    return { shipment: { shipmentId: `shp-${request.orderId}`, orderId: request.orderId, address: request.address, eta } };',
      '  }',
      '',
      '  private tomorrow(): string {',
      '    return new Date(Date.now() + 86_400_000).toISOString(); // USER',
      '  }',
    ].join('\n'), 'shipping.schedule body');
    userReplace(sys, 'services/shipping/test/service.test.ts', "test.todo('schedule');", [
      "test('schedule: an express shipment has an eta', async () => {",
      "  const address = { street: 'Main St 1', city: 'Springfield', postcode: '12345', country: 'US' };",
      "  const { shipment } = await new ShippingServiceImpl().schedule({ orderId: 'o1', address, express: true });",
      "  assert.equal(shipment.shipmentId, 'shp-o1'); // USER",
      '  assert.ok(shipment.eta);',
      '});',
    ].join('\n'), 'shipping schedule test');
    // Generator-owned: types.ts is changed by the rename (clean merge), errors.ts is not.
    // (Near the top, away from what the generator changes now and in step 4: an edit next to a changed line conflicts, as in git.)
    userReplace(sys, 'services/billing/src/types.ts', '// and response of every endpoint.\n', '// and response of every endpoint.\n\n// USER: receipt ids are strings\nexport type ReceiptId = string;\n', 'billing types.ts addition');
    userAppend(sys, 'services/shipping/src/errors.ts', '\n// USER: one more error\nexport const NO_CARRIER = \'NO_CARRIER\';\n', 'shipping errors.ts addition');
    renameReceiptToInvoice(sys);

    expectCheckFails(sys, step);
    const result = generate(sys);
    expect(result.status, output(result)).toBe(0);
    expectUserLines(sys, step);

    const types = read(sys, 'services/billing/src/types.ts');
    expect(types, 'the rename must be merged into the generated file the user edited').toMatch(/^export interface Invoice \{$/m);
    expect(types).not.toMatch(/^export interface Receipt \{$/m);
    expect(types).toMatch(/^ {2}receipt: Invoice;$/m);
    expect(read(sys, 'services/billing/src/transport/schemas.ts')).not.toMatch(/\bReceipt\b/);
    // (Built and tested after step 4b, with this step's code in it: one build less keeps the file's time down.)
    expectSettled(sys, step);
  }, 120_000);

  it('step 4a: remove two endpoints: the untouched stub goes with its endpoint; the method the user wrote stays with the types and error it names (deprecated), and the system builds', () => {
    const step = 'step 4a (remove billing.getReceipt and billing.refund)';
    editSpec(sys, `      getReceipt:
        http: GET /receipts/{receiptId}
        request: { receiptId: string }
        response: { receipt: Invoice }
        errors: [ReceiptNotFound]
`, '');
    editSpec(sys, REFUND_ENDPOINT.slice(REFUND_ENDPOINT.indexOf('      refund:')), '');
    expectCheckFails(sys, step);
    const result = generate(sys);
    expect(result.status, output(result)).toBe(0);
    expectUserLines(sys, step);
    const service = read(sys, 'services/billing/src/service.ts');
    expect(service, 'the untouched stub of refund goes with its endpoint').not.toMatch(/async refund\(|RefundRequest/);
    expect(service, 'a method with a body the user wrote stays').toContain('  async getReceipt(request: GetReceiptRequest): Promise<GetReceiptResponse> {');
    expect(reportLine(result, 'merge', 'services/billing/src/service.ts'), result.stderr).toMatch(/removed the untouched refund/);
    expect(reportLine(result, 'keep', 'services/billing/src/service.ts'), result.stderr).toMatch(/getReceipt no longer in the spec: kept/);
    // What getReceipt names stays, marked, until the user's code stops naming it.
    const types = read(sys, 'services/billing/src/types.ts');
    expect(types).toMatch(/^\/\*\* @deprecated GetReceiptRequest left kit\.yaml; kept while src\/service\.ts uses it/m);
    expect(types).toMatch(/^export interface GetReceiptResponse \{$/m);
    expect(types).not.toMatch(/RefundRequest/);
    expect(read(sys, 'services/billing/src/errors.ts')).toMatch(/^\/\*\* @deprecated ReceiptNotFoundError left kit\.yaml[^\n]*\*\/\nexport class ReceiptNotFoundError extends DomainError \{$/m);
    expect(reportLine(result, 'keep', 'services/billing/src/types.ts'), result.stderr).toMatch(/GetReceiptRequest, GetReceiptResponse left kit\.yaml; kept as @deprecated while src\/service\.ts uses them/);
    expect(read(sys, 'services/billing/src/transport/http.ts')).not.toContain('/receipts/');
    expectSettled(sys, step);
    expectBuildsAndPasses(sys, step);
  }, 420_000);

  it('step 4b: the user drops getReceipt; the next generate removes the declarations kept for it, and the system builds', () => {
    const step = 'step 4b (the user drops getReceipt)';
    expect(dropGetReceipt(), 'the method getReceipt to drop').toBe(true);
    const result = generate(sys);
    expect(result.status, output(result)).toBe(0);
    expectUserLines(sys, step);
    expect(read(sys, 'services/billing/src/types.ts')).not.toMatch(/GetReceipt|@deprecated/);
    expect(read(sys, 'services/billing/src/errors.ts')).not.toMatch(/ReceiptNotFound|@deprecated/);
    expect(result.stderr).not.toMatch(/^= keep/m);
    expectSettled(sys, step);
    expectBuildsAndPasses(sys, step);
  }, 420_000);

  it('step 5a: add a context; the user writes in its service.ts and in one of its generated files', () => {
    const step = 'step 5a (add context reviews)';
    repairAfterStep4();
    addReviewsContext(sys);
    expectCheckFails(sys, step);
    const result = generate(sys);
    expect(result.status, output(result)).toBe(0);
    for (const file of ['src/service.ts', 'src/types.ts', 'src/config.ts', 'src/transport/http.ts', 'test/contract.test.ts', 'test/service.test.ts', 'package.json', 'Dockerfile']) {
      expect(reportLine(result, 'create', `services/reviews/${file}`), `${file}\n${result.stderr}`).toBeDefined();
    }
    expect(JSON.parse(read(sys, 'package.json')).workspaces).toContain('services/reviews');
    expect(read(sys, 'docker-compose.yml')).toMatch(/^ {2}reviews:$/m);
    expectUserLines(sys, step);
    expectSettled(sys, step);

    userReplace(sys, 'services/reviews/src/service.ts', "    throw new NotImplementedError('postReview');\n  }", [
      '    // USER: every review is accepted',
      '    return { review: { reviewId: `rev-${request.sku}`, sku: request.sku, stars: request.stars, text: request.text } };',
      '  }',
    ].join('\n'), 'reviews.postReview body');
    userAppend(sys, 'services/reviews/src/config.ts', '\n// USER: five stars at most\nexport const MAX_STARS = 5;\n', 'reviews config.ts addition');
    expectSettled(sys, `${step}, after the user's edits`);
    expectBuildsAndPasses(sys, step);
  }, 420_000);

  it('step 5b: remove the context again: its untouched files are deleted, the two the user edited kept and reported', () => {
    const step = 'step 5b (remove context reviews)';
    editSpec(sys, REVIEWS_CONTEXT, '');
    expectCheckFails(sys, step);
    const result = generate(sys);
    expect(result.status, output(result)).toBe(0);
    expectUserLines(sys, step);
    for (const file of ['src/service.ts', 'src/config.ts']) {
      expect(existsSync(join(sys, 'services/reviews', file)), file).toBe(true);
      expect(reportLine(result, 'keep', `services/reviews/${file}`), `${file}\n${result.stderr}`).toBeDefined();
    }
    for (const file of ['src/types.ts', 'src/errors.ts', 'src/transport/http.ts', 'test/contract.test.ts', 'test/service.test.ts', 'package.json', 'Dockerfile', 'tsconfig.json']) {
      expect(existsSync(join(sys, 'services/reviews', file)), `${file} should be deleted`).toBe(false);
      expect(reportLine(result, 'delete', `services/reviews/${file}`), `${file}\n${result.stderr}`).toBeDefined();
    }
    expect(JSON.parse(read(sys, 'package.json')).workspaces).not.toContain('services/reviews');
    expect(read(sys, 'docker-compose.yml')).not.toMatch(/reviews/);
    expect(existsSync(join(sys, '.kit/base/services/reviews'))).toBe(false);
    expect(read(sys, '.kit/manifest.json')).not.toContain('services/reviews/');
    expectSettled(sys, step);
    expectBuildsAndPasses(sys, step);
  }, 420_000);

  it('step 6: a conflicting edit of a generated file: exit 1 and markers with both lines; resolved by hand, generate exits 0 and changes nothing', () => {
    const step = 'step 6 (conflict in shipping/src/config.ts)';
    const config = 'services/shipping/src/config.ts';
    const userLine = "    port: integer(env, 'PORT', 9183, 0, 65535), // USER: our own port";
    userReplace(sys, config, "    port: integer(env, 'PORT', 8083, 0, 65535),", userLine, 'shipping port line');
    // The generator changes that very line, and the SHIPPING_URL default in ordering's config.ts (which the user edited in step 1).
    editSpec(sys, '    port: 8083\n', '    port: 8093\n');
    expectCheckFails(sys, step);

    const result = generate(sys);
    expect(result.status, `a conflict must exit 1\n${output(result)}`).toBe(1);
    expect(reportLine(result, 'conflict', config), result.stderr).toBeDefined();
    expect(result.stderr).toMatch(/1 file\(s\) have conflicts/);
    expectUserLines(sys, step);
    const text = read(sys, config);
    const start = text.indexOf(`<<<<<<< yours: ${config}`);
    const middle = text.indexOf('\n=======\n', start);
    const end = text.indexOf('\n>>>>>>> generated now', middle);
    expect(start, `no conflict markers in ${config}:\n${text}`).toBeGreaterThanOrEqual(0);
    expect(middle).toBeGreaterThan(start);
    expect(end).toBeGreaterThan(middle);
    expect(text.slice(start, middle), 'the user\'s line sits on their side').toContain(userLine);
    expect(text.slice(middle, end), 'the generator\'s line sits on its side').toContain("    port: integer(env, 'PORT', 8093, 0, 65535),");
    // Outside the conflict the generator's other change of the same file was merged.
    expect(text).toContain('/** PORT, default 8093. */');
    // Other files: ordering's config.ts merged (the user's lines and the new URL), the Dockerfile rewritten.
    expect(read(sys, 'services/ordering/src/config.ts'), 'a clean merge of ordering/src/config.ts').toContain("shipping: url(env, 'SHIPPING_URL', 'http://127.0.0.1:8093'),");
    expect(read(sys, 'services/shipping/Dockerfile')).toContain('8093');

    // Run again before resolving: still exit 1, nothing written, the markers stay.
    const before = snapshotTree(sys);
    const again = generate(sys);
    expect(again.status, output(again)).toBe(1);
    expect(reportLine(again, 'conflict', config), again.stderr).toBeDefined();
    expect(diffSnapshots(before, snapshotTree(sys))).toEqual([]);

    // Resolved by hand: the user keeps their line.
    const conflictEnd = end + '\n>>>>>>> generated now'.length;
    writeFileSync(join(sys, config), `${text.slice(0, start)}${userLine}${text.slice(conflictEnd)}`);
    expect(read(sys, config)).not.toMatch(/^(<<<<<<<|=======|>>>>>>>|\|\|\|\|\|\|\|)/m);
    const resolved = snapshotTree(sys);
    const after = generate(sys);
    expect(after.status, output(after)).toBe(0);
    expect(diffSnapshots(resolved, snapshotTree(sys)), `generate after the resolution changed files\n${output(after)}`).toEqual([]);
    expectUserLines(sys, `${step}, resolved`);
    expectSettled(sys, `${step}, resolved`);
    expectBuildsAndPasses(sys, `${step}, resolved`);
  }, 420_000);
});

/** The user deletes the method getReceipt that generate kept, with the imports and the field it needed; false when it is not there. */
function dropGetReceipt(): boolean {
  const file = 'services/billing/src/service.ts';
  let text = read(sys, file);
  const from = text.indexOf('  /** GetReceipt (no description in the spec yet). */');
  const to = text.indexOf("  private readonly receipts = new Map<string, GetReceiptResponse['receipt']>(); // USER\n");
  if (from === -1 || to < from) return false;
  text = text.slice(0, from).replace(/\n+$/, '\n') + text.slice(to).replace(/^.*\n/, '');
  text = text.replace("import { ReceiptNotFoundError } from './errors.js';\n", '').replace(/^ *GetReceipt(Request|Response),?\n/gm, '');
  writeFileSync(join(sys, file), text);
  forget('billing.getReceipt import');
  forget('billing.getReceipt body');
  return true;
}

/**
 * When step 4 failed (the stub of refund or its imports left behind, getReceipt not dropped), the
 * later steps would fail for that alone; the user cleans it up, so that each step shows its own result.
 */
function repairAfterStep4(): void {
  if (dropGetReceipt()) console.warn('step 5a: dropped getReceipt, as step 4b would have');
  const file = join(sys, 'services/billing/src/service.ts');
  let text = readFileSync(file, 'utf8');
  const original = text;
  text = text.replace(/\n {2}\/\*\* Refund a receipt \*\/\n {2}async refund\([^]*?\n {2}\}\n/, '\n').replace(/^ *Refund(Request|Response),?\n/gm, '');
  if (text !== original) {
    console.warn('step 5a: removed what step 4 left of billing.refund in service.ts, so that step 4\'s failure does not fail the later steps');
    writeFileSync(file, text);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * The change both runs of a crash test make: user edits (in a user-owned and two generated files)
 * and a spec change that creates, updates, merges and deletes files: billing gets an endpoint and a
 * renamed type, a reviews context comes, the shipping context goes (with ordering's use of it).
 */
function crashScenario(dir: string): void {
  userReplace(dir, 'services/billing/src/service.ts', "    throw new NotImplementedError('charge');", "    return { receiptId: 'r1' }; // USER", 'crash', false);
  userAppend(dir, 'services/billing/src/errors.ts', '\n// USER: a line in a generated file\n', 'crash', false);
  userAppend(dir, 'services/ordering/src/config.ts', '\n// USER: another line in a generated file\n', 'crash', false);
  userReplace(dir, 'services/shipping/src/service.ts', "    throw new NotImplementedError('schedule');", "    throw new Error('USER: not yet');", 'crash', false);
  addRefundEndpoint(dir);
  renameReceiptToInvoice(dir);
  addReviewsContext(dir);
  editSpec(dir, '      shipping:\n        endpoints: [schedule]\n', '');
  const spec = read(dir, 'kit.yaml');
  const at = spec.indexOf('  shipping:\n    description: Plans');
  writeFileSync(join(dir, 'kit.yaml'), spec.slice(0, at));
}

/** When the manifests differ: the entries that do, from the clean run and from the rerun. */
function describeManifestDifference(dir: string, differences: string[]): string {
  if (!differences.includes('~ .kit/manifest.json')) return '';
  const files = (root: string) => (JSON.parse(read(root, '.kit/manifest.json')) as { files: Record<string, unknown> }).files;
  const mine = files(dir);
  const theirs = files(join(work, 'crash-clean'));
  return Object.keys({ ...mine, ...theirs })
    .filter((path) => JSON.stringify(mine[path]) !== JSON.stringify(theirs[path]))
    .map((path) => `manifest entry ${path}: clean run ${JSON.stringify(theirs[path])}, after the rerun ${JSON.stringify(mine[path])}`)
    .join('\n');
}

describe('generate killed part-way, then run again', () => {
  let clean: Record<string, string>;
  /** Renames and deletions of code (outside .kit/) in a clean run: all of them come before the record's. */
  let codeSteps = 0;

  beforeAll(() => {
    const dir = join(work, 'crash-clean');
    copySystem(pristine, dir);
    crashScenario(dir);
    const before = snapshotTree(dir);
    const result = generate(dir);
    if (result.status !== 0) throw new Error(`the clean run failed\n${output(result)}`);
    clean = snapshotTree(dir);
    codeSteps = diffSnapshots(before, clean).filter((line) => !line.slice(2).startsWith('.kit/')).length;
  }, 120_000);

  const cases: [string, () => number][] = [
    ['after 5 renames or deletions', () => 5],
    ['after the last change of the code, before any of .kit/', () => codeSteps],
  ];
  it.each(cases)('killed %s: the next run exits 0 and leaves exactly the tree of a clean run; a third changes nothing', (name, after) => {
    const n = after();
    expect(n).toBeGreaterThanOrEqual(5);
    const dir = join(work, `crash-${cases.findIndex(([label]) => label === name)}`);
    copySystem(pristine, dir);
    crashScenario(dir);
    const before = snapshotTree(dir);
    const manifestBefore = read(dir, '.kit/manifest.json');

    const crashed = generate(dir, [], { CREATE_KIT_SERVICE_CRASH_AFTER: String(n) });
    expect(crashed.status === 0, `generate with CREATE_KIT_SERVICE_CRASH_AFTER=${n} did not die\n${output(crashed)}`).toBe(false);
    expect(crashed.signal ?? crashed.status).toBeTruthy();
    expect(diffSnapshots(before, snapshotTree(dir)).length, 'the killed run changed nothing: it died too early to test anything').toBeGreaterThan(0);
    if (n === codeSteps) {
      expect(read(dir, '.kit/manifest.json'), '.kit/ is written last: killed before it, the record is the old one').toBe(manifestBefore);
    }

    const rerun = generate(dir);
    expect(rerun.status, output(rerun)).toBe(0);
    const differences = diffSnapshots(clean, snapshotTree(dir));
    // Two checks, both reported: no temporary file of the killed run is left, and every other file is the clean run's.
    const leftovers = differences.filter((line) => /\.kit-tmp-\d+$/.test(line));
    expect.soft(leftovers, 'temporary files of the killed run are left behind').toEqual([]);
    const others = differences.filter((line) => !leftovers.includes(line));
    expect.soft(others, `the tree after the crash and a rerun differs from a clean run's\n${output(rerun)}\n${describeManifestDifference(dir, others)}`).toEqual([]);
    expectSettled(dir, `crash after ${n}`);
  }, 120_000);
});
