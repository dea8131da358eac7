import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build-model.js';
import type { SystemModel } from '../../src/model/system-model.js';
import { planSystem, type PlannedFile } from '../../src/plan/plan-system.js';
import { TEMPLATES_DIR } from '../../src/plan/stage-system.js';
import { createRenderer } from '../../src/render/create-renderer.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';

/** Client and translator generation for a downstream whose types share names with its upstream's. */
let model: SystemModel;
let files: Map<string, PlannedFile>;
const file = (path: string) => {
  const planned = files.get(path);
  if (!planned) throw new Error(`not generated: ${path}`);
  return planned;
};

beforeAll(async () => {
  const path = 'test/fixtures/specs/context-map.yaml';
  const { spec } = validateSpec(parseSpec(path, readFileSync(path, 'utf8')));
  model = buildModel(spec!);
  files = new Map(planSystem(model, await createRenderer(TEMPLATES_DIR)).map((planned) => [planned.path, planned]));
});

describe('the client of an upstream', () => {
  it('exposes only the endpoints listed in uses, in the upstream\'s own types', () => {
    const client = file('services/checkout/src/clients/billing.ts').content;
    expect(client).toContain('import type * as Billing from \'./billing-types.js\';');
    expect(client).toMatch(/charge\(request: Billing\.ChargeRequest\): Promise<Billing\.ChargeResponse>;/);
    expect(client).toMatch(/findReceipt\(request: Billing\.FindReceiptRequest\): Promise<Billing\.FindReceiptResponse>;/);
    expect(client).not.toContain('refund');
    expect(client).toMatch(/findReceipt: \{\s*method: 'GET',\s*path: '\/receipts\/\{receiptId\}',\s*pathFields: \['receiptId'\],\s*queryFields: \['expand'\],\s*bodyFields: \[\],\s*\}/);
  });

  it('declares the upstream\'s types apart from the downstream\'s of the same name', () => {
    const upstreamTypes = file('services/checkout/src/clients/billing-types.ts').content;
    expect(upstreamTypes).toMatch(/export interface Receipt \{[^}]*receiptId: string;[^}]*payer: Payer;/s);
    expect(upstreamTypes).toMatch(/export interface Payer \{/);
    expect(upstreamTypes).not.toContain('RefundRequest');
    const localTypes = file('services/checkout/src/types.ts').content;
    expect(localTypes).toMatch(/export interface Receipt \{[^}]*id: string;[^}]*total: number;/s);
  });

  it('is generated for the downstream only, and wired through the service\'s dependencies', () => {
    expect(files.has('services/billing/src/clients/upstream.ts')).toBe(false);
    const deps = file('services/checkout/src/dependencies.ts').content;
    expect(deps).toContain('billing: BillingApi;');
    expect(deps).toContain('billingTranslators: typeof billingTranslators;');
    expect(file('services/checkout/src/service.ts').content).toContain('constructor(private readonly deps: CheckoutDeps) {}');
    expect(file('services/checkout/src/config.ts').content).toContain("billing: url(env, 'BILLING_URL', 'http://127.0.0.1:8082')");
    expect(file('docker-compose.yml').content).toMatch(/BILLING_URL: http:\/\/billing:8082[\s\S]*depends_on:\s*\n\s*billing:\s*\n\s*condition: service_healthy/);
  });
});

describe('the translators', () => {
  it('are a user-owned file with functions both ways for each translate pair', () => {
    const translators = file('services/checkout/src/translators/billing.ts');
    expect(translators.owner).toBe('user');
    expect(translators.content).toContain('export function toPayer(customer: T.Customer): Billing.Payer {');
    expect(translators.content).toContain('export function fromPayer(payer: Billing.Payer): T.Customer {');
    expect(translators.content).toContain('export function toReceipt(receipt: T.Receipt): Billing.Receipt {');
    expect(translators.content).toContain('export function fromReceipt(receipt: Billing.Receipt): T.Receipt {');
  });

  it('map fields of the same name and type, call translators of translated types, and leave a TODO for the rest', () => {
    const [payer, receipt] = model.services[0]!.upstreams[0]!.translations;
    expect(payer!.toFields).toEqual([
      { name: 'id', expression: 'customer.id' },
      { name: 'name', expression: 'customer.name' },
      { name: 'iban', expression: "customer.iban ?? todo('iban')" },
    ]);
    expect(payer!.fromFields).toEqual([
      { name: 'id', expression: 'payer.id' },
      { name: 'name', expression: 'payer.name' },
      { name: 'iban', expression: 'payer.iban' },
    ]);
    expect(receipt!.fromFields).toEqual([
      expect.objectContaining({ name: 'id', expression: "todo('id')", todo: expect.stringContaining("billing's Receipt has no field of that name") }),
      expect.objectContaining({ name: 'total', expression: "todo('total')" }),
      { name: 'lines', expression: 'receipt.lines' },
    ]);
    expect(receipt!.toFields).toContainEqual(expect.objectContaining({ name: 'payer', expression: "todo('payer')" }));
    expect(receipt!.toFields).toContainEqual({ name: 'lines', expression: "receipt.lines ?? todo('lines')" });
  });
});
