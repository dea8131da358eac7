import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * The interactive creation through the real binary in a real pseudo-terminal (tmux), as a newcomer
 * meets it: every session waits for a question to be on screen before it answers, with bounded
 * waits, and reads the exit code the shell prints after the binary ends.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const example = join(root, 'templates/examples/kit.yaml');
// A tmux server of our own: other sessions on the machine are neither seen nor touched.
const socket = `cks-interactive-${process.pid}`;

let work: string;
const folders: string[] = [];
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'cks-interactive-'));
  folders.push(work);
});
afterAll(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One tmux session running the binary; the shell prints `[exit N]` when it ends. */
class Terminal {
  private static count = 0;
  readonly name = `s${++Terminal.count}`;

  constructor(args: string[], options: { cwd: string; path?: string }) {
    const env = [`NO_COLOR=1`, `PATH=${quote(options.path ?? process.env.PATH ?? '')}`].join(' ');
    // The shell survives a Ctrl-C sent while the terminal is not raw (a trap is reset in children,
    // so the binary still gets SIGINT as from an interactive shell), and prints the exit code.
    const command = `trap : INT; env ${env} ${quote(process.execPath)} ${quote(bin)} ${args.map(quote).join(' ')}; echo "[exit $?]"; sleep 600`;
    execFileSync('tmux', ['-L', socket, 'new-session', '-d', '-s', this.name, '-x', '200', '-y', '50', '-c', options.cwd, command]);
  }

  /** The whole screen with its scrollback. */
  screen(): string {
    return execFileSync('tmux', ['-L', socket, 'capture-pane', '-p', '-J', '-S', '-2000', '-t', this.name], { encoding: 'utf8' });
  }

  /** Waits until the screen matches; fails with the screen when it does not within the time. */
  async waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.screen().match(pattern);
      if (match) return match;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the screen:\n${this.screen()}`);
      await sleep(50);
    }
  }

  /**
   * Waits for the question being asked (a line starting with "?": answered ones show a tick) to
   * contain `question`, then types `text` (if any) and presses the keys (Enter by default).
   */
  async answer(question: string, text = '', keys: string[] = ['Enter']): Promise<void> {
    await this.waitFor(new RegExp(`^\\? ${question.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    if (text) this.type(text);
    this.keys(...keys);
  }

  type(text: string): void {
    execFileSync('tmux', ['-L', socket, 'send-keys', '-t', this.name, '-l', text]);
  }

  keys(...keys: string[]): void {
    if (keys.length > 0) execFileSync('tmux', ['-L', socket, 'send-keys', '-t', this.name, ...keys]);
  }

  async exitCode(timeoutMs = 60_000): Promise<number> {
    return Number((await this.waitFor(/^\[exit (\d+)\]$/m, timeoutMs))[1]);
  }

  kill(): void {
    spawnSync('tmux', ['-L', socket, 'kill-session', '-t', this.name]);
  }
}

/** Runs one session and always ends it. */
async function session(args: string[], drive: (terminal: Terminal) => Promise<void>, options: { cwd?: string; path?: string } = {}): Promise<void> {
  const terminal = new Terminal(args, { cwd: options.cwd ?? work, path: options.path });
  try {
    await drive(terminal);
  } finally {
    terminal.kill();
  }
}

const FAST = ['--no-install', '--no-git'];

describe('create-kit-service in a terminal, without a spec', () => {
  it('defines a two-context system from typed answers, and validate accepts its kit.yaml', async () => {
    await session(FAST, async (t) => {
      await t.answer('Folder to create the system in', 'my-shop');
      await t.answer('Where does the domain come from?', '', ['Down', 'Down', 'Enter']);

      await t.answer('Name of the first bounded context', 'ordering');
      await t.answer('Description of ordering', 'Takes customer orders');
      await t.answer('Transports of ordering');
      await t.answer('Middleware of ordering');
      await t.answer("A type of ordering's own model");
      await t.answer('Name of an endpoint of ordering', 'placeOrder');
      await t.answer('Description of placeOrder', 'Place a new order');
      await t.answer('HTTP method and path of placeOrder', 'POST /orders');
      await t.answer('Request fields of placeOrder', 'sku:string,qty:integer');
      await t.answer('Response fields of placeOrder', 'orderId:string');
      await t.answer('Errors placeOrder may answer with', 'OutOfStock');
      await t.answer('Next endpoint of ordering');

      await t.answer('Name of the next bounded context', 'billing');
      await t.answer('Description of billing');
      await t.answer('Transports of billing');
      await t.answer('Middleware of billing');
      await t.answer("A type of billing's own model");
      await t.answer('Name of an endpoint of billing', 'charge');
      await t.answer('Description of charge');
      await t.answer('HTTP method and path of charge');
      await t.answer('Request fields of charge', 'amount:number,reference:string?');
      await t.answer('Response fields of charge', 'receiptId:string');
      await t.answer('Errors charge may answer with');
      await t.answer('Next endpoint of billing');
      await t.answer('Name of the next bounded context');

      await t.answer('Which contexts does ordering call?', '', ['Space', 'Enter']);
      await t.answer('Which contexts does billing call?');
      await t.answer('System name (kebab-case) (my-shop)');
      await t.waitFor(/POST\s+\/orders\s+placeOrder/);
      await t.waitFor(/POST\s+\/charge\s+charge/);
      await t.answer('Create the my-shop system in my-shop/?');
      expect(await t.exitCode(), t.screen()).toBe(0);
      expect(t.screen()).toMatch(/ordering\s+http:\/\/localhost:8081/);
    });

    const text = readFileSync(join(work, 'my-shop/kit.yaml'), 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=\.\/\.kit\/kit\.schema\.json\n/);
    // Readable: commented, fields in flow style, as the documentation writes a spec.
    expect(text).toMatch(/^# The domain spec of the my-shop system/m);
    expect(text).toContain('request: { sku: string, qty: integer }');
    expect(text).toContain('http: POST /orders');
    expect(parse(text)).toEqual({
      name: 'my-shop',
      contexts: {
        ordering: {
          description: 'Takes customer orders',
          port: 8081,
          transports: ['http'],
          middleware: ['logging', 'metrics', 'ratelimit', 'tracing'],
          endpoints: {
            placeOrder: {
              description: 'Place a new order',
              http: 'POST /orders',
              request: { sku: 'string', qty: 'integer' },
              response: { orderId: 'string' },
              errors: ['OutOfStock'],
            },
          },
          uses: { billing: { endpoints: ['charge'] } },
        },
        billing: {
          port: 8082,
          transports: ['http'],
          middleware: ['logging', 'metrics', 'ratelimit', 'tracing'],
          endpoints: { charge: { http: 'POST /charge', request: { amount: 'number', 'reference?': 'string' }, response: { receiptId: 'string' } } },
        },
      },
    });
    const validate = spawnSync(process.execPath, [bin, 'validate', 'kit.yaml'], { cwd: join(work, 'my-shop'), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(validate.status, validate.stderr + validate.stdout).toBe(0);
    for (const context of ['ordering', 'billing']) {
      expect(existsSync(join(work, 'my-shop/services', context, 'src/service.ts')), context).toBe(true);
    }
    expect(readFileSync(join(work, 'my-shop/services/ordering/src/service.ts'), 'utf8')).toMatch(/placeOrder\(/);
    // ordering calls billing: it has a client of it.
    expect(readdirSync(join(work, 'my-shop/services/ordering/src'), { recursive: true }).join('\n')).toMatch(/billing/);
  });

  it('gives the example system when Enter is pressed at every question', async () => {
    await session(FAST, async (t) => {
      await t.answer('Folder to create the system in (my-system)');
      await t.answer('Where does the domain come from?');
      await t.answer('System name (kebab-case) (shop)');
      await t.answer('Create the shop system in my-system/?');
      expect(await t.exitCode(), t.screen()).toBe(0);
    });
    const withoutSchemaLine = (text: string) => text.replace(/^# yaml-language-server: .*\n/m, '');
    expect(withoutSchemaLine(readFileSync(join(work, 'my-system/kit.yaml'), 'utf8'))).toBe(withoutSchemaLine(readFileSync(example, 'utf8')));
    expect(readdirSync(join(work, 'my-system/services')).sort()).toEqual(['billing', 'ordering', 'shipping']);
  });

  it('explains an invalid name with the validator\'s words and asks again', async () => {
    await session(FAST, async (t) => {
      await t.answer('Folder to create the system in');
      await t.answer('Where does the domain come from?', '', ['Down', 'Down', 'Enter']);
      await t.answer('Name of the first bounded context', '1bad');
      await t.waitFor(/context name "1bad" is not an identifier \(hint: start with a letter; then use letters, digits, "-" or "_"\)/);
      // The rejected answer stays in the line to be corrected: clear it.
      t.keys('C-u');
      await t.answer('Name of the first bounded context', 'constructor');
      await t.waitFor(/context name "constructor" is a property every JavaScript object has \(hint: it would replace or reach into the object prototype; choose another name, e\.g\. "constructorItem"\)/);
      t.keys('C-u');
      await t.answer('Name of the first bounded context', 'ordering');
      await t.answer('Description of ordering');
      expect(t.screen()).toMatch(/^✔ Name of the first bounded context.* ordering$/m);
      t.keys('C-c');
      expect(await t.exitCode()).toBe(130);
    });
  });

  it('Ctrl-C at a question exits 130 with one line and writes nothing', async () => {
    await session(FAST, async (t) => {
      await t.answer('Folder to create the system in', 'half-done');
      await t.answer('Where does the domain come from?', '', ['Down', 'Down', 'Enter']);
      await t.answer('Name of the first bounded context', 'ordering');
      await t.answer('Description of ordering', 'Takes orders', ['C-c']);
      expect(await t.exitCode()).toBe(130);
      const screen = t.screen();
      expect(screen).toMatch(/^cancelled; nothing was written$/m);
      // One line: nothing but the shell's exit line follows it.
      expect(screen.slice(screen.indexOf('cancelled;')).trim().split('\n')).toEqual(['cancelled; nothing was written', '[exit 130]']);
    });
    expect(readdirSync(work)).toEqual([]);
  });

  it('Ctrl-C during npm install stops npm by its pid, removes the folder, and exits 130', async () => {
    // An npm that ignores SIGINT (so only a kill by pid stops it) and records its pid.
    const fakeBin = mkdtempSync(join(tmpdir(), 'cks-fake-npm-'));
    folders.push(fakeBin);
    const pidFile = join(fakeBin, 'npm.pid');
    writeFileSync(join(fakeBin, 'npm'), `#!/bin/sh\ntrap '' INT\necho $$ > ${quote(pidFile)}\nexec sleep 600\n`);
    chmodSync(join(fakeBin, 'npm'), 0o755);
    const cwd = join(work, 'here');
    mkdirSync(cwd);
    await session(
      ['--no-git'],
      async (t) => {
        await t.answer('Folder to create the system in');
        await t.answer('Where does the domain come from?');
        await t.answer('System name (kebab-case)');
        await t.answer('Create the shop system in my-system/?');
        await t.waitFor(/Installing dependencies \(npm install\)/);
        const deadline = Date.now() + 10_000;
        while (!existsSync(pidFile) && Date.now() < deadline) await sleep(50);
        expect(existsSync(join(cwd, 'my-system/kit.yaml'))).toBe(true);
        t.keys('C-c');
        expect(await t.exitCode()).toBe(130);
        expect(t.screen()).toMatch(/^cancelled; removed my-system\/$/m);
      },
      { cwd, path: `${fakeBin}:${process.env.PATH}` },
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('create-kit-service without a terminal, without a spec', () => {
  it('exits 2 and names the flags to pass', () => {
    const result = spawnSync(process.execPath, [bin, 'somewhere'], { cwd: work, encoding: 'utf8', input: '', env: { ...process.env, NO_COLOR: '1' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--spec FILE or --example/);
    expect(result.stderr).toMatch(/--yes/);
    expect(readdirSync(work)).toEqual([]);
  });
});
