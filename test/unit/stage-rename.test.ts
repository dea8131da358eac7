import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build-model.js';
import { describeWireChanges } from '../../src/model/describe-wire-changes.js';
import type { ProtoNumbers } from '../../src/model/number-proto-fields.js';
import { renameProtoNumbers } from '../../src/model/rename-proto-numbers.js';
import { MANIFEST_PATH } from '../../src/plan/manifest.js';
import { planRename } from '../../src/plan/plan-rename.js';
import { stageRename } from '../../src/plan/stage-rename.js';
import { planSystem } from '../../src/plan/plan-system.js';
import { PROTO_NUMBERS_PATH, stageSystem, TEMPLATES_DIR } from '../../src/plan/stage-system.js';
import { createRenderer } from '../../src/render/create-renderer.js';
import { parseSpec, type SpecSource } from '../../src/spec/load-spec.js';
import { renameInSpec, type RenameRequest } from '../../src/spec/rename-in-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';
import { commitTree } from '../../src/tree/commit-tree.js';
import { memoryFileSystem, type MemoryFileSystem } from '../../src/tree/memory-file-system.js';
import { movedFileSystem } from '../../src/tree/moved-file-system.js';
import { VirtualTree } from '../../src/tree/virtual-tree.js';

/**
 * A rename staged in memory as the command stages it (kit.yaml, the user's code, the record, then
 * the apply step of generate), on systems whose user files were edited: what lands in the files
 * and in `.kit/`, and that generate right after it changes nothing.
 */

const ROOT = '/system';

async function generate(fs: MemoryFileSystem, source: SpecSource) {
  const { spec, problems } = validateSpec(source);
  expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  const tree = new VirtualTree(ROOT, fs);
  tree.write('kit.yaml', source.text);
  const staged = await stageSystem(tree, spec!);
  const changes = tree.changes();
  commitTree(tree);
  return { staged, changes };
}

/** What rename.ts does, with the moves made on the in-memory disk. */
async function rename(fs: MemoryFileSystem, request: RenameRequest) {
  const source = parseSpec('kit.yaml', read(fs, 'kit.yaml')!);
  const { source: edited, rename: resolved } = renameInSpec(source, request);
  const numbers = JSON.parse(read(fs, PROTO_NUMBERS_PATH) ?? '{}') as ProtoNumbers;
  const before = buildModel(validateSpec(source).spec!, numbers);
  const after = buildModel(validateSpec(edited).spec!, renameProtoNumbers(numbers, resolved));
  const plan = planRename(before, after, resolved);
  const moves = plan.moves.filter((move) => fs.exists(`${ROOT}/${move.from}`));
  const view = movedFileSystem(fs, ROOT, moves);
  const tree = new VirtualTree(ROOT, view);
  const renamed = await stageRename(tree, plan, {
    protoNumbers: (current) => renameProtoNumbers(current, resolved),
    planned: async () => new Map(planSystem(after, await createRenderer(TEMPLATES_DIR)).map((file) => [file.path, file.content])),
  });
  tree.write('kit.yaml', edited.text);
  const staged = await stageSystem(tree, validateSpec(edited).spec!);
  for (const move of moves) {
    const files = fs.readFile(`${ROOT}/${move.from}`) !== undefined ? [''] : fs.listFiles(`${ROOT}/${move.from}`).map((file) => `/${file}`);
    for (const file of files) {
      fs.mkdirp(`${ROOT}/${move.to}${file}`.replace(/\/[^/]*$/, ''));
      fs.rename(`${ROOT}/${move.from}${file}`, `${ROOT}/${move.to}${file}`);
    }
  }
  view.settle();
  const changes = tree.changes();
  commitTree(tree);
  return { renamed, staged, changes, wire: describeWireChanges(before, after, resolved), edited };
}

