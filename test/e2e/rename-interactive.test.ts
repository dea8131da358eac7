import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { output, run } from '../helpers/run-command.js';
import { snapshotTree } from '../helpers/system-tree.js';

/**
 * `rename` with arguments missing: in a real pseudo-terminal (tmux) it asks for them, offering the
 * spec's names to pick and checking the new name with the validator's words; without a terminal it
 * is a usage error that names what is missing.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
// A tmux server of our own: other sessions on the machine are neither seen nor touched.
const socket = `cks-rename-${process.pid}`;
let work: string;
let system: string;

const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the pane shows `pattern`; fails with the screen when it does not within the time. */
async function waitFor(session: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-J', '-S', '-2000', '-t', session);
    if (pattern.test(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the screen:\n${screen}`);
    await sleep(50);
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cks-rename-tty-'));
  const created = run(process.execPath, [bin, 'shop', '--example', '--yes', '--no-install', '--no-git'], work, 120_000);
  expect(created.status, output(created)).toBe(0);
  system = join(work, 'shop');
});

afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  rmSync(work, { recursive: true, force: true });
});

describe('rename with arguments missing', () => {
  it('without a terminal: exit 2, naming what is missing, and nothing written', () => {
    const before = snapshotTree(system);
    const result = run(process.execPath, [bin, 'rename', 'field', 'billing'], system, 60_000);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('error: missing <type> and <old> and <new> of "rename field", and no terminal to ask for them');
    expect(result.stderr).toContain('hint: create-kit-service rename field <context> <type> <old> <new>');
    expect(snapshotTree(system)).toEqual(before);
  });

  it('in a terminal: picks the context and the endpoint from lists, refuses a taken name in the validator\'s words, then renames', async () => {
    const session = 'rename';
    tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', '-c', system, `env NO_COLOR=1 ${quote(process.execPath)} ${quote(bin)} rename endpoint; echo "[exit $?]"; sleep 600`);
    try {
      // The contexts, as kit.yaml lists them: ordering, billing, shipping.
      await waitFor(session, /In which context is the endpoint\?[^]*ordering[^]*billing[^]*shipping/);
      tmux('send-keys', '-t', session, 'Down', 'Enter');
      await waitFor(session, /Which endpoint of billing\?[^]*charge[^]*getReceipt/);
      tmux('send-keys', '-t', session, 'Enter');
      await waitFor(session, /New name of endpoint charge/);
      tmux('send-keys', '-t', session, '-l', 'getReceipt');
      tmux('send-keys', '-t', session, 'Enter');
      await waitFor(session, /endpoint "getReceipt" already exists in context "billing" \(hint: choose another name, or rename or remove the one that has it first\)/);
      tmux('send-keys', '-t', session, ...Array<string>(10).fill('BSpace'));
      tmux('send-keys', '-t', session, '-l', 'debit');
      tmux('send-keys', '-t', session, 'Enter');
      const screen = await waitFor(session, /^\[exit (\d+)\]$/m, 60_000);
      expect(screen, screen).toContain('[exit 0]');
      expect(screen).toContain('! breaking for callers of billing: POST /charge -> POST /debit');
    } finally {
      spawnSync('tmux', ['-L', socket, 'kill-session', '-t', session]);
    }
    const spec = readFileSync(join(system, 'kit.yaml'), 'utf8');
    expect(spec).toContain('      debit:\n        description: Charge a payer');
    expect(spec).toContain('endpoints: [debit]');
    expect(readFileSync(join(system, 'services/billing/src/service.ts'), 'utf8')).toContain('async debit(request: DebitRequest)');
  }, 120_000);
});
