import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { output, run as runCommand } from '../helpers/run-command.js';
import { startService, stop, stopAll, type RunningService } from '../helpers/service-process.js';
import { snapshotTree } from '../helpers/system-tree.js';

/**
 * `rename` through the real binary on the installed example system, with code of the user in every
 * file that is theirs (each service, each test file, the translator, and a module of their own):
 * an endpoint whose route is made of its name, a type a translator uses, a field read in method
 * bodies, and a context another one calls. After each rename the user's files are exactly what
 * they were with the names changed, the system builds and passes its tests, the renamed route
 * answers over HTTP, and generate right after it writes nothing.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
let work: string;
let system: string;

const cli = (args: string[], cwd = system) => runCommand(process.execPath, [bin, ...args], cwd, 300_000);
const npm = (args: string[]) => {
  const result = runCommand('npm', args, system, 600_000);
  expect(result.status, `npm ${args.join(' ')}\n${output(result)}`).toBe(0);
  return result;
};
const path = (file: string) => join(system, file);
const read = (file: string) => readFileSync(path(file), 'utf8');
const write = (file: string, text: string) => writeFileSync(path(file), text);

/** `text` with each [from, to, times] replaced, after checking it occurs exactly that many times. */
function renamed(text: string, ...changes: [from: string, to: string, times: number][]): string {
  for (const [from, to, times] of changes) {
    expect(text.split(from).length - 1, `occurrences of ${JSON.stringify(from)}`).toBe(times);
    text = text.split(from).join(to);
  }
  return text;
}

/** Replaces one exact piece of a file (which must be there), as the user edits it. */
function edit(file: string, from: string, to: string): void {
  const text = read(file);
  expect(text, `${file} holds ${from}`).toContain(from);
  write(file, text.replace(from, to));
}

/** Runs the rename; it must succeed, and generate right after it must write nothing. */
function rename(args: string[]) {
  const result = cli(['rename', ...args]);
  expect(result.status, output(result)).toBe(0);
  const before = snapshotTree(system);
  const again = cli(['generate']);
  expect(again.status, output(again)).toBe(0);
  expect(again.stderr).toContain('already up to date; nothing written');
  expect(snapshotTree(system)).toEqual(before);
  return result;
}

