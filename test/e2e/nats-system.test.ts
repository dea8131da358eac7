import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../helpers/nats-server.js';
import { output, run } from '../helpers/run-command.js';
import { startService, stopAll, within, type RunningService } from '../helpers/service-process.js';

/**
 * Issue "NATS transport", end to end against a real nats-server (Debian's, started by this test on a
 * free port): the real binary generates test/fixtures/specs/nats.yaml (inventory serves HTTP and
 * NATS, pricing NATS only, ordering calls both over NATS) and installs it; the test writes the code a
 * user would, builds the system, runs its own tests, then runs the services as real processes:
 * - ordering's HTTP endpoint calls inventory and pricing over NATS through the generated clients and
 *   translator; inventory's declared error comes back as ordering's own, with its code;
 * - a payload that is not JSON, or not valid, gets an error reply (code, kind, body), not a crash;
 * - two replicas of inventory in one queue group both answer a share of 200 calls;
 * - one replica gets SIGTERM in the middle of a steady load: no call fails, and it exits 0;
 * - the nats-server stops and starts again: /health says not ready meanwhile, calls fail as
 *   UPSTREAM_UNAVAILABLE, and the same processes answer again once NATS is back.
 *
 * Needs `npm run build` first. Processes are killed by pid in afterAll; every wait is bounded.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const work = mkdtempSync(join(tmpdir(), 'cks-nats-'));
const system = join(work, 'warehouse');
const dir = (service: string) => join(system, 'services', service);

/** A SKU inventory does not know, and one it answers slowly (for the drain check). */
const MISSING_SKU = 'missing';
const SLOW_SKU = 'slow';

function edit(file: string, pattern: RegExp, replacement: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text.match(new RegExp(pattern.source, 'g'))?.length, `one match of ${pattern} in ${file}`).toBe(1);
  writeFileSync(file, text.replace(pattern, replacement));
}

function writeUserCode(): void {
  const inventory = join(dir('inventory'), 'src/service.ts');
  edit(inventory, /import \{ NotImplementedError \} from '\.\/errors\.js';/, "import { setTimeout as sleep } from 'node:timers/promises';\nimport { NotImplementedError, OutOfStockError } from './errors.js';");
  // The reservation id names the replica (its pid) that answered: the queue group test counts them.
  edit(
    inventory,
    /async reserveStock\(request: ReserveStockRequest\): Promise<ReserveStockResponse> \{\n[^\n]*\n  \}/,
    `async reserveStock(request: ReserveStockRequest): Promise<ReserveStockResponse> {
    if (request.items.some((item) => item.sku === '${MISSING_SKU}')) throw new OutOfStockError('${MISSING_SKU} is out of stock');
    if (request.items.some((item) => item.sku === '${SLOW_SKU}')) await sleep(300);
    return { reservationId: \`\${process.pid}:\${request.orderId}\`, items: request.items };
  }`,
  );
  const pricing = join(dir('pricing'), 'src/service.ts');
  edit(pricing, /import \{ NotImplementedError \} from '\.\/errors\.js';/, "import { CouponExpiredError, NotImplementedError } from './errors.js';");
  edit(
    pricing,
    /async quote\(request: QuoteRequest\): Promise<QuoteResponse> \{\n[^\n]*\n  \}/,
    `async quote(request: QuoteRequest): Promise<QuoteResponse> {
    if (request.coupon === 'EXPIRED') throw new CouponExpiredError('the coupon has expired');
    return { total: request.skus.length * 10, currency: 'EUR' };
  }`,
  );
  const ordering = join(dir('ordering'), 'src/service.ts');
  edit(ordering, /import \{ NotImplementedError \} from '\.\/errors\.js';/, "import { randomUUID } from 'node:crypto';");
  edit(
    ordering,
    /async placeOrder\(request: PlaceOrderRequest\): Promise<PlaceOrderResponse> \{\n[^\n]*\n  \}/,
    `async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    const orderId = randomUUID();
    const reservation = await this.deps.inventory.reserveStock({ orderId, items: request.items.map(this.deps.inventoryTranslators.toStockItem) });
    const quote = await this.deps.pricing.quote({ skus: reservation.items.map((item) => item.sku) });
    return { orderId, total: quote.total };
  }`,
  );
}

let nats: NatsServer;
let client: NatsConnection;
let inventory: RunningService;
let pricing: RunningService;
let ordering: RunningService;

/** The services' environment: this test's NATS, and no rate limit (the load tests send hundreds of calls a second). */
const withNats = (url: string) => ({ NATS_URL: url, RATE_LIMIT_RPS: '1000000', RATE_LIMIT_BURST: '1000000' });

