import { CommanderError } from 'commander';
import { KitError } from '../errors.js';
import { printProblems, out } from './output.js';
import { buildProgram } from './program.js';

/** Exit codes of every command: 0 ok, 1 failure or invalid input, 2 usage. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** Runs the CLI and exits with the right code; the only place that maps errors to text. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander printed its message already; --help and --version end here with code 0.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof KitError) {
    if (error.problems.length > 0) printProblems(error.problems);
    const where = error.location ? `${error.location.file}:${error.location.line}:${error.location.col}: ` : '';
    out.err(`${out.red('error')}: ${where}${error.message}`);
    if (error.hint) out.err(out.dim(`  hint: ${error.hint}`));
    if (process.env.DEBUG) out.err(error.stack ?? '');
    return error.code === 'USAGE' ? EXIT.usage : EXIT.failure;
  }
  const message = error instanceof Error ? error.message : String(error);
  out.err(`${out.red('error')}: ${message}`);
  if (process.env.DEBUG && error instanceof Error) out.err(error.stack ?? '');
  else out.err(out.dim('  hint: set DEBUG=1 to see the stack trace'));
  return EXIT.failure;
}
