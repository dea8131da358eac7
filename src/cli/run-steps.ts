import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KitError } from '../errors.js';
import { out } from './output.js';

/** How many lines of npm's output a failed install shows; the log has all of it. */
const INSTALL_TAIL_LINES = 15;

/**
 * The steps after writing: `npm install` once at the root (npm workspaces) and a first git commit,
 * each with a progress line and its time. The user's folder holds only the system: when the install
 * fails, its output goes to a log in a temporary folder, whose last lines are shown and which the
 * error names.
 *
 * When `signal` aborts (Ctrl-C), the running child (npm or git) is stopped through its pid and the
 * promise rejects with the signal's reason; the caller decides what to undo. No line is printed
 * for the stopped step: the caller's one line says what happened.
 */
export async function runSteps(target: string, steps: { install: boolean; git: boolean }, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { signal } = options;
  signal?.throwIfAborted();
  if (!steps.install && !steps.git) return;
  const { execa } = await import('execa');
  // cancelSignal: execa kills the child by its pid (SIGTERM, then SIGKILL after 5 s) and waits for it to exit.
  const stoppable = { cancelSignal: signal, forceKillAfterDelay: 5000 } as const;
  if (steps.install) {
    await step('Installing dependencies (npm install)', signal, async () => {
      const result = await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: target, stdin: 'ignore', all: true, reject: false, ...stoppable });
      signal?.throwIfAborted();
      if (result.failed) {
        const log = join(mkdtempSync(join(tmpdir(), 'create-kit-service-')), 'npm-install.log');
        writeFileSync(log, result.all ?? '');
        const tail = (result.all ?? '').trimEnd().split('\n').slice(-INSTALL_TAIL_LINES);
        throw new KitError('COMMAND_FAILED', `npm install failed (${result.shortMessage}); its last lines:\n${tail.map((line) => `  ${line}`).join('\n')}`, {
          hint: `all of npm's output is in ${log}; fix the cause, then run "npm install" in the folder`,
        });
      }
    });
  }
  if (steps.git) {
    const git = (args: string[]) => execa('git', args, { cwd: target, ...stoppable });
    const hasGit = await git(['--version']).then(
      () => true,
      () => false,
    );
    signal?.throwIfAborted();
    if (!hasGit) {
      out.err(out.yellow('!') + ' git not found: skipped the first commit');
      return;
    }
    await step('Making the first commit (git)', signal, async () => {
      // The system gets a repository of its own unless it already is one: inside another repository
      // (a monorepo, or a folder that repository ignores) it would otherwise commit nothing of its own.
      const topLevel = await git(['rev-parse', '--show-toplevel']).then(
        (result) => realpathSync(String(result.stdout).trim()),
        () => undefined,
      );
      signal?.throwIfAborted();
      if (topLevel !== realpathSync(target)) await git(['init', '--quiet']);
      // A machine without a configured git identity still gets its first commit.
      const identity = await git(['config', 'user.email']).then(
        () => [],
        () => ['-c', 'user.name=create-kit-service', '-c', 'user.email=create-kit-service@localhost'],
      );
      signal?.throwIfAborted();
      await git(['add', '--all']);
      const staged = await git(['diff', '--cached', '--quiet']).then(
        () => false,
        () => true,
      );
      if (!staged) return;
      await execa('git', [...identity, 'commit', '--quiet', '--no-verify', '-m', 'Generate the system with create-kit-service'], { cwd: target, ...stoppable });
    });
  }
  signal?.throwIfAborted();
}

/** Runs one step, showing it while it runs and how long it took when done. */
async function step(title: string, signal: AbortSignal | undefined, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let frame = 0;
  const timer = tty
    ? setInterval(() => process.stderr.write(`\r${frames[frame++ % frames.length]} ${title}… ${seconds(started)}`), 100)
    : undefined;
  if (!tty) out.err(`… ${title}`);
  try {
    await run();
    if (tty) process.stderr.write('\r\u001b[2K');
    out.err(`${out.green('✓')} ${title} (${seconds(started)})`);
  } catch (error) {
    if (tty) process.stderr.write('\r\u001b[2K');
    if (!signal?.aborted) out.err(`${out.red('✗')} ${title} (${seconds(started)})`);
    throw signal?.aborted ? signal.reason : error;
  } finally {
    if (timer) clearInterval(timer);
  }
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)}s`;
}