const read = (fs: MemoryFileSystem, path: string) => fs.readFile(`${ROOT}/${path}`);
const edit = (fs: MemoryFileSystem, path: string, from: string, to: string) => {
  const text = read(fs, path)!;
  expect(text, `${path} holds ${from}`).toContain(from);
  fs.writeFile(`${ROOT}/${path}`, text.replace(from, to));
};
const manifest = (fs: MemoryFileSystem) => JSON.parse(read(fs, MANIFEST_PATH)!) as { files: Record<string, { owner: string; symbols?: string[] }> };

const shop = `name: shop
contexts:
  ordering:
    types:
      Customer: { id: string, name: string }
    endpoints:
      placeOrder:
        request: { customer: Customer }
        response: { orderId: string }
    uses:
      billing:
        endpoints: [charge]
        translate: { Payer: Customer }
  billing:
    types:
      Payer: { id: string, name: string }
    endpoints:
      charge:
        request: { payer: Payer, amount: number }
        response: { receiptId: string }
        errors: [PaymentDeclined]
`;

/** The example shop with code written by the user in ordering's service and translator, and billing's service. */
async function shopWithUserCode(): Promise<MemoryFileSystem> {
  const fs = memoryFileSystem();
  await generate(fs, parseSpec('kit.yaml', shop));
  edit(fs, 'services/ordering/src/service.ts', "throw new NotImplementedError('placeOrder');", 'const payer = this.deps.billingTranslators.toPayer(request.customer);\n    const { receiptId } = await this.deps.billing.charge({ payer, amount: 1 });\n    return { orderId: receiptId };');
  edit(fs, 'services/ordering/src/translators/billing.ts', '    name: customer.name,', '    name: customer.name.trim(), // mine');
  edit(fs, 'services/billing/src/service.ts', "throw new NotImplementedError('charge');", "if (request.amount < 0) throw new PaymentDeclinedError('negative');\n    return { receiptId: request.payer.id };");
  edit(fs, 'services/billing/src/service.ts', "import { NotImplementedError } from './errors.js';", "import { NotImplementedError, PaymentDeclinedError } from './errors.js';");
  return fs;
}

