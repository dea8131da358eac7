import type { Problem } from '../errors.js';
import { formatLocation } from '../errors.js';

/** Colour only for a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
function colorEnabled(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && process.env.TERM !== 'dumb';
}

const paint = (code: number, stream: NodeJS.WriteStream) => (text: string) =>
  colorEnabled(stream) ? `\u001b[${code}m${text}\u001b[0m` : text;

/** The CLI's only way to print: stdout for results, stderr for problems and progress. */
export const out = {
  line: (text = '') => process.stdout.write(`${text}\n`),
  err: (text = '') => process.stderr.write(`${text}\n`),
  red: paint(31, process.stderr),
  yellow: paint(33, process.stderr),
  dim: paint(2, process.stderr),
  green: paint(32, process.stdout),
  bold: paint(1, process.stdout),
};

/** Prints problems as `file:line:col: severity: message`, each with its hint below. */
export function printProblems(problems: readonly Problem[]): void {
  for (const problem of problems) {
    const severity = problem.severity === 'error' ? out.red('error') : out.yellow('warning');
    out.err(`${formatLocation(problem.location)}: ${severity}: ${problem.message}`);
    out.err(out.dim(`  hint: ${problem.hint}`));
  }
}
