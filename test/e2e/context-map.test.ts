import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, freePort, parsePrometheus, within, type Sample } from '../helpers/service-process.js';

/**
 * Issue "The context map", end to end: the real binary generates test/fixtures/specs/context-map.yaml
 * (checkout uses billing's charge and findReceipt; billing's Payer is checkout's Customer, and each
 * has a Receipt of its own shape) with npm install. The test then writes the code a user would:
 * billing's charge, checkout's translators (the anti-corruption layer) and checkout's pay, which
 * calls billing through the generated client. The system must build and pass its own tests; then
 * both services run as real processes and are checked over HTTP:
 * - a payment travels checkout -> billing -> checkout through both translators;
 * - billing's declared error (422 PAYMENT_DECLINED) is passed on and does not trip the breaker;
 * - with billing stopped every call answers 503 UPSTREAM_UNAVAILABLE, the breaker opens (fast
 *   failures, upstream_circuit_state 2, an "open" transition);
 * - with billing back on the same port the breaker half-opens and closes again, and payments succeed.
 *
 * Needs `npm run build` first. Every process started here listens on 127.0.0.1 only and is killed
 * by its pid in afterAll; every wait is bounded.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const spec = join(root, 'test/fixtures/specs/context-map.yaml');

const work = mkdtempSync(join(tmpdir(), 'cks-context-map-'));
const system = join(work, 'payments');
const billingDir = join(system, 'services/billing');
const checkoutDir = join(system, 'services/checkout');

const UPSTREAM_TIMEOUT_MS = 3_000;
const BREAKER_RESET_MS = 800;

// ---------------------------------------------------------------------------------------------
// Processes: each started on a given port of 127.0.0.1, recorded by pid until it exits.

interface Proc {
  child: ChildProcess;
  pid: number;
  base: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

const running = new Map<number, ChildProcess>();

function killByPid(pid: number): void {
  const child = running.get(pid);
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Starts `node dist/src/main.js` in a service folder on the given port, and waits (bounded) for GET /health. */
async function startOn(folder: string, port: number, env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: folder,
    env: childEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start node in ${folder}`);
  const pid = child.pid;
  running.set(pid, child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      done = true;
      running.delete(pid);
      resolve({ code, signal });
    });
  });
  const proc: Proc = { child, pid, base: `http://127.0.0.1:${port}`, output: () => out, exited, hasExited: () => done };

  const deadline = Date.now() + 20_000;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (done) throw new Error(`${folder} exited before it was ready:\n${out}`);
    try {
      const response = await fetch(`${proc.base}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return proc;
      last = `status ${response.status}`;
    } catch (error) {
      last = String((error as Error).cause ?? error);
    }
    await sleep(100);
  }
  killByPid(pid);
  throw new Error(`GET /health of ${folder} did not answer 200 within 20 s (${last}):\n${out}`);
}

/** Sends SIGTERM and waits (bounded) for the exit. */
async function terminate(proc: Proc): Promise<void> {
  if (!proc.hasExited()) proc.child.kill('SIGTERM');
  try {
    const exit = await within(proc.exited, 15_000, `exit of pid ${proc.pid} after SIGTERM`);
    expect(exit, proc.output()).toEqual({ code: 0, signal: null });
  } catch (error) {
    killByPid(proc.pid);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Commands and HTTP.

function run(command: string, args: string[], cwd: string, timeoutMs: number): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: childEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, input: '' });
  if (result.error) throw new Error(`${command} ${args.join(' ')} in ${cwd} failed: ${result.error.message}\n${result.stdout}\n${result.stderr}`);
  return result;
}
const output = (result: SpawnSyncReturns<string>) => `exit ${result.status} ${result.signal ?? ''}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;

interface Answer {
  status: number;
  body: any;
  ms: number;
}

/** POST checkout /payments; bounded well above UPSTREAM_TIMEOUT_MS. */
async function pay(base: string, body: unknown): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${base}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS + 5_000),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, ms };
}

async function metrics(base: string): Promise<Sample[]> {
  const response = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) });
  expect(response.status).toBe(200);
  return parsePrometheus(await response.text());
}

const circuitState = (samples: Sample[], endpoint: string) =>
  samples.find((sample) => sample.name === 'upstream_circuit_state' && sample.labels.upstream === 'billing' && sample.labels.endpoint === endpoint)?.value;
