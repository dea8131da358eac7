import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Sampled, summarize } from './measure.js';
import { CLI } from './paths.js';

const FIRST_PROMPT = 'Folder to create the system in';

/**
 * Time from spawn until the first question of the interactive create is on the screen, in a real
 * pseudo-terminal (util-linux `script`), then Ctrl-C. Returns undefined where `script` is missing.
 */
export async function timeToFirstPrompt(work: string, runs: number, warmups: number): Promise<Sampled | undefined> {
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --no-install --no-git`;
      const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: join(work), env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let screen = '';
      let seen = false;
      // The pseudo-terminal may be gone by the time Ctrl-C is written; that is fine.
      child.stdin.on('error', () => undefined);
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no prompt within 10 s; the screen showed:\n${screen}`));
      }, 10_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.stdout.on('data', (chunk: Buffer) => {
        screen += chunk.toString();
        if (seen || !screen.includes(FIRST_PROMPT)) return;
        seen = true;
        const ms = performance.now() - started;
        clearTimeout(timer);
        child.stdin.write('\u0003');
        child.on('exit', () => resolve(ms));
        setTimeout(() => child.kill('SIGKILL'), 2_000).unref();
      });
    });
  try {
    for (let i = 0; i < warmups; i++) await once();
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) samples.push(await once());
    return summarize(samples);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

