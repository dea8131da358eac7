import { CHANGE_KINDS, type ApiChange } from './api-change.js';

/** How many changes the line names before it only counts the rest. */
const NAMED = 3;

/**
 * One line for `generate` when it applies breaking changes: how many, the first few, and whom they
 * break; undefined when nothing breaks. `diff` prints the whole table.
 */
export function summarizeBreakingChanges(changes: readonly ApiChange[]): string | undefined {
  const breaking = changes.filter((change) => change.breaking);
  if (breaking.length === 0) return undefined;
  const named = breaking.slice(0, NAMED).map((change) => `${change.context}: ${CHANGE_KINDS[change.kind]} ${change.subject}`);
  const rest = breaking.length > NAMED ? `, and ${breaking.length - NAMED} more` : '';
  const consumers = [...new Set(breaking.flatMap((change) => change.consumers.map((consumer) => consumer.context)))];
  const whom = `${consumers.map((consumer) => `${consumer}, `).join('')}${consumers.length > 0 ? 'and ' : ''}any caller outside kit.yaml`;
  return `${breaking.length} breaking API ${breaking.length === 1 ? 'change' : 'changes'} (${named.join('; ')}${rest}) break${breaking.length === 1 ? 's' : ''} ${whom}`;
}