const transitions = (samples: Sample[], endpoint: string, state: string) =>
  samples.find(
    (sample) =>
      sample.name === 'upstream_circuit_transitions_total' && sample.labels.upstream === 'billing' && sample.labels.endpoint === endpoint && sample.labels.state === state,
  )?.value ?? 0;

// ---------------------------------------------------------------------------------------------
// The code a user writes.

/** Replaces exactly one match in a file; fails when the generated file no longer has it. */
function edit(file: string, pattern: RegExp, replacement: string): void {
  const text = readFileSync(file, 'utf8');
  const matches = text.match(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`));
  if (matches?.length !== 1) throw new Error(`expected exactly one match of ${pattern} in ${file}, found ${matches?.length ?? 0}:\n${text}`);
  writeFileSync(file, text.replace(pattern, replacement));
}

function writeUserCode(): void {
  // billing: charge answers a receipt, and declines large amounts with the generated error.
  const billingService = join(billingDir, 'src/service.ts');
  edit(billingService, /import \{ NotImplementedError \} from '\.\/errors\.js';/, "import { NotImplementedError, PaymentDeclinedError } from './errors.js';");
  edit(
    billingService,
    /async charge\(request: ChargeRequest\): Promise<ChargeResponse> \{\n[^\n]*\n  \}/,
    `async charge(request: ChargeRequest): Promise<ChargeResponse> {
    if (request.amount > 1000) throw new PaymentDeclinedError(\`\${request.amount} is over the limit\`);
    return { receipt: { receiptId: 'r-' + request.payer.id, amount: request.amount, payer: request.payer, lines: ['charged ' + request.payer.iban] } };
  }`,
  );

  // checkout: the anti-corruption layer, every todo(...) replaced.
  const translators = join(checkoutDir, 'src/translators/billing.ts');
  edit(translators, /iban: customer\.iban \?\? todo\('iban'\),/, "iban: customer.iban ?? 'NO-IBAN',");
  edit(translators, /receiptId: todo\('receiptId'\),/, 'receiptId: receipt.id,');
  edit(translators, /amount: todo\('amount'\),/, 'amount: receipt.total,');
  edit(translators, /payer: todo\('payer'\),/, "payer: { id: '', name: '', iban: '' },");
  edit(translators, /lines: receipt\.lines \?\? todo\('lines'\),/, 'lines: receipt.lines ?? [],');
  edit(translators, /id: todo\('id'\),/, 'id: receipt.receiptId,');
  edit(translators, /total: todo\('total'\),/, 'total: receipt.amount,');
  expect(readFileSync(translators, 'utf8')).not.toMatch(/todo\('/);

  // checkout: pay calls billing through the generated client and translates both ways.
  edit(
    join(checkoutDir, 'src/service.ts'),
    /async pay\(request: PayRequest\): Promise<PayResponse> \{\n[^\n]*\n  \}/,
    `async pay(request: PayRequest): Promise<PayResponse> {
    const { receipt } = await this.deps.billing.charge({ payer: this.deps.billingTranslators.toPayer(request.customer), amount: request.amount });
    return { receipt: this.deps.billingTranslators.fromReceipt(receipt), payerName: receipt.payer.name };
  }`,
  );
}

// ---------------------------------------------------------------------------------------------

let billing: Proc | undefined;
let checkout: Proc | undefined;
let billingPort = 0;
const ANN = { id: 'c1', name: 'Ann', iban: 'DE01' };

beforeAll(() => {
  if (!existsSync(join(root, 'dist/src/cli/main.js'))) {
    throw new Error('dist/ is missing: run "npm run build" before these tests (npm test does it as pretest)');
  }
});

afterAll(() => {
  for (const pid of [...running.keys()]) killByPid(pid);
  rmSync(work, { recursive: true, force: true });
});

describe('the context map: checkout calls billing through a client, translators and a circuit breaker', () => {
  it('generates the system with install, and the filled-in code builds and passes the system\'s tests', () => {
    const created = run(process.execPath, [bin, 'payments', '--spec', spec, '--yes', '--no-git'], work, 300_000);
    expect(created.status, output(created)).toBe(0);
    expect(existsSync(join(system, 'node_modules')), 'npm install ran').toBe(true);

    writeUserCode();

    const build = run('npm', ['run', 'build'], system, 180_000);
    expect(build.status, output(build)).toBe(0);
    const test = run('npm', ['test'], system, 180_000);
    expect(test.status, output(test)).toBe(0);
  }, 600_000);

  it('starts billing and checkout, and a payment travels through billing and both translators', async () => {
    billingPort = await freePort();
    billing = await startOn(billingDir, billingPort);
    checkout = await startOn(checkoutDir, await freePort(), {
      BILLING_URL: `http://127.0.0.1:${billingPort}`,
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
      BREAKER_RESET_MS: String(BREAKER_RESET_MS),
    });

    const answer = await pay(checkout.base, { customer: ANN, amount: 12.5 });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({ receipt: { id: 'r-c1', total: 12.5, lines: ['charged DE01'] }, payerName: 'Ann' });

    // The translator's default for a missing iban reaches billing.
    const noIban = await pay(checkout.base, { customer: { id: 'c2', name: 'Bob' }, amount: 1 });
    expect(noIban.status, JSON.stringify(noIban.body)).toBe(200);
    expect(noIban.body).toEqual({ receipt: { id: 'r-c2', total: 1, lines: ['charged NO-IBAN'] }, payerName: 'Bob' });
  }, 60_000);

  it('passes billing\'s declared error on (422 PAYMENT_DECLINED), and it does not trip the breaker', async () => {
    for (let i = 0; i < 5; i++) {
      const declined = await pay(checkout!.base, { customer: ANN, amount: 5000 });
      expect(declined.status, JSON.stringify(declined.body)).toBe(422);
      expect(declined.body.error.code).toBe('PAYMENT_DECLINED');
    }
    const samples = await metrics(checkout!.base);
    expect(circuitState(samples, 'charge')).toBe(0);
    expect(transitions(samples, 'charge', 'open')).toBe(0);
    const ok = await pay(checkout!.base, { customer: ANN, amount: 12.5 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  }, 60_000);

  it('answers 503 UPSTREAM_UNAVAILABLE when billing is down, and the breaker opens and fails fast', async () => {
    await terminate(billing!);

    // The window of the breaker still holds the successes (and the declines, which count as
    // successes) of the tests above, so it takes several failures before it opens.
    const answers: Answer[] = [];
    const open = (answer: Answer) => /circuit is open/.test(String(answer.body?.error?.message));
    while (answers.length < 30 && !answers.some(open)) answers.push(await pay(checkout!.base, { customer: ANN, amount: 12.5 }));
    const opensAfter = answers.findIndex(open);
    expect(opensAfter, 'the breaker did not open within 30 failing calls').toBeGreaterThanOrEqual(0);
    // Then every call fails fast without reaching the network. The last one comes right before
    // the metrics are read: an open breaker half-opens BREAKER_RESET_MS after it opened, and a
    // failing trial call opens it again.
    for (let i = 0; i < 5; i++) answers.push(await pay(checkout!.base, { customer: ANN, amount: 12.5 }));
    const samples = await metrics(checkout!.base);

    for (const [i, answer] of answers.entries()) {
      expect(answer.status, `call ${i}: ${JSON.stringify(answer.body)}`).toBe(503);
      expect(answer.body.error.code, `call ${i}`).toBe('UPSTREAM_UNAVAILABLE');
    }
    for (const [i, answer] of answers.entries()) {
      if (i < 5) continue;
      expect(answer.ms, `call ${i} took ${answer.ms.toFixed(0)} ms`).toBeLessThan(300);
    }
    for (const answer of answers.slice(opensAfter)) expect(open(answer), JSON.stringify(answer.body)).toBe(true);
    expect(circuitState(samples, 'charge')).toBe(2);
    expect(transitions(samples, 'charge', 'open')).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('closes the breaker again once billing is back on the same port', async () => {
    billing = await startOn(billingDir, billingPort);

    const deadline = Date.now() + 10_000;
    let last: Answer | undefined;
    while (Date.now() < deadline) {
      last = await pay(checkout!.base, { customer: ANN, amount: 12.5 });
      if (last.status === 200) break;
      expect(last.status, JSON.stringify(last.body)).toBe(503);
      await sleep(300);
    }
    expect(last?.status, `no success within 10 s: ${JSON.stringify(last?.body)}`).toBe(200);
    expect(last!.body).toEqual({ receipt: { id: 'r-c1', total: 12.5, lines: ['charged DE01'] }, payerName: 'Ann' });

    const samples = await metrics(checkout!.base);
    expect(transitions(samples, 'charge', 'halfOpen')).toBeGreaterThanOrEqual(1);
    expect(transitions(samples, 'charge', 'closed')).toBeGreaterThanOrEqual(1);
    expect(circuitState(samples, 'charge')).toBe(0);
  }, 60_000);
});
