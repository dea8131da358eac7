import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../model/build-model.js';
import type { ProtoNumbers } from '../model/number-proto-fields.js';
import type { SystemModel } from '../model/system-model.js';
import { packageRoot } from '../package-root.js';
import { createRenderer } from '../render/create-renderer.js';
import { checkSemantics } from '../spec/check-semantics.js';
import { specSchema, type RawSpec } from '../spec/spec-schema.js';
import { mergeThreeWay } from '../tree/merge-three-way.js';
import type { VirtualTree } from '../tree/virtual-tree.js';
import { BASE_DIR, MANIFEST_PATH, parseManifest, renderManifest, sha256, type ManifestEntry } from './manifest.js';
import { importedPaths } from './imported-paths.js';
import { DECLARATION_MODULE, keepDeclarationsInUse } from './keep-declarations-in-use.js';
import { planSystem, type PlannedFile } from './plan-system.js';

export const TEMPLATES_DIR = join(packageRoot, 'templates');
export const SCHEMA_PATH = '.kit/kit.schema.json';
/** The field numbers of every gRPC message ever generated (see number-proto-fields.ts). */
export const PROTO_NUMBERS_PATH = '.kit/proto-numbers.json';
/** The spec the system was last generated from (as JSON: comments and layout do not count), so the next generate can say what it changes for callers. */
export const SPEC_RECORD_PATH = '.kit/spec.json';

/** What happened to one file. */
export interface StagedFile {
  path: string;
  /** `move` and `rename`: a file the rename command moved, or whose names it renamed in the user's code. */
  action: 'create' | 'update' | 'merge' | 'conflict' | 'keep' | 'delete' | 'move' | 'rename';
  /** Why, or what was added, in words. */
  detail?: string;
}

/** Lines that start a conflict the user has not resolved yet. */
const CONFLICT_MARKER = /^<<<<<<< yours: /m;

/**
 * Brings the tree in line with the spec, never losing a line the user wrote:
 * - a generator-owned file is rewritten when the user never edited it, else merged three ways
 *   (base: what the generator wrote last, kept in .kit/base/), conflicts marked as git does;
 * - a user-owned file is created once, then only merged by symbol (new methods, imports, tests);
 *   declarations that left the spec stay, deprecated, while the user's code names them;
 * - a file that left the spec is deleted if untouched since it was generated, else kept;
 * - the manifest and the bases are staged too, and commitTree writes .kit/ last.
 * Nothing touches the disk until the tree is committed. `model` is the spec's model numbered from
 * the tree's record, built here unless the caller has it already.
 */
