import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KitError } from '../errors.js';
import { out } from './output.js';

const INSTALL_LOG = 'npm-install.log';

/**
 * The steps after writing: `npm install` once at the root (npm workspaces) and a first git commit,
 * each with a progress line and its time. Install output goes to a log file that a failure names.
 */
export async function runSteps(target: string, steps: { install: boolean; git: boolean }): Promise<void> {
  if (!steps.install && !steps.git) return;
  const { execa } = await import('execa');
  if (steps.install) {
    const logPath = join(target, INSTALL_LOG);
    await step('Installing dependencies (npm install)', async () => {
      const result = await execa('npm', ['install', '--no-audit', '--no-fund'], { cwd: target, stdin: 'ignore', all: true, reject: false });
      writeFileSync(logPath, result.all);
      if (result.failed) {
        throw new KitError('COMMAND_FAILED', `npm install failed (${result.shortMessage})`, {
          hint: `see ${logPath}; fix the cause, then run "npm install" in the folder`,
        });
      }
    });
  }
  if (steps.git) {
    const git = (args: string[]) => execa('git', args, { cwd: target });
    const hasGit = await git(['--version']).then(
      () => true,
      () => false,
    );
    if (!hasGit) {
      out.err(out.yellow('!') + ' git not found: skipped the first commit');
      return;
    }
    await step('Making the first commit (git)', async () => {
      const inRepo = await git(['rev-parse', '--is-inside-work-tree']).then(
        () => true,
        () => false,
      );
      if (!inRepo) await git(['init', '--quiet']);
      // A machine without a configured git identity still gets its first commit.
      const identity = await git(['config', 'user.email']).then(
        () => [],
        () => ['-c', 'user.name=create-kit-service', '-c', 'user.email=create-kit-service@localhost'],
      );
      await git(['add', '--all']);
      await execa('git', [...identity, 'commit', '--quiet', '--no-verify', '-m', 'Generate the system with create-kit-service'], { cwd: target });
    });
  }
}

/** Runs one step, showing it while it runs and how long it took when done. */
async function step(title: string, run: () => Promise<void>): Promise<void> {
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
    out.err(`${out.red('✗')} ${title} (${seconds(started)})`);
    throw error;
  } finally {
    if (timer) clearInterval(timer);
  }
}

function seconds(started: number): string {
  return `${((performance.now() - started) / 1000).toFixed(1)}s`;
}
