import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiChangesReport } from '../../src/diff/api-changes-report.js';
import { output } from '../helpers/run-command.js';
import { childEnv } from '../helpers/service-process.js';

/**
 * Issue "OpenAPI for every service, and diff", end to end through the real binary in git
 * repositories: the example system is created and committed (no npm install: diff and generate
 * need none), then kit.yaml is changed in each way and `diff` must say what changed, whether it
 * breaks, and whom; `--against` a revision and a file; and every way of having nothing to compare
 * with is exit 2 with a message and a hint.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const work = mkdtempSync(join(tmpdir(), 'cks-diff-'));
const system = join(work, 'shop');
const GIT_IDENTITY = { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: childEnv(GIT_IDENTITY), encoding: 'utf8', timeout: 60_000, input: '' });
  if (result.error) throw new Error(`${command} ${args.join(' ')} failed: ${result.error.message}`);
  return result;
}
const cli = (args: string[], cwd = system) => run(process.execPath, [bin, ...args], cwd);
const git = (args: string[], cwd = system) => {
  const result = run('git', args, cwd);
  expect(result.status, output(result)).toBe(0);
  return result.stdout;
};

/** Reads, changes and writes back kit.yaml (its comments do not matter here). */
function editSpec(change: (spec: any) => void): void {
  const spec = parse(readFileSync(join(system, 'kit.yaml'), 'utf8'));
  change(spec);
  writeFileSync(join(system, 'kit.yaml'), stringify(spec));
}

