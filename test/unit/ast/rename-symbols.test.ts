import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readSystemLib } from '../../../src/ast/read-system-lib.js';
import { renameSymbols as renameInServices, type RenameSymbolsOptions, type ServiceRenames } from '../../../src/ast/rename-symbols.js';
import { KitError } from '../../../src/errors.js';

// Inline sources in, the exact texts out (angular-cli style). Only the renamed identifiers, test
// titles and module specifiers may differ; every other character of the user's code stays.

const types = `export interface Cargo {
  id: string;
  weight: number;
}
export interface LoadCargoRequest {
  cargo: Cargo;
}
export interface LoadCargoResponse {
  ok: boolean;
}
`;

const serviceInterface = `import type * as T from './types.js';
export interface BookingService {
  loadCargo(request: T.LoadCargoRequest): Promise<T.LoadCargoResponse>;
}
`;

const errors = `export class CargoMissingError extends Error {}
`;

const service = `import { CargoMissingError } from './errors.js';
import type { BookingService } from './service-interface.js';
import type { Cargo, LoadCargoRequest, LoadCargoResponse } from './types.js';

export class BookingServiceImpl implements BookingService {
  async loadCargo(request: LoadCargoRequest): Promise<LoadCargoResponse> {
    const loadCargo = 'a local of the same name'; // stays
    const { weight } = request.cargo;
    const copy: Cargo = { id: request.cargo.id, weight };
    if (copy.weight > 10) throw new CargoMissingError(loadCargo);
    return { ok: weight === request.cargo.weight };
  }

  private async again(cargo: Cargo) {
    return this.loadCargo({ cargo: { ...cargo, weight: 1 } });
  }
}
`;

const test = `import { test } from 'node:test';
import { BookingServiceImpl } from '../src/service.js';

test('loadCargo: loads', async () => {
  await new BookingServiceImpl().loadCargo({ cargo: { id: 'c', weight: 1 } });
});
test.todo('loadCargoLater');
test.todo("loadCargo");
`;

function files(extra: Record<string, string> = {}): Map<string, string> {
  return new Map(Object.entries({ 'src/types.ts': types, 'src/service-interface.ts': serviceInterface, 'src/errors.ts': errors, 'src/service.ts': service, 'test/service.test.ts': test, ...extra }));
}

/** One service, in services/booking: its files after the renames. */
function renameSymbols(files: Map<string, string>, plan: ServiceRenames, options: { checked?: () => boolean; lib?: RenameSymbolsOptions['lib'] } = {}) {
  return renameInServices([{ folder: 'services/booking', files, plan }], { lib: options.lib, checked: options.checked }).get('services/booking')!;
}

const plan = (partial: Partial<ServiceRenames>): ServiceRenames => ({ renames: [], moves: [], testTitles: [], ...partial });
const all = () => true;

/** The text with each [from, to] replaced (every occurrence), after checking it holds it. */
function edited(text: string, ...changes: [string, string][]): string {
  for (const [from, to] of changes) {
    expect(text, `the text holds ${from}`).toContain(from);
    text = text.split(from).join(to);
  }
  return text;
}

function refusal(run: () => unknown): KitError {
  try {
    run();
  } catch (error) {
    if (error instanceof KitError) return error;
    throw error;
  }
  throw new Error('expected the rename to be refused');
}

