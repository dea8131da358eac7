import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { apiChangesReport } from '../../diff/api-changes-report.js';
import { diffSpecs } from '../../diff/diff-specs.js';
import { formatApiChanges } from '../../diff/format-api-changes.js';
import { KitError } from '../../errors.js';
import type { ProtoNumbers } from '../../model/number-proto-fields.js';
import { PROTO_NUMBERS_PATH } from '../../plan/stage-system.js';
import { loadSpec, parseSpec } from '../../spec/load-spec.js';
import { validateSpec } from '../../spec/validate-spec.js';
import { findSystemRoot } from '../find-system-root.js';
import { out, printProblems } from '../output.js';
import { readOlderSpec } from '../read-older-spec.js';

export interface DiffOptions {
  /** A git revision or a file; default: the last commit (HEAD). */
  against?: string;
  json?: boolean;
}

/**
 * `diff`: the API changes of kit.yaml since an older spec (the last commit's by default), each
 * breaking or compatible for callers built against the older one, with the contexts each breaking
 * one breaks. Exit 1 when anything breaks (a KitError after the table, so CI fails), 2 when there
 * is nothing valid to compare with.
 */
export async function diffCommand(options: DiffOptions): Promise<void> {
  const root = findSystemRoot(process.cwd());
  const file = relative(process.cwd(), join(root, 'kit.yaml')) || 'kit.yaml';
  const { spec, problems } = validateSpec(await loadSpec(file));
  printProblems(problems);
  if (!spec) throw new KitError('INVALID_SPEC', `${file} is invalid; nothing was compared`, { hint: 'fix the problems above, then run diff again' });

  const older = readOlderSpec(root, options.against ?? 'HEAD', { file: options.against !== undefined });
  const olderCheck = validateSpec(parseSpec(older.label, older.text));
  if (!olderCheck.spec) {
    // Its warnings are of no use now: only what makes it unusable.
    printProblems(olderCheck.problems.filter((problem) => problem.severity === 'error'));
    throw new KitError('USAGE', `the older spec ${older.label} is invalid, so there is nothing valid to compare kit.yaml with`, {
      hint: 'compare with a revision or a file whose spec is valid: --against <revision|file>',
    });
  }
  const current = existsSync(join(root, PROTO_NUMBERS_PATH)) ? readFileSync(join(root, PROTO_NUMBERS_PATH), 'utf8') : undefined;
  const changes = diffSpecs(olderCheck.spec, spec, {
    older: older.protoNumbers === undefined ? undefined : protoNumbers(older.protoNumbers, `${older.label.replace(/:kit\.yaml$/, '')}:${PROTO_NUMBERS_PATH}`),
    newer: current === undefined ? undefined : protoNumbers(current, PROTO_NUMBERS_PATH),
  });

  if (options.json) out.line(JSON.stringify(apiChangesReport(changes, older.label), null, 2));
  else out.line(formatApiChanges(changes, { against: older.label, color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }).trimEnd());
  const breaking = changes.filter((change) => change.breaking).length;
  if (breaking > 0) {
    throw new KitError('COMMAND_FAILED', `kit.yaml breaks callers: ${breaking} breaking ${breaking === 1 ? 'change' : 'changes'} against ${older.label}`, {
      hint: 'keep the old form next to the new one (a new endpoint, a new optional field) until every consumer named above has moved, or deploy those consumers with this change',
    });
  }
}

/** The record of field numbers; one that does not parse is named, never taken for an empty one. */
function protoNumbers(text: string, where: string): ProtoNumbers {
  try {
    return JSON.parse(text) as ProtoNumbers;
  } catch {
    throw new KitError('INVALID_INPUT', `${where} is not valid JSON`, { hint: 'restore it from git (git checkout -- .kit/proto-numbers.json): field numbers must not change' });
  }
}
