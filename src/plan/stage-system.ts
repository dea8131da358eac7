import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../model/build-model.js';
import { packageRoot } from '../package-root.js';
import { createRenderer } from '../render/create-renderer.js';
import type { RawSpec } from '../spec/spec-schema.js';
import { mergeThreeWay } from '../tree/merge-three-way.js';
import type { VirtualTree } from '../tree/virtual-tree.js';
import { BASE_DIR, MANIFEST_PATH, parseManifest, renderManifest, sha256, type ManifestEntry } from './manifest.js';
import { planSystem, type PlannedFile } from './plan-system.js';

export const TEMPLATES_DIR = join(packageRoot, 'templates');
export const SCHEMA_PATH = '.kit/kit.schema.json';

/** What happened to one file. */
export interface StagedFile {
  path: string;
  action: 'create' | 'update' | 'merge' | 'conflict' | 'keep' | 'delete';
  /** Why, or what was added, in words. */
  detail?: string;
}

export interface StageOptions {
  /** Remove methods whose endpoint left the spec, while their body is still the generated stub. */
  prune?: boolean;
}

/** Lines that start a conflict the user has not resolved yet. */
const CONFLICT_MARKER = /^<<<<<<< yours: /m;

/**
 * Brings the tree in line with the spec, never losing a line the user wrote:
 * - a generator-owned file is rewritten when the user never edited it, else merged three ways
 *   (base: what the generator wrote last, kept in .kit/base/), conflicts marked as git does;
 * - a user-owned file is created once, then only merged by symbol (new methods, imports, tests);
 * - a file that left the spec is deleted if untouched since it was generated, else kept;
 * - the manifest and the bases are staged too, and commitTree writes .kit/ last.
 * Nothing touches the disk until the tree is committed.
 */
export async function stageSystem(tree: VirtualTree, spec: RawSpec, options: StageOptions = {}): Promise<StagedFile[]> {
  const planned = planSystem(buildModel(spec), await createRenderer(TEMPLATES_DIR));
  planned.push({ path: SCHEMA_PATH, owner: 'generator', content: readFileSync(join(packageRoot, 'schema', 'kit.schema.json'), 'utf8') });
  const previous = parseManifest(tree.read(MANIFEST_PATH))?.files ?? {};
  const next: Record<string, ManifestEntry> = {};
  const staged: StagedFile[] = [];

  for (const file of planned) {
    const onDisk = tree.read(file.path);
    if (file.owner === 'generator') {
      const outcome = stageGenerated(tree, file, onDisk, previous[file.path]);
      // The new base is staged after the merge has read the old one.
      tree.write(`${BASE_DIR}/${file.path}`, file.content);
      next[file.path] = { owner: 'generator', sha256: sha256(file.content) };
      if (outcome) staged.push(outcome);
    } else {
      // Untouched since the generator wrote it (or exactly what it would write now, as after an
      // interrupted run): the file is the generator's to rewrite, e.g. after a type was renamed.
      const untouched = onDisk === undefined || onDisk === file.content || sha256(onDisk) === previous[file.path]?.sha256;
      const { written, orphans, outcome } = untouched
        ? { written: file.content, orphans: [], outcome: rewriteUntouched(tree, file, onDisk) }
        : await stageUserOwned(tree, file, onDisk!, previous[file.path], options);
      // The hash stays that of what the generator wrote, so a file the user edited is never taken for untouched.
      next[file.path] = {
        owner: 'user',
        sha256: untouched ? sha256(written ?? onDisk!) : previous[file.path]?.sha256 ?? '',
        // Orphans stay on record until they are gone, so a later --prune still knows them.
        symbols: [...(file.symbols ?? []), ...orphans],
      };
      staged.push(...outcome);
    }
  }

  for (const [path, entry] of Object.entries(previous)) {
    if (next[path]) continue;
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

function stageGenerated(tree: VirtualTree, file: PlannedFile, onDisk: string | undefined, before: ManifestEntry | undefined): StagedFile | undefined {
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
  const base = tree.read(`${BASE_DIR}/${file.path}`) ?? '';
  const merged = mergeThreeWay(base, onDisk, file.content, file.path);
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

/** A user-owned file the user edited: only added to, by symbol. */
async function stageUserOwned(
  tree: VirtualTree,
  file: PlannedFile,
  onDisk: string,
  before: ManifestEntry | undefined,
  options: StageOptions,
): Promise<{ written?: string; orphans: string[]; outcome: StagedFile[] }> {
  const symbols = file.symbols ?? [];
  const gone = (before?.symbols ?? []).filter((symbol) => !symbols.includes(symbol));
  // Fast path: every symbol is there and none left the spec, so nothing to merge (and no ts-morph).
  if (gone.length === 0 && symbols.every((symbol) => new RegExp(`\\b${symbol}\\b`).test(onDisk))) {
    return { orphans: [], outcome: [] };
  }
  const { mergeUserFile } = await import('../ast/merge-user-file.js');
  const merge = await mergeUserFile(file.path, onDisk, file.content, { generatedBefore: before?.symbols ?? [], prune: Boolean(options.prune) });
  const outcome: StagedFile[] = [];
  if (merge.text !== onDisk) {
    tree.write(file.path, merge.text);
    const what = [...merge.added.map((name) => `added ${name}`), ...merge.pruned.map((name) => `removed the stub ${name}`)];
    outcome.push({ path: file.path, action: 'merge', detail: what.join(', ') });
  }
  if (merge.orphans.length > 0) {
    outcome.push({
      path: file.path,
      action: 'keep',
      detail: `${merge.orphans.join(', ')} no longer in the spec: kept${options.prune ? ' (written by you, so --prune leaves them)' : '; --prune removes them while they are untouched stubs'}`,
    });
  }
  return { written: merge.text === onDisk ? undefined : merge.text, orphans: merge.orphans, outcome };
}