/** `diff --json` (plus the given arguments): its exit status and report. */
function diffJson(args: string[] = []): { status: number | null; report: ApiChangesReport; stderr: string } {
  const result = cli(['diff', '--json', ...args]);
  expect(result.stdout, output(result)).toMatch(/^\{/);
  return { status: result.status, report: JSON.parse(result.stdout) as ApiChangesReport, stderr: result.stderr };
}

/** The changes of a report in a few words each: `kind context subject: breaking, consumers`. */
const brief = (report: ApiChangesReport) =>
  report.changes.map((change) => `${change.kind} ${change.context} ${change.subject}${change.breaking ? `: breaks ${[...change.consumers.map((consumer) => `${consumer.context} (${consumer.calls.join(', ')})`), 'external'].join(', ')}` : ''}`);

beforeAll(() => {
  if (!existsSync(join(root, 'dist/src/cli/main.js'))) throw new Error('dist/ is missing: run "npm run build" first (npm test does it as pretest)');
  const created = cli(['shop', '--example', '--yes', '--no-install'], work);
  expect(created.status, output(created)).toBe(0);
  expect(git(['log', '--oneline'])).toMatch(/Generate the system/);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('create-kit-service diff, in a git repository', () => {
  it('finds nothing right after the first commit', () => {
    const result = cli(['diff']);
    expect([result.status, result.stdout]).toEqual([0, 'no API changes against HEAD:kit.yaml\n']);
  });

  it.each([
    {
      what: 'an endpoint removed (and its consumer no longer naming it)',
      change: (spec: any) => {
        delete spec.contexts.billing.endpoints.charge;
        delete spec.contexts.ordering.uses.billing;
      },
      status: 1,
      changes: ['endpoint-removed billing charge: breaks ordering (billing.charge), external'],
    },
    {
      what: 'an endpoint added',
      change: (spec: any) => void (spec.contexts.billing.endpoints.refund = { request: { receiptId: 'string' }, response: { ok: 'boolean' } }),
      status: 0,
      changes: ['endpoint-added billing refund'],
    },
    {
      what: 'a route changed',
      change: (spec: any) => void (spec.contexts.shipping.endpoints.schedule.http = 'POST /shipments/{orderId}'),
      status: 1,
      changes: ['route-changed shipping schedule: breaks ordering (shipping.schedule), external'],
    },
    {
      what: 'request fields added, required and optional',
      change: (spec: any) => Object.assign(spec.contexts.billing.endpoints.charge.request, { currency: 'string', 'memo?': 'string' }),
      status: 1,
      changes: ['request-field-added billing charge request.currency: breaks ordering (billing.charge), external', 'request-field-added billing charge request.memo'],
    },
    {
      what: 'a request field removed, and one made required',
      change: (spec: any) => {
        delete spec.contexts.shipping.endpoints.schedule.request['express?'];
        delete spec.contexts.ordering.endpoints.cancelOrder.request['reason?'];
        spec.contexts.ordering.endpoints.cancelOrder.request.reason = 'string';
      },
      status: 1,
      changes: ['request-field-required ordering cancelOrder request.reason: breaks external', 'request-field-removed shipping schedule request.express'],
    },
    {
      what: 'fields retyped, in a request and inside a type of a response',
      change: (spec: any) => {
        spec.contexts.billing.endpoints.charge.request.amount = 'string';
        spec.contexts.shipping.types.Shipment.shipmentId = 'uuid';
      },
      status: 1,
      changes: ['request-field-retyped billing charge request.amount: breaks ordering (billing.charge), external', 'response-field-retyped shipping schedule response.shipment.shipmentId'],
    },
    {
      what: 'a response field removed',
      change: (spec: any) => delete spec.contexts.shipping.types.Shipment.orderId,
      status: 1,
      changes: ['response-field-removed shipping schedule response.shipment.orderId: breaks ordering (shipping.schedule), external'],
    },
    {
      what: 'an error added, and one whose kind changed',
      change: (spec: any) => {
        spec.contexts.billing.endpoints.charge.errors = ['PaymentDeclined', 'PayerUnknown'];
        // The same code, RECEIPT_NOT_FOUND, but the name no longer ends in NotFound: not_found becomes failed_precondition.
        spec.contexts.billing.endpoints.getReceipt.errors = ['ReceiptNotFoundError'];
      },
      status: 1,
      changes: ['error-added billing charge', 'error-kind-changed billing getReceipt: breaks external'],
    },
    {
      what: 'a context removed',
      change: (spec: any) => {
        delete spec.contexts.shipping;
        delete spec.contexts.ordering.uses.shipping;
      },
      status: 1,
      changes: ['context-removed shipping shipping: breaks ordering (shipping.schedule), external'],
    },
  ])('reports $what', ({ change, status, changes }) => {
    editSpec(change);
    try {
      const { status: exit, report, stderr } = diffJson();
      expect(brief(report)).toEqual(changes);
      expect(exit, stderr).toBe(status);
      if (status === 1) expect(stderr).toMatch(/error: kit\.yaml breaks callers: \d+ breaking changes? against HEAD:kit\.yaml/);
    } finally {
      git(['checkout', '--', 'kit.yaml']);
    }
  });

  it('prints the table grouped by context, with whom each breaking change breaks', () => {
    editSpec((spec) => {
      spec.contexts.billing.endpoints.charge.request.currency = 'string';
      spec.contexts.billing.endpoints.charge.errors.push('PayerUnknown');
    });
    try {
      const result = cli(['diff']);
      expect(result.status).toBe(1);
      expect(result.stdout).toBe(`billing
  breaking    request field added  charge request.currency  string, required
              breaks ordering: it calls billing.charge
              breaks any caller outside kit.yaml (over http)
  compatible  error added          charge                   PayerUnknown (PAYER_UNKNOWN, not_found)

2 changes against HEAD:kit.yaml: 1 breaking, 1 compatible
`);
      expect(result.stderr).toContain('hint: keep the old form next to the new one');
    } finally {
      git(['checkout', '--', 'kit.yaml']);
    }
  });

  it('compares with a revision (--against HEAD~1) and with a file (--against old.yaml); generate says in one line what it breaks', () => {
    const older = readFileSync(join(system, 'kit.yaml'), 'utf8');
    editSpec((spec) => delete spec.contexts.billing.endpoints.getReceipt);
    const generated = cli(['generate']);
    expect(generated.status, output(generated)).toBe(0);
    expect(generated.stderr).toContain('! 1 breaking API change (billing: endpoint removed getReceipt) breaks any caller outside kit.yaml; "create-kit-service diff" lists them\n');
    const again = cli(['generate']);
    expect(again.stderr).toMatch(/already up to date; nothing written/);
    expect(again.stderr).not.toContain('breaking');
    git(['add', '-A']);
    git(['commit', '--quiet', '-m', 'billing without getReceipt']);

    expect(diffJson().report.changes).toEqual([]);
    const sincePrevious = diffJson(['--against', 'HEAD~1']);
    expect([sincePrevious.status, sincePrevious.report.against, brief(sincePrevious.report)]).toEqual([1, 'HEAD~1:kit.yaml', ['endpoint-removed billing getReceipt: breaks external']]);
    writeFileSync(join(work, 'old-kit.yaml'), older);
    const sinceFile = diffJson(['--against', join(work, 'old-kit.yaml')]);
    expect([sinceFile.status, sinceFile.report.against, brief(sinceFile.report)]).toEqual([1, join(work, 'old-kit.yaml'), ['endpoint-removed billing getReceipt: breaks external']]);
  });

  it('over gRPC: a transport removed breaks its gRPC callers; with .kit/proto-numbers.json lost, a reused field number is named', () => {
    editSpec((spec) => {
      spec.contexts.shipping.transports = ['http', 'grpc'];
      spec.contexts.ordering.uses.shipping.via = 'grpc';
    });
    expect(cli(['generate']).status).toBe(0);
    git(['add', '-A']);
    git(['commit', '--quiet', '-m', 'shipping over gRPC']);

    editSpec((spec) => {
      spec.contexts.shipping.transports = ['http'];
      spec.contexts.ordering.uses.shipping.via = 'http';
    });
    const removed = diffJson();
    expect([removed.status, brief(removed.report)]).toEqual([1, ['transport-removed shipping grpc: breaks ordering (shipping.schedule), external']]);
    git(['checkout', '--', 'kit.yaml']);

    editSpec((spec) => {
      delete spec.contexts.shipping.endpoints.schedule.request['express?'];
      spec.contexts.shipping.endpoints.schedule.request['note?'] = 'string';
    });
    rmSync(join(system, '.kit/proto-numbers.json'));
    try {
      const reused = diffJson();
      expect(reused.status).toBe(1);
      expect(brief(reused.report)).toEqual([
        'request-field-removed shipping schedule request.express',
        'request-field-added shipping schedule request.note',
        'proto-number-reused shipping message ScheduleRequest: breaks ordering (shipping.schedule), external',
      ]);
      expect(reused.report.changes[2]!.detail).toBe('3 was express (bool), now note (string)');
    } finally {
      git(['checkout', '--', 'kit.yaml', '.kit/proto-numbers.json']);
    }
  });
});

describe('create-kit-service diff with nothing to compare with: exit 2, with a message and a hint', () => {
  it('a repository without commits', () => {
    const fresh = join(work, 'fresh');
    mkdirSync(fresh);
    writeFileSync(join(fresh, 'kit.yaml'), readFileSync(join(system, 'kit.yaml'), 'utf8'));
    git(['init', '--quiet'], fresh);
    const result = cli(['diff'], fresh);
    expect(result.status, output(result)).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error: this repository has no commits yet, so there is no HEAD to compare kit.yaml with');
    expect(result.stderr).toContain('hint: commit kit.yaml first (git add -A && git commit), or compare with a file: create-kit-service diff --against <older kit.yaml>');
  });

  it('a folder outside any repository', () => {
    const loose = join(work, 'loose');
    mkdirSync(loose);
    writeFileSync(join(loose, 'kit.yaml'), readFileSync(join(system, 'kit.yaml'), 'utf8'));
    // GIT_CEILING_DIRECTORIES keeps git from finding a repository above the temporary folder.
    const result = spawnSync(process.execPath, [bin, 'diff'], { cwd: loose, env: childEnv({ GIT_CEILING_DIRECTORIES: work }), encoding: 'utf8', timeout: 60_000 });
    expect(result.status, output(result)).toBe(2);
    expect(result.stderr).toMatch(/error: .*loose is not in a git repository, so there is no HEAD to compare kit\.yaml with/);
  });

  it('an unknown revision, and a revision without kit.yaml', () => {
    const unknown = cli(['diff', '--against', 'no-such-branch']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('error: "no-such-branch" is neither a file nor a git revision of this repository');
    // A commit of the empty tree, tagged, without touching the working tree.
    const emptyTree = git(['mktree']).trim();
    git(['tag', 'empty', git(['commit-tree', emptyTree, '-m', 'empty']).trim()]);
    const without = cli(['diff', '--against', 'empty']);
    expect(without.status, output(without)).toBe(2);
    expect(without.stderr).toContain('error: empty has no kit.yaml in this folder');
  });

  it('an older spec that is invalid: its problems with their places, then exit 2', () => {
    writeFileSync(join(work, 'bad-kit.yaml'), 'name: shop\ncontexts:\n  billing:\n    endpoints:\n      charge:\n        request: { payer: Nobody }\n');
    const result = cli(['diff', '--against', join(work, 'bad-kit.yaml')]);
    expect(result.status, output(result)).toBe(2);
    expect(result.stderr).toMatch(/bad-kit\.yaml:6:\d+: error: .*Nobody/);
    expect(result.stderr).toMatch(/error: the older spec .*bad-kit\.yaml is invalid/);
  });
});