export async function stageSystem(tree: VirtualTree, spec: RawSpec, model: SystemModel = buildModel(spec, JSON.parse(tree.read(PROTO_NUMBERS_PATH) ?? '{}') as ProtoNumbers)): Promise<StagedFile[]> {
  const planned = planSystem(model, await createRenderer(TEMPLATES_DIR));
  planned.push({ path: SCHEMA_PATH, owner: 'generator', content: readFileSync(join(packageRoot, 'schema', 'kit.schema.json'), 'utf8') });
  planned.push({ path: SPEC_RECORD_PATH, owner: 'generator', content: specRecord(spec) });
  if (Object.keys(model.protoNumbers).some((context) => Object.keys(model.protoNumbers[context]!).length > 0)) {
    planned.push({ path: PROTO_NUMBERS_PATH, owner: 'generator', content: `${JSON.stringify(model.protoNumbers, null, 2)}\n` });
  }
  const previous = parseManifest(tree.read(MANIFEST_PATH))?.files ?? {};
  const next: Record<string, ManifestEntry> = {};
  const staged: StagedFile[] = [];
  const userCode = userCodeReader(tree, planned, previous);

  // User-owned files first: what the user's code still names once they are merged (and untouched
  // stubs of endpoints that left the spec are gone) decides what the generated files keep for it.
  for (const file of planned.filter((candidate) => candidate.owner === 'user')) {
    const onDisk = tree.read(file.path);
    // Untouched since the generator wrote it (or exactly what it would write now, as after an
    // interrupted run): the file is the generator's to rewrite, e.g. after a type was renamed.
    const untouched = onDisk === undefined || onDisk === file.content || sha256(onDisk) === previous[file.path]?.sha256;
    const basePath = `${BASE_DIR}/${file.path}`;
    const { written, orphans, outcome } = untouched
      ? { written: file.content, orphans: [], outcome: rewriteUntouched(tree, file, onDisk) }
      : await stageUserOwned(tree, file, onDisk!, previous[file.path], tree.read(basePath));
    // What the generator would write into the file, kept to tell its untouched content next time.
    tree.write(basePath, file.content);
    // The hash stays that of what the generator wrote, so a file the user edited is never taken for untouched.
    next[file.path] = {
      owner: 'user',
      sha256: untouched ? sha256(written ?? onDisk!) : previous[file.path]?.sha256 ?? '',
      // Orphans stay on record until they are gone, so a later run still knows them for the generator's.
      symbols: [...(file.symbols ?? []), ...orphans],
    };
    staged.push(...outcome);
  }

  for (const file of planned.filter((candidate) => candidate.owner === 'generator')) {
    const base = tree.read(`${BASE_DIR}/${file.path}`);
    const { content, names, users } = DECLARATION_MODULE.test(file.path) ? keepDeclarationsInUse(file.content, base, userCode(serviceOf(file.path))) : { content: file.content, names: [], users: [] };
    const outcome = stageGenerated(tree, { ...file, content }, tree.read(file.path), previous[file.path], base);
    // The new base is staged after the merge has read the old one.
    tree.write(`${BASE_DIR}/${file.path}`, content);
    next[file.path] = { owner: 'generator', sha256: sha256(content) };
    if (outcome) staged.push(outcome);
    if (names.length > 0) {
      staged.push({
        path: file.path,
        action: 'keep',
        detail: `${names.join(', ')} left kit.yaml; kept as @deprecated while ${users.join(', ')} use${users.length === 1 ? 's' : ''} ${names.length === 1 ? 'it' : 'them'}`,
      });
    }
  }

  const keptInUse = declarationsInUse(previous, next, userCode);
  for (const [path, entry] of Object.entries(previous)) {
    if (next[path]) continue;
    const importers = keptInUse.get(path);
    if (importers) {
      // Declarations that left the spec, but the user's code imports them: they stay as they are.
      next[path] = entry;
      staged.push({ path, action: 'keep', detail: `no longer in the spec; kept while ${importers.join(', ')} import${importers.length === 1 ? 's' : ''} it` });
      continue;
    }
    tree.delete(`${BASE_DIR}/${path}`);
    const onDisk = tree.read(path);
    if (onDisk === undefined) continue;
    if (sha256(onDisk) === entry.sha256) {
      tree.delete(path);
      staged.push({ path, action: 'delete', detail: 'no longer in the spec' });
    } else {
      // From now on the file is the user's alone: it leaves the manifest.
      staged.push({ path, action: 'keep', detail: 'no longer in the spec, but you edited it: delete it yourself if it can go' });
    }
  }
  tree.write(MANIFEST_PATH, renderManifest(next));
  return staged;
}

/** What `.kit/spec.json` holds for a spec. */
export function specRecord(spec: RawSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/**
 * The spec `.kit/spec.json` holds, when it is still a valid spec (a record of an older version of
 * the tool may not be); undefined otherwise. JSON with the validator's rules, without the YAML
 * parser, which took ten times as long on the same text.
 */
export function readSpecRecord(text: string): RawSpec | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = specSchema.safeParse(value);
  return parsed.success && !checkSemantics(value).some((finding) => finding.severity === 'error') ? parsed.data : undefined;
}

/** `services/<context>` of a path below it. */
function serviceOf(path: string): string {
  return path.split('/').slice(0, 2).join('/');
}

/**
 * The user's TypeScript files of a service (`src/` and `test/`), by path relative to the service
 * folder, as the tree holds them now: every `.ts` file that is not the generator's, and not a
 * user-owned file that left the spec untouched (it goes). Read once per service, when first asked.
 */
function userCodeReader(tree: VirtualTree, planned: PlannedFile[], previous: Record<string, ManifestEntry>): (service: string) => Map<string, string> {
  const generated = new Set([...planned.filter((file) => file.owner === 'generator').map((file) => file.path), ...Object.entries(previous).filter(([, entry]) => entry.owner === 'generator').map(([path]) => path)]);
  const plannedPaths = new Set(planned.map((file) => file.path));
  const cache = new Map<string, Map<string, string>>();
  return (service) => {
    let code = cache.get(service);
    if (code) return code;
    code = new Map();
    for (const path of [...tree.listFiles(`${service}/src`), ...tree.listFiles(`${service}/test`)]) {
      if (!path.endsWith('.ts') || generated.has(path)) continue;
      const text = tree.read(path)!;
      const leaving = !plannedPaths.has(path) && sha256(text) === previous[path]?.sha256;
      if (!leaving) code.set(path.slice(service.length + 1), text);
    }
    cache.set(service, code);
    return code;
  };
}

/**
 * Declaration modules the generator wrote that left the spec (an upstream's types, once it is no
 * longer called) while the user's code of a service that stays still imports them (a translator
 * they edited): path -> its importers, relative to the service. Only declarations: a module with
 * code of its own would need what the spec no longer gives it, so it goes, and generate names the
 * user's import of it.
 */
