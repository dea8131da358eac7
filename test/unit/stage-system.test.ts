import { describe, expect, it } from 'vitest';
import { stageSystem } from '../../src/plan/stage-system.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';
import { commitTree } from '../../src/tree/commit-tree.js';
import { memoryFileSystem, type MemoryFileSystem } from '../../src/tree/memory-file-system.js';
import { VirtualTree } from '../../src/tree/virtual-tree.js';

/**
 * Plans in memory: what `generate` stages after a spec change in a system the user wrote in. Each
 * case is a bug the evolution property test (test/e2e/evolution.test.ts) found, kept as a
 * regression test of its own.
 */

/** Generates `spec` (JSON is YAML) into the in-memory system and commits it; answers what was staged. */
async function generate(fs: MemoryFileSystem, spec: object) {
  const { spec: valid, problems } = validateSpec(parseSpec('kit.yaml', JSON.stringify(spec)));
  expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  const tree = new VirtualTree('/system', fs);
  const staged = await stageSystem(tree, valid!);
  const changes = tree.changes();
  commitTree(tree);
  return { staged, changes };
}

const read = (fs: MemoryFileSystem, path: string) => fs.snapshot('/system')[path];
const edit = (fs: MemoryFileSystem, path: string, from: string, to: string) => {
  const text = read(fs, path)!;
  expect(text, `${path} holds ${from}`).toContain(from);
  fs.writeFile(`/system/${path}`, text.replace(from, to));
};

const billing = { types: { Payer: { id: 'string' } }, endpoints: { charge: { request: { payer: 'Payer' }, response: { ok: 'boolean' } } } };
const ordering = (uses: boolean) => ({
  types: { Customer: { id: 'string' } },
  endpoints: { placeOrder: { request: { id: 'string' }, response: { ok: 'boolean' } }, charge: { request: { id: 'string' }, response: { ok: 'boolean' } } },
  ...(uses ? { uses: { billing: { endpoints: ['charge'], translate: { Payer: 'Customer' } } } } : {}),
});

describe('stageSystem after the user wrote code', () => {
  it('keeps an orphan the user wrote on record, so the second generate after a rename writes nothing', async () => {
    const fs = memoryFileSystem();
    await generate(fs, { name: 'shop', contexts: { billing } });
    edit(fs, 'services/billing/src/service.ts', "throw new NotImplementedError('charge');", "throw new Error('mine');");
    const renamed = { name: 'shop', contexts: { billing: { ...billing, endpoints: { pay: billing.endpoints.charge } } } };
    const first = await generate(fs, renamed);
    expect(first.staged).toContainEqual(expect.objectContaining({ path: 'services/billing/src/service.ts', action: 'keep' }));
    expect((await generate(fs, renamed)).changes).toEqual([]);
  });

  it('a context that no longer calls another: the untouched constructor goes even under a comment of the user, which stays', async () => {
    const fs = memoryFileSystem();
    await generate(fs, { name: 'shop', contexts: { ordering: ordering(true), billing } });
    edit(fs, 'services/ordering/src/service.ts', 'implements OrderingService {\n', 'implements OrderingService {\n  // mine: a note on the class\n');
    const { staged } = await generate(fs, { name: 'shop', contexts: { ordering: ordering(false), billing } });
    const service = read(fs, 'services/ordering/src/service.ts')!;
    expect(service).toContain('implements OrderingService {\n  // mine: a note on the class\n\n  /** PlaceOrder');
    expect(service).not.toMatch(/constructor|OrderingDeps|dependencies/);
    expect(staged).toContainEqual({ path: 'services/ordering/src/service.ts', action: 'merge', detail: 'removed the untouched constructor' });
  });

  it('an edited translator of an upstream no longer called keeps that upstream\'s types module, but not the modules with code (they would not compile)', async () => {
    const fs = memoryFileSystem();
    await generate(fs, { name: 'shop', contexts: { ordering: ordering(true), billing } });
    edit(fs, 'services/ordering/src/translators/billing.ts', '  return {\n', '  return { // mine\n');
    const { staged } = await generate(fs, { name: 'shop', contexts: { ordering: ordering(false), billing } });
    expect(read(fs, 'services/ordering/src/clients/billing-types.ts')).toBeDefined();
    expect(staged).toContainEqual({ path: 'services/ordering/src/clients/billing-types.ts', action: 'keep', detail: 'no longer in the spec; kept while src/translators/billing.ts imports it' });
    for (const gone of ['src/clients/billing.ts', 'src/clients/upstream.ts', 'src/dependencies.ts', 'test/fakes.ts']) {
      expect(read(fs, `services/ordering/${gone}`), gone).toBeUndefined();
    }
    // Once the user deletes the translator, the types module goes too.
    fs.remove('/system/services/ordering/src/translators/billing.ts');
    await generate(fs, { name: 'shop', contexts: { ordering: ordering(false), billing } });
    expect(read(fs, 'services/ordering/src/clients/billing-types.ts')).toBeUndefined();
  });
});