function buildAndTest(): void {
  npm(['run', 'build']);
  const tested = npm(['test']);
  expect(tested.stdout).toMatch(/^# pass [1-9]/m);
  expect(tested.stdout).not.toMatch(/^# fail [1-9]/m);
}

async function post(service: RunningService, route: string, body: unknown) {
  const reply = await fetch(`${service.base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: reply.status, body: (await reply.json()) as unknown };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cks-rename-'));
  // Installed, and a git repository with its first commit: the context's folder moves with git mv.
  const created = cli(['shop', '--example', '--yes'], work);
  expect(created.status, output(created)).toBe(0);
  system = join(work, 'shop');

  // The user's code, in every file that is theirs.
  edit('services/billing/src/service.ts', "import { NotImplementedError } from './errors.js';", "import { NotImplementedError, PaymentDeclinedError } from './errors.js';");
  edit(
    'services/billing/src/service.ts',
    "    throw new NotImplementedError('charge');\n  }",
    "    if (request.amount <= 0) throw new PaymentDeclinedError(`nothing to charge to ${request.payer.iban}`);\n    return { receiptId: `r-${request.payer.iban}-${request.amount}` }; // mine\n  }\n\n  /** Mine: charges twice. */\n  private async chargeTwice(request: ChargeRequest): Promise<ChargeResponse> {\n    await this.charge(request);\n    return this.charge(request);\n  }",
  );
  edit('services/billing/test/service.test.ts', "test.todo('charge');", "test('charge: charges the payer', async () => {\n  const service = new BillingServiceImpl();\n  assert.deepEqual(await service.charge({ payer: { id: 'p', name: 'P', iban: 'DE1' }, amount: 5 }), { receiptId: 'r-DE1-5' });\n});");
  edit(
    'services/ordering/src/service.ts',
    "    throw new NotImplementedError('placeOrder');",
    "    const payer = this.deps.billingTranslators.toPayer(request.customer);\n    const total = request.lines.reduce((sum, line) => sum + line.price * line.quantity, 0);\n    const charge = 'a local named like the endpoint'; // stays as it is\n    await this.deps.billing.charge({ payer, amount: total, reference: charge.slice(0, 3) });\n    return { orderId: randomUUID(), total };",
  );
  edit('services/ordering/src/service.ts', "import { NotImplementedError } from './errors.js';", "import { randomUUID } from 'node:crypto';\nimport { NotImplementedError } from './errors.js';");
  edit('services/ordering/src/translators/billing.ts', "    // TODO: iban (string): this context's Customer has no field of that name\n    iban: todo('iban'),", "    iban: customer.email ?? 'unknown', // mine");
  edit(
    'services/ordering/test/service.test.ts',
    "test.todo('placeOrder');",
    "test('placeOrder: charges the customer through billing', async () => {\n  const deps = fakeOrderingDeps({ billing: { charge: async (request) => ({ receiptId: `r-${request.payer.iban}` }) } });\n  const response = await new OrderingServiceImpl(deps).placeOrder({ customer: { id: 'c', name: 'C', email: 'c@x' }, lines: [{ sku: 's', quantity: 2, price: 3 }] });\n  assert.equal(response.total, 6);\n});",
  );
  write(
    'services/ordering/src/receipts.ts',
    "import type { OrderingDeps } from './dependencies.js';\nimport type * as Billing from './clients/billing-types.js';\n\n/** Mine: charges a payer twice. */\nexport async function chargeTwice(deps: OrderingDeps, payer: Billing.Payer): Promise<string[]> {\n  const first = await deps.billing.charge({ payer, amount: 1 });\n  const second = await deps.billing.charge({ payer, amount: 1 });\n  return [first.receiptId, second.receiptId];\n}\n",
  );
  edit('services/shipping/src/service.ts', "    throw new NotImplementedError('schedule');", '    return { shipment: { shipmentId: `s-${request.orderId}`, orderId: request.orderId, address: request.address } }; // mine');
  edit(
    'services/shipping/test/service.test.ts',
    "test.todo('schedule');",
    "test('schedule: plans the shipment', async () => {\n  const address = { street: 'a', city: 'b', postcode: 'c', country: 'd' };\n  assert.equal((await new ShippingServiceImpl().schedule({ orderId: 'o', address })).shipment.shipmentId, 's-o');\n});",
  );
  const git = (args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { cwd: system, encoding: 'utf8' });
  expect(git(['add', '--all']).status).toBe(0);
  expect(git(['commit', '--quiet', '-m', 'the user writes code']).status).toBe(0);
}, 900_000);

afterAll(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

describe('rename on an installed system the user wrote code in', () => {
  it('refuses a name that is taken or clashes with the user\'s own, and --dry-run prints the change: nothing is written', () => {
    const before = snapshotTree(system);
    const taken = cli(['rename', 'endpoint', 'ordering', 'getOrder', 'listOrders']);
    expect(taken.status).toBe(1);
    expect(taken.stderr).toMatch(/error: kit\.yaml:\d+:\d+: endpoint "listOrders" already exists in context "ordering"/);
    const invalid = cli(['rename', 'type', 'ordering', 'Customer', 'PlaceOrderRequest']);
    expect(invalid.status).toBe(1);
    expect(invalid.stderr).toMatch(/kit\.yaml:\d+:\d+: error: type "PlaceOrderRequest" collides with the request type of endpoint "placeOrder"/);
    const mine = cli(['rename', 'endpoint', 'billing', 'getReceipt', 'chargeTwice']);
    expect(mine.status).toBe(1);
    expect(mine.stderr).toMatch(/error: services\/billing\/src\/service\.ts:\d+:\d+: class BillingServiceImpl already has a member "chargeTwice"/);
    const dry = cli(['rename', 'endpoint', 'billing', 'charge', 'debit', '--dry-run']);
    expect(dry.status, output(dry)).toBe(0);
    expect(dry.stdout).toContain('--- a/services/ordering/src/service.ts\n+++ b/services/ordering/src/service.ts');
    expect(dry.stdout).toContain('-    await this.deps.billing.charge({ payer, amount: total, reference: charge.slice(0, 3) });\n+    await this.deps.billing.debit({ payer, amount: total, reference: charge.slice(0, 3) });');
    expect(dry.stderr).toContain('(dry run: nothing written');
    expect(snapshotTree(system)).toEqual(before);
  });

  it('renames an endpoint: its method, every call and test of it, in its context and its caller; the new route answers', async () => {
    const billing = read('services/billing/src/service.ts');
    const billingTest = read('services/billing/test/service.test.ts');
    const ordering = read('services/ordering/src/service.ts');
    const orderingTest = read('services/ordering/test/service.test.ts');
    const receipts = read('services/ordering/src/receipts.ts');
    const result = rename(['endpoint', 'billing', 'charge', 'debit']);
    expect(result.stderr).toContain('! breaking for callers of billing: POST /charge -> POST /debit');
    expect(read('services/billing/src/service.ts')).toBe(renamed(billing, ['ChargeRequest', 'DebitRequest', 3], ['ChargeResponse', 'DebitResponse', 3], ['async charge(', 'async debit(', 1], ['this.charge(', 'this.debit(', 2]));
    expect(read('services/billing/test/service.test.ts')).toBe(renamed(billingTest, ["test('charge: charges", "test('debit: charges", 1], ['service.charge(', 'service.debit(', 1]));
    expect(read('services/ordering/src/service.ts')).toBe(renamed(ordering, ['billing.charge(', 'billing.debit(', 1]));
    expect(read('services/ordering/test/service.test.ts')).toBe(renamed(orderingTest, ['{ charge: async', '{ debit: async', 1]));
    expect(read('services/ordering/src/receipts.ts')).toBe(renamed(receipts, ['billing.charge(', 'billing.debit(', 2]));

    buildAndTest();
    const service = await startService(path('services/billing'));
    expect(await post(service, '/debit', { payer: { id: 'p', name: 'P', iban: 'DE1' }, amount: 5 })).toEqual({ status: 200, body: { receiptId: 'r-DE1-5' } });
    expect((await post(service, '/charge', { payer: { id: 'p', name: 'P', iban: 'DE1' }, amount: 5 })).status).toBe(404);
    stop(service.pid);
    await service.exited;
  }, 900_000);

  it('renames a type a translator uses: the translator functions named after it, and every use of both', () => {
    const translator = read('services/ordering/src/translators/billing.ts');
    const ordering = read('services/ordering/src/service.ts');
    const receipts = read('services/ordering/src/receipts.ts');
    rename(['type', 'billing', 'Payer', 'Debtor']);
    // toPayer is the user's (they mapped iban): renamed. fromPayer they never touched: as the generator now writes it.
    const fromPayer = /\/\*\* billing's Payer as this context's Customer\. \*\/\nexport function fromPayer[^]*?\n\}\n/.exec(translator)![0];
    const fromDebtor = renamed(fromPayer, ["billing's Payer", "billing's Debtor", 2], ['fromPayer(payer: Billing.Payer)', 'fromDebtor(debtor: Billing.Debtor)', 1], ['payer.', 'debtor.', 2]);
    expect(read('services/ordering/src/translators/billing.ts')).toBe(renamed(translator.replace(fromPayer, fromDebtor), ['toPayer(customer: T.Customer): Billing.Payer {', 'toDebtor(customer: T.Customer): Billing.Debtor {', 1]));
    expect(read('services/ordering/src/service.ts')).toBe(renamed(ordering, ['billingTranslators.toPayer(', 'billingTranslators.toDebtor(', 1]));
    expect(read('services/ordering/src/receipts.ts')).toBe(renamed(receipts, ['Billing.Payer', 'Billing.Debtor', 1]));
    buildAndTest();
  }, 900_000);

  it('renames a field read in method bodies, in object literals and in the translator; the route takes the new JSON field', async () => {
    const billing = read('services/billing/src/service.ts');
    const billingTest = read('services/billing/test/service.test.ts');
    const translator = read('services/ordering/src/translators/billing.ts');
    const orderingTest = read('services/ordering/test/service.test.ts');
    const result = rename(['field', 'billing', 'Debtor', 'iban', 'accountNumber']);
    expect(result.stderr).toContain('! breaking for callers of billing: JSON field Debtor.iban -> accountNumber (POST /debit)');
    expect(read('services/billing/src/service.ts')).toBe(renamed(billing, ['request.payer.iban', 'request.payer.accountNumber', 2]));
    expect(read('services/billing/test/service.test.ts')).toBe(renamed(billingTest, ["iban: 'DE1'", "accountNumber: 'DE1'", 1]));
    expect(read('services/ordering/src/translators/billing.ts')).toBe(renamed(translator, ["    iban: customer.email ?? 'unknown', // mine", "    accountNumber: customer.email ?? 'unknown', // mine", 1]));
    expect(read('services/ordering/test/service.test.ts')).toBe(renamed(orderingTest, ['request.payer.iban', 'request.payer.accountNumber', 1]));
    buildAndTest();
    const service = await startService(path('services/billing'));
    expect(await post(service, '/debit', { payer: { id: 'p', name: 'P', accountNumber: 'DE1' }, amount: 5 })).toEqual({ status: 200, body: { receiptId: 'r-DE1-5' } });
    expect((await post(service, '/debit', { payer: { id: 'p', name: 'P', iban: 'DE1' }, amount: 5 })).status).toBe(400);
    stop(service.pid);
    await service.exited;
  }, 900_000);

  it('renames a context another one calls: its folder moves with git mv, the caller\'s client, translator and code follow; both answer', async () => {
    const payments = read('services/billing/src/service.ts');
    const paymentsTest = read('services/billing/test/service.test.ts');
    const ordering = read('services/ordering/src/service.ts');
    const orderingTest = read('services/ordering/test/service.test.ts');
    const translator = read('services/ordering/src/translators/billing.ts');
    const receipts = read('services/ordering/src/receipts.ts');
    const result = rename(['context', 'billing', 'payments']);
    expect(result.stderr).toContain('> move     services/billing -> services/payments  (git mv)');
    expect(result.stderr).toContain('ordering reads PAYMENTS_URL instead of BILLING_URL');
    expect(existsSync(path('services/billing'))).toBe(false);
    const status = spawnSync('git', ['status', '--porcelain'], { cwd: system, encoding: 'utf8' }).stdout;
    expect(status).toMatch(/^R. services\/billing\/src\/service\.ts -> services\/payments\/src\/service\.ts$/m);
    expect(status).toMatch(/^R {2}services\/billing\/src\/errors\.ts -> services\/payments\/src\/errors\.ts$/m);
    expect(status).toMatch(/R. services\/ordering\/src\/translators\/billing\.ts -> services\/ordering\/src\/translators\/payments\.ts/);

    expect(read('services/payments/src/service.ts')).toBe(renamed(payments, ['BillingService', 'PaymentsService', 3]));
    // The code is renamed; the generator's example comments above the pending tests stay as they are.
    expect(read('services/payments/test/service.test.ts')).toBe(
      renamed(paymentsTest, ["import { BillingServiceImpl } from", "import { PaymentsServiceImpl } from", 1], ['assert.ok(new BillingServiceImpl());', 'assert.ok(new PaymentsServiceImpl());', 1], ['const service = new BillingServiceImpl();', 'const service = new PaymentsServiceImpl();', 1]),
    );
    expect(read('services/ordering/src/service.ts')).toBe(renamed(ordering, ['this.deps.billingTranslators.', 'this.deps.paymentsTranslators.', 1], ['this.deps.billing.', 'this.deps.payments.', 1]));
    expect(read('services/ordering/test/service.test.ts')).toBe(renamed(orderingTest, ['fakeOrderingDeps({ billing: {', 'fakeOrderingDeps({ payments: {', 1]));
    // fromDebtor, which the user never touched, is as the generator now writes it: its comments name payments.
    expect(read('services/ordering/src/translators/payments.ts')).toBe(
      renamed(translator, ["import type * as Billing from '../clients/billing-types.js';", "import type * as Payments from '../clients/payments-types.js';", 1], ['Billing.Debtor', 'Payments.Debtor', 2], ["billing's Debtor", "payments's Debtor", 2]),
    );
    expect(read('services/ordering/src/receipts.ts')).toBe(renamed(receipts, ["'./clients/billing-types.js'", "'./clients/payments-types.js'", 1], ['deps.billing.', 'deps.payments.', 2]));
    expect(read('docker-compose.yml')).toMatch(/\n {2}payments:\n/);

    // The workspace moved: npm links it anew.
    npm(['install', '--no-audit', '--no-fund']);
    buildAndTest();
    const service = await startService(path('services/payments'));
    expect(await post(service, '/debit', { payer: { id: 'p', name: 'P', accountNumber: 'DE1' }, amount: 5 })).toEqual({ status: 200, body: { receiptId: 'r-DE1-5' } });
    // ordering calls payments through its renamed client and translator.
    const caller = await startService(path('services/ordering'), { env: { PAYMENTS_URL: service.base } });
    const order = await post(caller, '/orders', { customer: { id: 'c', name: 'C', email: 'c@x' }, lines: [{ sku: 's', quantity: 2, price: 3 }] });
    expect(order.status, JSON.stringify(order.body)).toBe(200);
    expect(order.body).toMatchObject({ total: 6 });
    stop(caller.pid);
    stop(service.pid);
    await Promise.all([caller.exited, service.exited]);
  }, 900_000);
});
