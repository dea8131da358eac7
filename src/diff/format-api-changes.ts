import { CHANGE_KINDS, type ApiChange } from './api-change.js';

const paint = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const plain = (text: string) => text;

/**
 * The changes as `diff` prints them: one block per context, one row per change (breaking or
 * compatible, what, where, how) in aligned columns, each breaking one followed by the callers it
 * breaks, and a last line that counts them. Colour is off unless asked for: only the CLI knows
 * whether it writes to a terminal.
 */
export function formatApiChanges(changes: readonly ApiChange[], options: { against: string; color?: boolean }): string {
  const [red, green, bold] = options.color ? [paint(31), paint(32), paint(1)] : [plain, plain, plain];
  if (changes.length === 0) return `no API changes against ${options.against}\n`;
  const labelWidth = Math.max(...changes.map((change) => CHANGE_KINDS[change.kind].length));
  const subjectWidth = Math.max(...changes.map((change) => change.subject.length));
  const severityWidth = 'compatible'.length;
  const below = ' '.repeat(2 + severityWidth + 2);
  const lines: string[] = [];
  for (const context of [...new Set(changes.map((change) => change.context))]) {
    if (lines.length > 0) lines.push('');
    lines.push(bold(context));
    for (const change of changes.filter((candidate) => candidate.context === context)) {
      const severity = change.breaking ? red('breaking'.padEnd(severityWidth)) : green('compatible');
      lines.push(`  ${severity}  ${CHANGE_KINDS[change.kind].padEnd(labelWidth)}  ${change.subject.padEnd(subjectWidth)}  ${change.detail}`.trimEnd());
      for (const consumer of change.consumers) lines.push(`${below}breaks ${consumer.context}: it calls ${consumer.calls.join(', ')}`);
      if (change.external) lines.push(`${below}breaks any caller outside kit.yaml (over ${change.breaksOver.join(', ')})`);
    }
  }
  const breaking = changes.filter((change) => change.breaking).length;
  lines.push('', `${changes.length} ${changes.length === 1 ? 'change' : 'changes'} against ${options.against}: ${breaking} breaking, ${changes.length - breaking} compatible`);
  return `${lines.join('\n')}\n`;
}
