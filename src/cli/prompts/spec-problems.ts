import { checkSemantics, type Finding, type NameProblem } from '../../spec/check-semantics.js';
import type { DraftSpec } from '../../spec/render-spec.js';

/** A problem as a prompt shows it under the answer: the validator's message and its hint. */
export function showProblem(problem: NameProblem): string {
  return `${problem.message} (hint: ${problem.hint})`;
}

const key = (finding: Finding) => `${finding.path.join('\u0000')}\u0000${finding.message}`;

/**
 * The first error that validate would report for `after` but not for `before`: the problem a
 * single answer brings into the spec being defined, in the validator's own words. Comparing two
 * drafts keeps every rule (collisions, unknown types, routes, path parameters, error names) in one
 * place, check-semantics, and blames an answer only for what it changed.
 */
export function problemAdded(before: DraftSpec, after: DraftSpec): string | undefined {
  const known = new Set(checkSemantics(before).filter((finding) => finding.severity === 'error').map(key));
  const added = checkSemantics(after).find((finding) => finding.severity === 'error' && !known.has(key(finding)));
  return added && showProblem(added);
}
