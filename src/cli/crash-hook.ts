/**
 * For tests only: with CREATE_KIT_SERVICE_CRASH_AFTER=N the process dies (SIGKILL, no cleanup) after
 * N renames or deletions of a commit, as a power cut would, so that tests can show that running the
 * command again finishes the job.
 */
export function crashHookFromEnvironment(): ((done: number) => void) | undefined {
  const after = Number(process.env.CREATE_KIT_SERVICE_CRASH_AFTER);
  if (!Number.isInteger(after) || after <= 0) return undefined;
  return (done) => {
    if (done >= after) process.kill(process.pid, 'SIGKILL');
  };
}
