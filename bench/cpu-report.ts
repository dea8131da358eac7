/**
 * Preloaded into a measured CLI run (node --import): on exit, writes the process's CPU time (user
 * and system, every thread) to $CKIT_BENCH_CPU_FILE. CPU time, unlike wall time, barely changes
 * when other work shares the machine, so it shows how generation scales even on a busy box.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.CKIT_BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ userUs: usage.user, systemUs: usage.system }));
  });
}