/** Waits (bounded) until a service has written a log line that matches: lines reach stdout in batches, at least once a second. */
async function logged(service: RunningService, pattern: RegExp): Promise<void> {
  await within(
    (async () => {
      while (!pattern.test(service.stdout())) await sleep(50);
    })(),
    5_000,
    `a log line matching ${pattern}`,
  );
}

beforeAll(async () => {
  const created = run(process.execPath, [bin, system, '--spec', join(root, 'test/fixtures/specs/nats.yaml'), '--yes', '--no-git'], work, 600_000);
  if (created.status !== 0) throw new Error(`create failed\n${output(created)}`);
  writeUserCode();
  const build = run('npm', ['run', 'build'], system, 300_000);
  if (build.status !== 0) throw new Error(`npm run build failed\n${output(build)}`);
  nats = await startNatsServer();
  client = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  inventory = await startService(dir('inventory'), { env: withNats(nats.url) });
  pricing = await startService(dir('pricing'), { env: withNats(nats.url) });
  // A short breaker reset: after NATS comes back, ordering tries again soon.
  ordering = await startService(dir('ordering'), { env: { ...withNats(nats.url), BREAKER_RESET_MS: '300' } });
}, 900_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  stopAll();
  nats?.kill();
  rmSync(work, { recursive: true, force: true });
});