function declarationsInUse(previous: Record<string, ManifestEntry>, next: Record<string, ManifestEntry>, userCode: (service: string) => Map<string, string>): Map<string, string[]> {
  const leaving = Object.entries(previous)
    .filter(([path, entry]) => !next[path] && entry.owner === 'generator' && DECLARATION_MODULE.test(path) && next[`${serviceOf(path)}/package.json`])
    .map(([path]) => path);
  const inUse = new Map<string, string[]>();
  for (const path of leaving) {
    const service = serviceOf(path);
    const importers = [...userCode(service)].filter(([file, text]) => importedPaths(`${service}/${file}`, text).includes(path)).map(([file]) => file);
    if (importers.length > 0) inUse.set(path, importers);
  }
  return inUse;
}

function stageGenerated(tree: VirtualTree, file: PlannedFile, onDisk: string | undefined, before: ManifestEntry | undefined, base: string | undefined): StagedFile | undefined {
  if (onDisk === undefined) {
    tree.write(file.path, file.content);
    return { path: file.path, action: 'create' };
  }
  if (onDisk === file.content) return undefined;
  if (before && sha256(onDisk) === before.sha256) {
    tree.write(file.path, file.content);
    return { path: file.path, action: 'update' };
  }
  // The user edited a generated file: keep their lines, take the generator's changes.
  const merged = mergeThreeWay(base ?? '', onDisk, file.content, file.path);
  tree.write(file.path, merged.text);
  if (merged.conflict || CONFLICT_MARKER.test(merged.text)) {
    return { path: file.path, action: 'conflict', detail: 'your edits and the generator\'s changes overlap: resolve the <<<<<<< markers' };
  }
  return merged.text === onDisk ? undefined : { path: file.path, action: 'merge', detail: 'your edits kept, the generator\'s changes merged in' };
}

/** A user-owned file the user never edited is written as the generator would write it now. */
function rewriteUntouched(tree: VirtualTree, file: PlannedFile, onDisk: string | undefined): StagedFile[] {
  if (onDisk === file.content) return [];
  tree.write(file.path, file.content);
  return [{ path: file.path, action: onDisk === undefined ? 'create' : 'update', detail: onDisk === undefined ? undefined : 'you had not edited it' }];
}

/**
 * A user-owned file the user edited: added to by symbol; what the generator wrote there and the user
 * never touched (told by `base`, the file as last generated; without it, a method still the stub)
 * follows the spec; a method the user wrote in whose endpoint left stays, reported.
 */
async function stageUserOwned(
  tree: VirtualTree,
  file: PlannedFile,
  onDisk: string,
  before: ManifestEntry | undefined,
  base: string | undefined,
): Promise<{ written?: string; orphans: string[]; outcome: StagedFile[] }> {
  const symbols = file.symbols ?? [];
  const gone = (before?.symbols ?? []).filter((symbol) => !symbols.includes(symbol));
  // Fast path: the generator would write what it wrote last time (or, without that record, every
  // symbol is there and none left the spec), so there is nothing to merge (and no ts-morph).
  const present = (symbol: string) => new RegExp(`\\b${symbol}\\b`).test(onDisk);
  const unchanged = (base === undefined ? gone.length === 0 : base === file.content) && symbols.every(present);
  // Orphans reported before stay on record while they are there.
  if (unchanged) return { orphans: gone.filter(present), outcome: [] };
  const { mergeUserFile } = await import('../ast/merge-user-file.js');
  // Without the record of what the generator wrote, an orphan is the generator's only while it is the stub.
  const merge = await mergeUserFile(file.path, onDisk, file.content, { generatedBefore: before?.symbols ?? [], prune: base === undefined, base });
  const outcome: StagedFile[] = [];
  if (merge.text !== onDisk) {
    tree.write(file.path, merge.text);
    const what = [...merge.added.map((name) => `added ${name}`), ...merge.updated.map((name) => `updated the untouched ${name}`), ...merge.pruned.map((name) => `removed the untouched ${name}`)];
    outcome.push({ path: file.path, action: 'merge', detail: what.join(', ') });
  }
  if (merge.orphans.length > 0) {
    outcome.push({
      path: file.path,
      action: 'keep',
      detail: `${merge.orphans.join(', ')} no longer in the spec: kept, since you wrote in ${merge.orphans.length === 1 ? 'it' : 'them'}; delete ${merge.orphans.length === 1 ? 'it' : 'them'} when no longer needed`,
    });
  }
  return { written: merge.text === onDisk ? undefined : merge.text, orphans: merge.orphans, outcome };
}
