// The generated .proto files, checked by buf (the @bufbuild/buf package): every one is clean under
// buf's standard lint rules, and a spec change that removes and retypes fields is not a wire or
// JSON breaking change for existing clients (field numbers stay, removed ones are reserved).
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { stageSystem } from '../../src/plan/stage-system.js';
import type { RawSpec } from '../../src/spec/spec-schema.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';
import { commitTree } from '../../src/tree/commit-tree.js';
import { nodeFileSystem } from '../../src/tree/tree-file-system.js';
import { VirtualTree } from '../../src/tree/virtual-tree.js';
import { output, run } from '../helpers/run-command.js';

const BUF = join(process.cwd(), 'node_modules', '.bin', 'buf');
const work = mkdtempSync(join(tmpdir(), 'kit-proto-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Generates (or regenerates) the system for a spec text in `dir`, as `generate` does. */
async function generate(dir: string, specText: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kit.yaml'), specText);
  const { spec, problems } = validateSpec(parseSpec(join(dir, 'kit.yaml'), specText));
  expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  const tree = new VirtualTree(dir, nodeFileSystem);
  await stageSystem(tree, spec!);
  commitTree(tree);
}

/**
 * The fixtures with gRPC served by every context: keywords and nesting all reach a .proto.
 * (odd-values has a list of lists, which the validator refuses for gRPC.)
 */
const FIXTURES = ['grpc', 'keyword-names', 'context-map'].map((name) => `test/fixtures/specs/${name}.yaml`).concat('templates/examples/kit.yaml');

describe('generated .proto files', () => {
  test.each(FIXTURES)('are clean under buf lint (%s, every context serving gRPC)', async (fixture) => {
    const spec = parse(readFileSync(fixture, 'utf8')) as RawSpec;
    for (const context of Object.values(spec.contexts)) context.transports = [...new Set([...(context.transports ?? ['http']), 'grpc' as const])];
    const dir = join(work, `lint-${fixture.replace(/\W/g, '-')}`);
    await generate(dir, stringify(spec));
    const services = Object.keys(spec.contexts).map((name) => join(dir, 'services', name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()));
    for (const service of services) {
      const lint = run(BUF, ['lint'], service, 60_000);
      expect(lint.status, `buf lint in ${service}\n${output(lint)}`).toBe(0);
    }
  }, 120_000);

  test('stay compatible for existing clients when fields are removed and added; a retyped field takes a new number', async () => {
    const dir = join(work, 'breaking');
    const original = readFileSync('test/fixtures/specs/grpc.yaml', 'utf8');
    await generate(dir, original);
    const proto = 'proto/cargo_shipping/routing/v1/routing.proto';
    const routing = join(dir, 'services/routing');
    /** A copy of the routing service's contract as it is now, for buf breaking --against. */
    const snapshot = (name: string) => {
      const copy = join(work, name);
      mkdirSync(dirname(join(copy, proto)), { recursive: true });
      writeFileSync(join(copy, proto), readFileSync(join(routing, proto)));
      writeFileSync(join(copy, 'buf.yaml'), readFileSync(join(routing, 'buf.yaml')));
      return copy;
    };
    const breaking = (against: string, rules?: string) => run(BUF, ['breaking', '--against', against, ...(rules ? ['--config', JSON.stringify({ version: 'v2', modules: [{ path: 'proto' }], breaking: { use: [rules] } })] : [])], routing, 60_000);

    const first = snapshot('first');
    const spec = parse(original) as RawSpec;
    const leg = spec.contexts.routing!.types!.Leg!;
    delete leg.unloadTime;
    leg.vessel = 'string';
    await generate(dir, stringify(spec));
    expect(readFileSync(join(routing, proto), 'utf8')).toMatch(/message Leg \{\n {2}reserved 5;\n {2}reserved "unload_time";\n {2}string voyage_number = 1;\n {2}string from = 2;\n {2}string to = 3;\n {2}string load_time = 4;\n {2}string vessel = 6;\n\}/);
    const compatible = breaking(first);
    expect(compatible.status, `a removed and an added field break no client (buf's WIRE_JSON rules)\n${output(compatible)}`).toBe(0);

    const second = snapshot('second');
    leg.loadTime = 'integer';
    await generate(dir, stringify(spec));
    expect(readFileSync(join(routing, proto), 'utf8')).toMatch(/message Leg \{\n {2}reserved 4, 5;\n {2}reserved "unload_time";\n[^}]*\n {2}int64 load_time = 7;\n/);
    // Binary clients keep working: their old value travels under a number the server now ignores.
    const wire = breaking(second, 'WIRE');
    expect(wire.status, output(wire)).toBe(0);
    // JSON clients send the old name with the old type: a breaking change, and buf says so.
    const json = breaking(second);
    expect(json.status, output(json)).toBe(100);
    expect(json.stdout).toContain('"load_time"');

    const lint = run(BUF, ['lint'], routing, 60_000);
    expect(lint.status, output(lint)).toBe(0);
  }, 120_000);
});
