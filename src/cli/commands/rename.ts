import { join, relative } from 'node:path';
import { readSystemLib } from '../../ast/read-system-lib.js';
import { KitError } from '../../errors.js';
import { buildModel } from '../../model/build-model.js';
import { describeWireChanges } from '../../model/describe-wire-changes.js';
import type { ProtoNumbers } from '../../model/number-proto-fields.js';
import { renameProtoNumbers } from '../../model/rename-proto-numbers.js';
import { planRename } from '../../plan/plan-rename.js';
import { stageRename } from '../../plan/stage-rename.js';
import { planSystem } from '../../plan/plan-system.js';
import { PROTO_NUMBERS_PATH, TEMPLATES_DIR } from '../../plan/stage-system.js';
import { createRenderer } from '../../render/create-renderer.js';
import { loadSpec, type SpecSource } from '../../spec/load-spec.js';
import { describeRename, renameInSpec, type RenameKind, type RenameRequest } from '../../spec/rename-in-spec.js';
import { validateSpec } from '../../spec/validate-spec.js';
import { movedFileSystem } from '../../tree/moved-file-system.js';
import { nodeFileSystem } from '../../tree/tree-file-system.js';
import { VirtualTree } from '../../tree/virtual-tree.js';
import { applySpec } from '../apply-spec.js';
import { findSystemRoot } from '../find-system-root.js';
import { out } from '../output.js';
import type { GivenRename } from '../prompts/ask-rename.js';

export interface RenameOptions {
  dryRun?: boolean;
}

/** The arguments of each kind of rename, in order, as help and messages name them. */
export const RENAME_ARGUMENTS: Readonly<Record<RenameKind, readonly (keyof GivenRename)[]>> = {
  endpoint: ['context', 'from', 'to'],
  type: ['context', 'from', 'to'],
  field: ['context', 'owner', 'from', 'to'],
  error: ['context', 'from', 'to'],
  context: ['from', 'to'],
};

const ARGUMENT_NAMES: Record<keyof GivenRename, string> = { context: '<context>', owner: '<type>', from: '<old>', to: '<new>' };

/**
 * `rename endpoint|type|field|error|context ...`: renames in kit.yaml (comments and layout kept,
 * every reference followed), in the user's code with TypeScript's rename (the context's and its
 * callers'), moves the folder of a renamed context (git mv), then runs the apply step of generate.
 * Everything is built in memory first: --dry-run prints it, and a refused name writes nothing.
 * Says which changes callers outside the system see, one line each, and goes on.
 */
export async function renameCommand(kind: RenameKind, args: (string | undefined)[], options: RenameOptions): Promise<void> {
  const root = findSystemRoot(process.cwd());
  const source = await loadSpec(relative(process.cwd(), join(root, 'kit.yaml')) || 'kit.yaml');
  const { spec: before } = validateSpec(source);
  // An invalid spec is reported as generate reports it (every problem, exit 1); nothing is renamed.
  if (!before) return void (await applySpec(root, source));

  const request = await completeRequest(kind, args, source);
  if (!request) {
    // Ctrl-C at a question.
    out.err('cancelled; nothing was written');
    process.exitCode = 130;
    return;
  }
  const { source: edited, rename } = renameInSpec(source, request);
  const after = validateSpec(edited).spec!;
  const numbers = JSON.parse(nodeFileSystem.readFile(join(root, PROTO_NUMBERS_PATH)) ?? '{}') as ProtoNumbers;
  const modelBefore = buildModel(before, numbers);
  const modelAfter = buildModel(after, renameProtoNumbers(numbers, rename));
  const plan = planRename(modelBefore, modelAfter, rename);

  // Only what is on disk moves; a target that is taken is refused before anything is staged.
  const moves = plan.moves.filter((move) => nodeFileSystem.exists(join(root, move.from)));
  for (const move of moves) {
    if (nodeFileSystem.exists(join(root, move.to))) {
      throw new KitError('INVALID_INPUT', `${move.to} already exists, so ${move.from} cannot move there`, { hint: 'move it out of the way (or remove it) first; nothing was written' });
    }
  }
  // The tree reads the moved files at their new places; they move on disk when it is written.
  const view = moves.length > 0 ? movedFileSystem(nodeFileSystem, root, moves) : undefined;
  const renamedTree = new VirtualTree(root, view ?? nodeFileSystem);
  out.err(`rename ${describeRename(rename)}`);
  const staged = await stageRename(renamedTree, plan, {
    protoNumbers: (current) => renameProtoNumbers(current, rename),
    // The services' TypeScript, as installed in the system, with the lib their tsconfig names.
    lib: () => readSystemLib(root, `${plan.services[0]?.before ?? 'services'}/tsconfig.json`),
    planned: async () => new Map(planSystem(modelAfter, await createRenderer(TEMPLATES_DIR)).map((file) => [file.path, file.content])),
  });

  // Callers outside the system do not follow by themselves: say what they see, and go on.
  for (const change of describeWireChanges(modelBefore, modelAfter, rename)) {
    out.err(change.breaking ? out.yellow(`! breaking for callers of ${change.context}: ${change.change}`) : out.dim(`  note for ${change.context}: ${change.change}`));
  }
  await applySpec(root, edited, { specText: edited.text, dryRun: options.dryRun, tree: renamedTree, moves: view, staged });
}

/**
 * The rename with every argument: as given, or asked for in a terminal (undefined when the user
 * cancels). Without a terminal a missing argument is a usage error that names it.
 */
async function completeRequest(kind: RenameKind, args: (string | undefined)[], source: SpecSource): Promise<RenameRequest | undefined> {
  const parts = RENAME_ARGUMENTS[kind];
  const given: GivenRename = Object.fromEntries(parts.map((part, index) => [part, args[index]]).filter(([, value]) => value !== undefined && value !== ''));
  if (kind === 'context' && given.from !== undefined) given.context = given.from;
  const missing = parts.filter((part) => given[part] === undefined);
  if (missing.length === 0) return { kind, context: given.context!, owner: given.owner, from: given.from!, to: given.to! };
  if (!process.stdin.isTTY) {
    throw new KitError('USAGE', `missing ${missing.map((part) => ARGUMENT_NAMES[part]).join(' and ')} of "rename ${kind}", and no terminal to ask for ${missing.length === 1 ? 'it' : 'them'}`, {
      hint: `create-kit-service rename ${kind} ${parts.map((part) => ARGUMENT_NAMES[part]).join(' ')}`,
    });
  }
  const { askRename } = await import('../prompts/ask-rename.js');
  try {
    return await askRename(kind, given, source);
  } catch (error) {
    // Ctrl-C at a question: nothing was written.
    if (error instanceof Error && error.name === 'ExitPromptError') return undefined;
    throw error;
  }
}