describe('renameSymbols', () => {
  it('renames an endpoint method through the interface: the class method, its calls, its tests; a local of the same name stays', () => {
    const result = renameSymbols(
      files(),
      plan({
        renames: [
          { file: 'src/service-interface.ts', symbol: ['BookingService', 'loadCargo'], to: 'fetchCargo' },
          { file: 'src/types.ts', symbol: ['LoadCargoRequest'], to: 'FetchCargoRequest' },
          { file: 'src/types.ts', symbol: ['LoadCargoResponse'], to: 'FetchCargoResponse' },
        ],
        testTitles: [{ from: 'loadCargo', to: 'fetchCargo' }],
      }),
      { checked: all },
    );
    expect(result.texts.get('src/service.ts')).toBe(
      edited(
        service,
        ['LoadCargoRequest', 'FetchCargoRequest'],
        ['LoadCargoResponse', 'FetchCargoResponse'],
        ['  async loadCargo(', '  async fetchCargo('],
        ['this.loadCargo(', 'this.fetchCargo('],
      ),
    );
    expect(result.texts.get('src/service.ts')).toContain("const loadCargo = 'a local of the same name'; // stays");
    expect(result.texts.get('test/service.test.ts')).toBe(edited(test, ["test('loadCargo: loads'", "test('fetchCargo: loads'"], ['.loadCargo({', '.fetchCargo({'], ['test.todo("loadCargo")', 'test.todo("fetchCargo")']));
    expect(result.places.get('test/service.test.ts')).toBe(3);
    expect(result.texts.get('src/service-interface.ts')).toBe(edited(serviceInterface, ['loadCargo(', 'fetchCargo('], ['T.LoadCargo', 'T.FetchCargo']));
  });

  it('renames a type in imports, annotations and namespace-qualified names; a value of the same name stays', () => {
    const helper = `import type * as T from './types.js';
import type { Cargo } from './types.js';
export function heavy(cargo: T.Cargo, Cargo: number): Cargo | undefined {
  return cargo.weight > Cargo ? cargo : undefined;
}
`;
    const result = renameSymbols(files({ 'src/helper.ts': helper }), plan({ renames: [{ file: 'src/types.ts', symbol: ['Cargo'], to: 'Freight' }] }), { checked: all });
    expect(result.texts.get('src/helper.ts')).toBe(`import type * as T from './types.js';
import type { Freight } from './types.js';
export function heavy(cargo: T.Freight, Cargo: number): Freight | undefined {
  return cargo.weight > Cargo ? cargo : undefined;
}
`);
    expect(result.texts.get('src/service.ts')).toBe(edited(service, ['import type { Cargo,', 'import type { Freight,'], ['const copy: Cargo', 'const copy: Freight'], ['again(cargo: Cargo)', 'again(cargo: Freight)']));
  });

  it('renames a field in accesses and object literals; shorthand properties and bindings keep their local name', () => {
    const result = renameSymbols(files(), plan({ renames: [{ file: 'src/types.ts', symbol: ['Cargo', 'weight'], to: 'mass' }] }), { checked: all });
    expect(result.texts.get('src/service.ts')).toBe(
      edited(
        service,
        ['const { weight } = request.cargo;', 'const { mass: weight } = request.cargo;'],
        ['{ id: request.cargo.id, weight }', '{ id: request.cargo.id, mass: weight }'],
        ['copy.weight > 10', 'copy.mass > 10'],
        ['weight === request.cargo.weight', 'weight === request.cargo.mass'],
        ['{ ...cargo, weight: 1 }', '{ ...cargo, mass: 1 }'],
      ),
    );
    expect(result.texts.get('test/service.test.ts')).toBe(edited(test, ["{ id: 'c', weight: 1 }", "{ id: 'c', mass: 1 }"]));
  });

  it('renames an error class where it is thrown', () => {
    const result = renameSymbols(files(), plan({ renames: [{ file: 'src/errors.ts', symbol: ['CargoMissingError'], to: 'CargoGoneError' }] }), { checked: all });
    expect(result.texts.get('src/service.ts')).toBe(edited(service, ['CargoMissingError', 'CargoGoneError']));
  });

  it('moves files: imports follow with their .js; a namespace alias, a dependency and translators reached through it are renamed', () => {
    const translators = `import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';

export function toPayer(cargo: T.Cargo): Billing.Payer {
  return { id: cargo.id };
}
`;
    const extra = {
      'src/clients/billing-types.ts': 'export interface Payer {\n  id: string;\n}\n',
      'src/clients/billing.ts': "import type * as Billing from './billing-types.js';\nexport interface BillingApi {\n  charge(payer: Billing.Payer): Promise<void>;\n}\n",
      'src/translators/billing.ts': translators,
      'src/dependencies.ts': "import type { BillingApi } from './clients/billing.js';\nimport * as billingTranslators from './translators/billing.js';\nexport interface BookingDeps {\n  billing: BillingApi;\n  billingTranslators: typeof billingTranslators;\n}\n",
      'src/pay.ts': `import type { BookingDeps } from './dependencies.js';
import type { Payer } from './clients/billing-types.js';
import type * as T from './types.js';

export async function pay(deps: BookingDeps, cargo: T.Cargo): Promise<Payer> {
  const payer = deps.billingTranslators.toPayer(cargo);
  await deps.billing.charge(payer);
  return payer;
}
`,
    };
    const result = renameSymbols(
      files(extra),
      plan({
        renames: [
          { file: 'src/dependencies.ts', symbol: ['BookingDeps', 'billing'], to: 'payments' },
          { file: 'src/dependencies.ts', symbol: ['BookingDeps', 'billingTranslators'], to: 'paymentsTranslators' },
          { file: 'src/translators/billing.ts', symbol: ['* as Billing'], to: 'Payments' },
          { file: 'src/translators/billing.ts', symbol: ['toPayer'], to: 'toDebtor' },
        ],
        moves: [
          { from: 'src/clients/billing-types.ts', to: 'src/clients/payments-types.ts' },
          { from: 'src/clients/billing.ts', to: 'src/clients/payments.ts' },
          { from: 'src/translators/billing.ts', to: 'src/translators/payments.ts' },
        ],
      }),
      { checked: all },
    );
    expect(result.texts.get('src/translators/payments.ts')).toBe(`import type * as Payments from '../clients/payments-types.js';
import type * as T from '../types.js';

export function toDebtor(cargo: T.Cargo): Payments.Payer {
  return { id: cargo.id };
}
`);
    expect(result.texts.get('src/pay.ts')).toBe(
      edited(extra['src/pay.ts'], ["'./clients/billing-types.js'", "'./clients/payments-types.js'"], ['deps.billingTranslators.toPayer(', 'deps.paymentsTranslators.toDebtor('], ['deps.billing.charge', 'deps.payments.charge']),
    );
    expect(result.texts.has('src/translators/billing.ts')).toBe(false);
    expect(result.texts.get('src/clients/payments.ts')).toBe(edited(extra['src/clients/billing.ts'], ["'./billing-types.js'", "'./payments-types.js'"]));
  });

  it('keeps CRLF line ends', () => {
    const crlf = service.replace(/\n/g, '\r\n');
    const result = renameSymbols(files({ 'src/service.ts': crlf }), plan({ renames: [{ file: 'src/types.ts', symbol: ['Cargo', 'weight'], to: 'mass' }] }), { checked: all });
    const lf = renameSymbols(files(), plan({ renames: [{ file: 'src/types.ts', symbol: ['Cargo', 'weight'], to: 'mass' }] })).texts.get('src/service.ts')!;
    expect(lf).not.toBe(service);
    expect(result.texts.get('src/service.ts')).toBe(lf.replace(/\n/g, '\r\n'));
  });

  it('refuses a new name the user already gave a member of their class, at its place', () => {
    const mine = service.replace('  private async again(', '  private async fetchCargo(): Promise<void> {}\n\n  private async again(');
    const error = refusal(() =>
      renameSymbols(files({ 'src/service.ts': mine }), plan({ renames: [{ file: 'src/service-interface.ts', symbol: ['BookingService', 'loadCargo'], to: 'fetchCargo' }] }), { checked: all }),
    );
    expect(error.message).toBe('class BookingServiceImpl already has a member "fetchCargo" (line 14), so loadCargo cannot become fetchCargo here');
    expect(error.location).toEqual({ file: 'services/booking/src/service.ts', line: 6, col: 9 });
  });

  it('refuses a new type name the user imports from elsewhere where the old one is used', () => {
    const mine = service.replace("import { CargoMissingError } from './errors.js';", "import { CargoMissingError } from './errors.js';\nimport type { Freight } from './freight.js';");
    const error = refusal(() =>
      renameSymbols(files({ 'src/service.ts': mine, 'src/freight.ts': 'export type Freight = string;\n' }), plan({ renames: [{ file: 'src/types.ts', symbol: ['Cargo'], to: 'Freight' }] }), { checked: all }),
    );
    expect(error.message).toBe('"Freight" already names something in services/booking/src/service.ts (line 2), so Cargo cannot become Freight here');
    expect(error.location).toEqual({ file: 'services/booking/src/service.ts', line: 4, col: 15 });
  });

  it('refuses a function name a local variable takes where the function is called by name', () => {
    const translators = "export function toPayer(id: string) {\n  return { id };\n}\nexport function both(id: string) {\n  const toDebtor = 1;\n  return [toPayer(id), toDebtor];\n}\n";
    const error = refusal(() => renameSymbols(new Map([['src/translators/billing.ts', translators]]), plan({ renames: [{ file: 'src/translators/billing.ts', symbol: ['toPayer'], to: 'toDebtor' }] }), { checked: all }));
    expect(error.location).toMatchObject({ line: 6, col: 11 });
    // Where only the generator's copy holds the clash, nothing is checked: that copy is rendered anew.
    const renamed = renameSymbols(new Map([['src/translators/billing.ts', translators]]), plan({ renames: [{ file: 'src/translators/billing.ts', symbol: ['toPayer'], to: 'toDebtor' }] }));
    expect(renamed.texts.get('src/translators/billing.ts')).toContain('return [toDebtor(id), toDebtor];');
  });

  it('with the lib files, finds what reaches the name through arrays, promises and Partial<...>', () => {
    const deps = `export interface BillingApi {
  charge(amount: number): Promise<{ receiptId: string }>;
}
export interface BookingDeps {
  billing: BillingApi;
}
export function fake(overrides: Partial<BookingDeps> = {}): BookingDeps {
  return { billing: { charge: async () => ({ receiptId: 'r' }) }, ...overrides };
}
`;
    const user = `import { fake } from '../src/deps.js';
import type { Cargo } from '../src/types.js';

export async function heaviest(cargos: Cargo[]): Promise<number> {
  const deps = fake({ billing: { charge: async () => ({ receiptId: 'mine' }) } });
  const { receiptId } = await deps.billing.charge(1);
  return Math.max(...cargos.map((cargo) => cargo.weight), receiptId.length);
}
`;
    const lib = readSystemLib(fileURLToPath(new URL('../../../', import.meta.url)), 'tsconfig.json');
    expect(lib?.use).toEqual(['lib.es2023.d.ts']);
    const renames = plan({ renames: [{ file: 'src/deps.ts', symbol: ['BillingApi', 'charge'], to: 'debit' }, { file: 'src/types.ts', symbol: ['Cargo', 'weight'], to: 'mass' }] });
    const result = renameSymbols(files({ 'src/deps.ts': deps, 'test/heaviest.ts': user }), renames, { lib });
    expect(result.texts.get('test/heaviest.ts')).toBe(edited(user, ['{ charge: async', '{ debit: async'], ['deps.billing.charge(1)', 'deps.billing.debit(1)'], ['cargo.weight', 'cargo.mass']));
    // Without them the same code keeps names the types no longer have: the lib is what finds them.
    expect(renameSymbols(files({ 'src/deps.ts': deps, 'test/heaviest.ts': user }), renames).texts.get('test/heaviest.ts')).toContain('cargo.weight');
  });

  it('leaves alone a declaration the user removed, and a name that does not change', () => {
    const result = renameSymbols(files(), plan({ renames: [{ file: 'src/types.ts', symbol: ['Gone'], to: 'Other' }, { file: 'src/types.ts', symbol: ['Cargo'], to: 'Cargo' }] }));
    expect(Object.fromEntries(result.texts)).toEqual(Object.fromEntries(files()));
    expect(result.places.size).toBe(0);
  });
});