describe('a rename staged in memory', () => {
  it('renames an endpoint in its context and in its caller, records the new method, and generate then changes nothing', async () => {
    const fs = await shopWithUserCode();
    const { renamed, wire, edited } = await rename(fs, { kind: 'endpoint', context: 'billing', from: 'charge', to: 'debit' });
    expect(edited.text).toBe(shop.replace('endpoints: [charge]', 'endpoints: [debit]').replace('      charge:\n', '      debit:\n'));
    expect(renamed).toEqual([
      { path: 'services/billing/src/service.ts', action: 'rename', detail: '5 places' },
      { path: 'services/ordering/src/service.ts', action: 'rename', detail: '1 place' },
    ]);
    expect(read(fs, 'services/billing/src/service.ts')).toContain('  async debit(request: DebitRequest): Promise<DebitResponse> {\n    if (request.amount < 0)');
    expect(read(fs, 'services/ordering/src/service.ts')).toContain('await this.deps.billing.debit({ payer, amount: 1 });');
    expect(manifest(fs).files['services/billing/src/service.ts']!.symbols).toEqual(['debit']);
    expect(read(fs, '.kit/base/services/billing/src/service.ts')).toContain('async debit(');
    expect(wire).toEqual([{ context: 'billing', change: 'POST /charge -> POST /debit', breaking: true }]);
    expect((await generate(fs, parseSpec('kit.yaml', read(fs, 'kit.yaml')!))).changes).toEqual([]);
  });

  it('renames a translated type: the caller\'s translator functions and their calls; an edited mapping stays the user\'s', async () => {
    const fs = await shopWithUserCode();
    await rename(fs, { kind: 'type', context: 'billing', from: 'Payer', to: 'Debtor' });
    const translator = read(fs, 'services/ordering/src/translators/billing.ts')!;
    expect(translator).toContain('export function toDebtor(customer: T.Customer): Billing.Debtor {\n  return {\n    id: customer.id,\n    name: customer.name.trim(), // mine\n  };\n}');
    // The function the user never touched is as the generator now writes it (its parameter named after the new type).
    expect(translator).toContain("/** billing's Debtor as this context's Customer. */\nexport function fromDebtor(debtor: Billing.Debtor): T.Customer {");
    expect(read(fs, 'services/ordering/src/service.ts')).toContain('this.deps.billingTranslators.toDebtor(request.customer)');
    expect(manifest(fs).files['services/ordering/src/translators/billing.ts']!.symbols).toEqual(['toDebtor', 'fromDebtor']);
    expect((await generate(fs, parseSpec('kit.yaml', read(fs, 'kit.yaml')!))).changes).toEqual([]);
  });

  it('renames a field in a translator the user never touched, keeping its mapping rather than a TODO', async () => {
    const fs = memoryFileSystem();
    await generate(fs, parseSpec('kit.yaml', shop));
    await rename(fs, { kind: 'field', context: 'ordering', owner: 'Customer', from: 'name', to: 'fullName' });
    const translator = read(fs, 'services/ordering/src/translators/billing.ts')!;
    expect(translator).toContain('    name: customer.fullName,');
    expect(translator).toContain('    fullName: payer.name,');
    expect(translator).not.toContain('TODO');
    expect((await generate(fs, parseSpec('kit.yaml', read(fs, 'kit.yaml')!))).changes).toEqual([]);
  });

  it('renames an error where the user throws it, and says its code changes', async () => {
    const fs = await shopWithUserCode();
    const { wire } = await rename(fs, { kind: 'error', context: 'billing', from: 'PaymentDeclined', to: 'PaymentRefused' });
    expect(read(fs, 'services/billing/src/service.ts')).toContain("throw new PaymentRefusedError('negative')");
    expect(wire).toEqual([{ context: 'billing', change: 'error code PAYMENT_DECLINED -> PAYMENT_REFUSED', breaking: true }]);
    expect((await generate(fs, parseSpec('kit.yaml', read(fs, 'kit.yaml')!))).changes).toEqual([]);
  });

  it('moves a renamed context with its record, and renames its caller\'s client, translator and dependencies', async () => {
    const fs = await shopWithUserCode();
    const { wire } = await rename(fs, { kind: 'context', context: 'billing', from: 'billing', to: 'payments' });
    const files = Object.keys(fs.snapshot(ROOT));
    expect(files.filter((path) => path.includes('billing'))).toEqual([]);
    expect(read(fs, 'services/payments/src/service.ts')).toContain('export class PaymentsServiceImpl implements PaymentsService {');
    expect(read(fs, 'services/payments/src/service.ts')).toContain("throw new PaymentDeclinedError('negative')");
    expect(read(fs, 'services/ordering/src/service.ts')).toContain('const payer = this.deps.paymentsTranslators.toPayer(request.customer);\n    const { receiptId } = await this.deps.payments.charge({ payer, amount: 1 });');
    expect(read(fs, 'services/ordering/src/translators/payments.ts')).toContain("import type * as Payments from '../clients/payments-types.js';");
    expect(read(fs, 'services/ordering/src/translators/payments.ts')).toContain('    name: customer.name.trim(), // mine');
    expect(Object.keys(manifest(fs).files).filter((path) => path.includes('billing'))).toEqual([]);
    expect(read(fs, '.kit/base/services/payments/src/service.ts')).toContain('PaymentsServiceImpl');
    expect(wire).toEqual([
      { context: 'billing', change: 'package @shop/billing -> @shop/payments; compose service billing -> payments', breaking: false },
      { context: 'billing', change: 'ordering reads PAYMENTS_URL instead of BILLING_URL', breaking: false },
    ]);
    expect((await generate(fs, parseSpec('kit.yaml', read(fs, 'kit.yaml')!))).changes).toEqual([]);
  });

  it('keeps the field numbers of a gRPC context under the renamed field, message and context', async () => {
    const fs = memoryFileSystem();
    const grpc = readFileSync(new URL('../fixtures/specs/grpc.yaml', import.meta.url), 'utf8');
    await generate(fs, parseSpec('kit.yaml', grpc));
    const numbers = () => JSON.parse(read(fs, PROTO_NUMBERS_PATH)!) as ProtoNumbers;
    const before = numbers();
    const leg = before.routing!.Leg!.fields;
    const { wire } = await rename(fs, { kind: 'field', context: 'routing', owner: 'Leg', from: 'voyageNumber', to: 'voyage' });
    expect(numbers().routing!.Leg!.fields).toEqual({ voyage: leg.voyage_number, from: leg.from, to: leg.to, load_time: leg.load_time, unload_time: leg.unload_time });
    expect(numbers().routing!.Leg!.reserved).toEqual([]);
    // booking's Segment has a voyage: the generator now maps it, where the renamed translator had a TODO.
    expect(read(fs, 'services/booking/src/translators/routing.ts')).toContain('    voyage: segment.voyage,');
    expect(read(fs, 'services/booking/src/translators/routing.ts')).not.toMatch(/todo\(['f]/);
    expect(read(fs, 'services/routing/proto/cargo_shipping/routing/v1/routing.proto')).toContain(`  string voyage = ${leg.voyage_number!.number};`);
    expect(wire).toContainEqual({ context: 'routing', change: 'JSON field Leg.voyageNumber -> voyage (POST /routes, GET /legs/{voyageId})', breaking: true });
    expect(wire).toContainEqual({ context: 'routing', change: `gRPC field Leg.voyage keeps its number ${leg.voyage_number!.number} (binary compatible; the .proto names it anew)`, breaking: false });

    const { wire: endpointWire } = await rename(fs, { kind: 'endpoint', context: 'routing', from: 'getLeg', to: 'findLeg' });
    expect(numbers().routing!.FindLegRequest).toEqual(before.routing!.GetLegRequest);
    expect(numbers().routing!.GetLegRequest).toBeUndefined();
    expect(endpointWire).toEqual([{ context: 'routing', change: 'gRPC cargo_shipping.routing.v1.RoutingService/GetLeg -> cargo_shipping.routing.v1.RoutingService/FindLeg', breaking: true }]);

    const { wire: contextWire } = await rename(fs, { kind: 'context', context: 'routing', from: 'routing', to: 'routes' });
    expect(numbers().routes).toEqual({ ...numbers().routes, FindLegRequest: before.routing!.GetLegRequest });
    expect(numbers().routing).toBeUndefined();
    expect(contextWire[0]).toEqual({ context: 'routing', change: 'gRPC service cargo_shipping.routing.v1.RoutingService -> cargo_shipping.routes.v1.RoutesService', breaking: true });
    expect((await generate(fs, parseSpec('kit.yaml', read(fs, 'kit.yaml')!))).changes).toEqual([]);
  });

  it('renames in a generated file the user edited, which then merges with the generator\'s new text', async () => {
    const fs = await shopWithUserCode();
    edit(fs, 'services/billing/src/types.ts', '\n/** What charge takes', '\n/** A user\'s alias. */\nexport type Payers = Payer[];\n\n/** What charge takes');
    await rename(fs, { kind: 'type', context: 'billing', from: 'Payer', to: 'Debtor' });
    const types = read(fs, 'services/billing/src/types.ts')!;
    expect(types).toContain("/** A user's alias. */\nexport type Payers = Debtor[];");
    expect(types).toContain('export interface Debtor {');
    expect((await generate(fs, parseSpec('kit.yaml', read(fs, 'kit.yaml')!))).changes).toEqual([]);
  });
});