/** Places an order through ordering's HTTP endpoint: its status and body. */
async function placeOrder(skus: string[]): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${ordering.base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: 'c-1', items: skus.map((sku) => ({ sku, name: sku, quantity: 1 })) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A raw NATS request, as any client in any language could send it: the reply's headers and JSON body. */
async function natsRequest(subject: string, payload: string): Promise<{ code?: string; kind?: string; requestId?: string; body: Record<string, unknown> }> {
  const reply = await client.request(subject, payload, { timeout: 5_000, headers: headers() });
  return {
    code: reply.headers?.get('Kit-Error-Code') || undefined,
    kind: reply.headers?.get('Kit-Error-Kind') || undefined,
    requestId: reply.headers?.get('X-Request-Id') || undefined,
    body: reply.json<Record<string, unknown>>(),
  };
}

const reserve = (orderId: string, skus: string[]) => JSON.stringify({ orderId, items: skus.map((sku) => ({ sku, name: sku, quantity: 1 })) });
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('a generated system with NATS, against a real nats-server', () => {
  it('passes its own tests, the generated NATS contract tests included', () => {
    const test = run('npm', ['test'], system, 300_000);
    expect(test.status, output(test)).toBe(0);
    expect(test.stdout).toMatch(/answers VALIDATION_FAILED with the field when "orderId" has the wrong type/);
  }, 300_000);

  it('answers an HTTP call that crosses two contexts over NATS, through the generated clients and translator', async () => {
    const answer = await placeOrder(['apple', 'pear']);
    expect(answer, JSON.stringify(answer)).toMatchObject({ status: 200, body: { total: 20 } });
    await logged(inventory, /"endpoint":"reserveStock".*"outcome":"success"/);
    await logged(pricing, /"endpoint":"quote".*"outcome":"success"/);
  });

  it("passes an upstream's declared error on with its code", async () => {
    const answer = await placeOrder(['apple', MISSING_SKU]);
    expect(answer.status).toBe(422);
    expect(answer.body).toEqual({ error: { code: 'OUT_OF_STOCK', message: `${MISSING_SKU} is out of stock` } });
  });

  it('answers a payload that is not JSON, or not valid, with an error reply, and keeps running', async () => {
    const malformed = await natsRequest('warehouse.inventory.reserveStock', '{"orderId": ');
    expect(malformed).toMatchObject({ code: 'MALFORMED_JSON', kind: 'invalid_argument', body: { error: { code: 'MALFORMED_JSON' } } });
    expect(malformed.requestId).toMatch(/^[0-9a-f]{12}-/);
    const invalid = await natsRequest('warehouse.inventory.reserveStock', JSON.stringify({ orderId: 'not-a-uuid', items: [] }));
    expect(invalid).toMatchObject({ code: 'VALIDATION_FAILED', kind: 'invalid_argument' });
    expect((invalid.body.error as { details: { field: string }[] }).details.map((detail) => detail.field)).toEqual(['orderId']);
    const declared = await natsRequest('warehouse.pricing.quote', JSON.stringify({ skus: ['a'], coupon: 'EXPIRED' }));
    expect(declared).toMatchObject({ code: 'COUPON_EXPIRED', kind: 'failed_precondition', body: { error: { code: 'COUPON_EXPIRED', message: 'the coupon has expired' } } });
    const valid = await natsRequest('warehouse.inventory.reserveStock', reserve(uuid(1), ['apple']));
    expect(valid.code).toBeUndefined();
    expect(valid.body).toEqual({ reservationId: `${inventory.pid}:${uuid(1)}`, items: [{ sku: 'apple', name: 'apple', quantity: 1 }] });
    expect(inventory.hasExited()).toBe(false);
  });

  it('shares 200 calls between two replicas of one queue group', async () => {
    const second = await startService(dir('inventory'), { env: withNats(nats.url) });
    try {
      // The second replica subscribes once it is connected; /health answering 200 means it is.
      const answers = await Promise.all(Array.from({ length: 200 }, (_, index) => natsRequest('warehouse.inventory.reserveStock', reserve(uuid(index), ['apple']))));
      const byReplica = new Map<string, number>();
      for (const answer of answers) {
        expect(answer.code, JSON.stringify(answer.body)).toBeUndefined();
        const pid = String(answer.body.reservationId).split(':')[0]!;
        byReplica.set(pid, (byReplica.get(pid) ?? 0) + 1);
      }
      expect([...byReplica.keys()].sort()).toEqual([String(inventory.pid), String(second.pid)].sort());
      // NATS picks a member at random: each gets far more than 10% of 200 unless the group is broken.
      for (const count of byReplica.values()) expect(count).toBeGreaterThan(20);
    } finally {
      second.child.kill('SIGTERM');
      await within(second.exited, 15_000, 'the second replica to stop');
    }
  }, 60_000);

  it('loses no call when a replica gets SIGTERM in the middle of a steady load', async () => {
    const leaving = await startService(dir('inventory'), { env: withNats(nats.url) });
    const results: { ok: boolean; detail: string; pid: string }[] = [];
    const end = Date.now() + 3_000;
    // 20 callers in a loop through ordering's HTTP endpoint; one call in four is slow, so SIGTERM finds calls in flight.
    const caller = async (id: number) => {
      for (let n = 0; Date.now() < end; n++) {
        const answer = await placeOrder((id + n) % 4 === 0 ? [SLOW_SKU] : ['apple']);
        results.push({ ok: answer.status === 200, detail: JSON.stringify(answer), pid: '' });
      }
    };
    const direct = async () => {
      for (let n = 0; Date.now() < end; n++) {
        const answer = await natsRequest('warehouse.inventory.reserveStock', reserve(uuid(n), n % 3 === 0 ? [SLOW_SKU] : ['apple']));
        results.push({ ok: answer.code === undefined, detail: JSON.stringify(answer), pid: String(answer.body.reservationId).split(':')[0]! });
      }
    };
    const load = Promise.all([...Array.from({ length: 20 }, (_, id) => caller(id)), direct(), direct()]);
    await sleep(1_000);
    leaving.child.kill('SIGTERM');
    const exited = await within(leaving.exited, 15_000, 'the replica to drain and exit');
    await load;
    expect(exited).toEqual({ code: 0, signal: null });
    expect(leaving.stdout()).toMatch(/"msg":"stopped"/);
    const failed = results.filter((result) => !result.ok);
    expect(failed.map((result) => result.detail)).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
    // Both replicas answered direct calls before the SIGTERM; only the one that stayed answered after it.
    expect(new Set(results.map((result) => result.pid)).has(String(leaving.pid))).toBe(true);
  }, 60_000);

  it('recovers without a restart when the nats-server stops and starts again', async () => {
    const health = async (service: RunningService) => {
      const response = await fetch(`${service.base}/health`, { signal: AbortSignal.timeout(2_000) });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    await nats.stop();
    await within(
      (async () => {
        while ((await health(inventory)).status !== 503) await sleep(50);
      })(),
      10_000,
      'inventory to report NATS down',
    );
    expect(await health(inventory)).toEqual({ status: 503, body: { status: 'unavailable', down: ['nats'] } });
    const unavailable = await placeOrder(['apple']);
    expect(unavailable.status).toBe(503);
    expect((unavailable.body.error as { code: string }).code).toBe('UPSTREAM_UNAVAILABLE');

    await nats.start();
    await within(
      (async () => {
        while ((await health(inventory)).status !== 200 || (await health(ordering)).status !== 200) await sleep(100);
      })(),
      20_000,
      'the services to reconnect to NATS',
    );
    // ordering's breaker may still be open for BREAKER_RESET_MS; a few tries, bounded.
    let answer = await placeOrder(['apple']);
    for (let attempt = 0; answer.status !== 200 && attempt < 20; attempt++) {
      await sleep(200);
      answer = await placeOrder(['apple']);
    }
    expect(answer, JSON.stringify(answer)).toMatchObject({ status: 200, body: { total: 10 } });
    for (const service of [inventory, pricing, ordering]) expect(service.hasExited(), service.stderr()).toBe(false);
    await logged(inventory, /"msg":"reconnected to NATS"/);
  }, 60_000);
});
