import type { RenameSymbolsOptions } from '../ast/rename-symbols.js';
import type { ProtoNumbers } from '../model/number-proto-fields.js';
import { movedPath, originalPath } from '../tree/moved-file-system.js';
import type { VirtualTree } from '../tree/virtual-tree.js';
import { BASE_DIR, MANIFEST_PATH, parseManifest, renderManifest, sha256, type ManifestEntry } from './manifest.js';
import { importedPaths } from './imported-paths.js';
import { DECLARATION_MODULE } from './keep-declarations-in-use.js';
import type { RenamePlan } from './plan-rename.js';
import { PROTO_NUMBERS_PATH, type StagedFile } from './stage-system.js';

/** The folders of a service whose TypeScript is the user's or imported by it. */
const CODE_DIRS = ['src', 'test'];

/**
 * Translators map fields by name, so after a rename the generator may map a field less (a renamed
 * field lost its partner: a TODO that throws where the mapping worked) or more. A translator is
 * renamed as the user's code, also when untouched, and each function the user never touched takes
 * the better of the renamed and the fresh mapping (take-better-mappings.ts); its base is not
 * renamed, so a renamed mapping kept reads as the user's, and generate leaves it as it is.
 */
const isTranslator = (relative: string) => relative.startsWith('src/translators/');

export interface StageRenameOptions {
  /** The field-number record as the rename leaves it (rename-proto-numbers.ts). */
  protoNumbers?: (numbers: ProtoNumbers) => ProtoNumbers;
  /** TypeScript's lib files for the user's code (see rename-symbols.ts); without them none are loaded. */
  lib?: () => RenameSymbolsOptions['lib'];
  /** The files the generator writes for the renamed spec, by path: asked for only when a translator changes. */
  planned?: () => Promise<ReadonlyMap<string, string>>;
}

/**
 * Stages a rename's changes to the code and to the generator's record, before `stageSystem` brings
 * the system up to date with the renamed spec:
 * - the user's TypeScript (user-owned files the user edited, translators, files the user added under
 *   `src/` and `test/`, generated files the user edited) is renamed with TypeScript's rename; any
 *   other file the user never touched is left to be rendered anew, as generate would;
 * - the bases (`.kit/base/`) of the user's files, of the generated declarations and of generated
 *   files the user edited get the same renames (translators excepted, see above), so that what the
 *   generator wrote and the user never touched is still known as such (it follows the spec), and a
 *   later three-way merge of an edited generated file still has its base; every base moves with its
 *   file;
 * - the manifest's paths follow the moves, and the generator's symbols of user-owned files their
 *   new names; `.kit/proto-numbers.json` keeps every field number under the new names.
 * The tree must show the moved files at their new places already (moved-file-system.ts).
 * Refuses (KitError) a new name the user's own code already takes.
 */
export async function stageRename(tree: VirtualTree, plan: RenamePlan, options: StageRenameOptions = {}): Promise<StagedFile[]> {
  const previous = parseManifest(tree.read(MANIFEST_PATH))?.files ?? {};
  let planned: Promise<ReadonlyMap<string, string>> | undefined;
  const freshFiles = () => (options.planned ? (planned ??= options.planned()) : undefined);
  const staged: StagedFile[] = [];
  const withCode = plan.services.filter((service) => service.code.renames.length + service.code.moves.length + service.code.testTitles.length > 0);
  const { renameSymbols } = withCode.length > 0 ? await import('../ast/rename-symbols.js') : { renameSymbols: undefined };

  // The services' files as they are, at the paths they had before the rename: the renames name them so.
  const disk = withCode.map((service) => {
    const files = new Map<string, string>();
    for (const dir of CODE_DIRS) {
      for (const path of tree.listFiles(`${service.after}/${dir}`)) {
        if (!path.endsWith('.ts')) continue;
        const relative = path.slice(service.after.length + 1);
        files.set(originalPath(service.code.moves, relative) ?? relative, tree.read(path)!);
      }
    }
    return { folder: service.after, files, plan: service.code, before: service.before };
  });
  // A file exactly as the generator last wrote it is rendered anew by the apply step.
  const regenerated = (service: (typeof disk)[number], relative: string) => {
    if (isTranslator(relative)) return false;
    const entry = previous[`${service.before}/${relative}`];
    return entry !== undefined && service.files.has(relative) && sha256(service.files.get(relative)!) === entry.sha256;
  };
  // Renamed: the files whose text is kept, those that declare what is renamed, and what they import.
  const relevant = disk.map((service) => ({
    ...service,
    files: withImports(service.files, [...[...service.files.keys()].filter((relative) => !regenerated(service, relative)), ...service.plan.renames.map((rename) => rename.file)]),
  }));
  const renamed = withCode.length === 0 ? new Map() : renameSymbols!(relevant, { lib: options.lib?.(), checked: (folder, relative) => !regenerated(disk.find((service) => service.folder === folder)!, relative) });

  // The same renames in what the generator last wrote: what the user never touched is still known as such.
  const bases = disk.map((service) => {
    const files = new Map<string, string>();
    for (const path of Object.keys(previous)) {
      if (!path.startsWith(`${service.before}/`) || !path.endsWith('.ts')) continue;
      const relative = path.slice(service.before.length + 1);
      const base = tree.read(`${BASE_DIR}/${path}`);
      if (CODE_DIRS.includes(relative.split('/')[0]!) && base !== undefined) files.set(relative, base);
    }
    // The bases that matter after the rename: of the user's files (what in them is untouched), of the
    // generated declarations (what the user's code still names), of generated files the user edited
    // (the three-way merge); the others are overwritten by the apply step.
    const matters = (relative: string) => {
      const path = `${service.before}/${relative}`;
      return previous[path]?.owner === 'user' || DECLARATION_MODULE.test(path) || (service.files.has(relative) && sha256(service.files.get(relative)!) !== previous[path]?.sha256);
    };
    return { folder: service.folder, files: withImports(files, [...[...files.keys()].filter(matters), ...service.plan.renames.map((rename) => rename.file)]), plan: service.plan };
  });
  const renamedBases = withCode.length === 0 ? new Map() : renameSymbols!(bases);
  const basesToWrite = new Map<string, string>();

  for (const service of disk) {
    const result = renamed.get(service.folder)!;
    const renamedBase = renamedBases.get(service.folder)!.texts;
    for (const [relative, text] of renamedBase) {
      // A translator keeps the base it had: what the rename changed in it reads as the user's.
      if (!isTranslator(relative)) basesToWrite.set(`${service.folder}/${relative}`, text);
    }
    for (const [relative, renamedText] of result.texts) {
      const before = originalPath(service.plan.moves, relative) ?? relative;
      if (regenerated(service, before)) continue;
      const path = `${service.folder}/${relative}`;
      const base = renamedBase.get(relative);
      const fresh = isTranslator(relative) && base !== undefined && renamedText !== service.files.get(before) ? (await freshFiles())?.get(path) : undefined;
      const text = fresh === undefined ? renamedText : (await import('../ast/take-better-mappings.js')).takeBetterMappings(renamedText, base!, fresh);
      if (text === service.files.get(before)) continue;
      tree.write(path, text);
      const places = result.places.get(relative) ?? 0;
      staged.push({ path, action: 'rename', detail: `${places} place${places === 1 ? '' : 's'}${text === renamedText ? '' : '; untouched mappings as the generator now writes them'}` });
    }
  }

  const moved = (path: string) => movedPath(plan.moves, path);
  const next: Record<string, ManifestEntry> = {};
  for (const [path, entry] of Object.entries(previous)) {
    const to = moved(path);
    const symbols = entry.symbols?.map((symbol) => plan.symbols.find((change) => change.file === to && change.from === symbol)?.to ?? symbol);
    next[to] = { ...entry, ...(symbols ? { symbols } : {}) };
    const base = basesToWrite.get(to) ?? tree.read(`${BASE_DIR}/${path}`);
    if (base === undefined) continue;
    if (to !== path) tree.delete(`${BASE_DIR}/${path}`);
    tree.write(`${BASE_DIR}/${to}`, base);
  }
  if (Object.keys(previous).length > 0) tree.write(MANIFEST_PATH, renderManifest(next));

  const numbers = tree.read(PROTO_NUMBERS_PATH);
  if (numbers !== undefined && options.protoNumbers) tree.write(PROTO_NUMBERS_PATH, `${JSON.stringify(options.protoNumbers(JSON.parse(numbers) as ProtoNumbers), null, 2)}\n`);
  return staged;
}

/** The files of `files` that `roots` are or import, directly or not (relative imports, read off the text). */
function withImports(files: ReadonlyMap<string, string>, roots: Iterable<string>): Map<string, string> {
  const found = new Map<string, string>();
  const queue = [...roots];
  for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
    const text = files.get(path);
    if (text === undefined || found.has(path)) continue;
    found.set(path, text);
    queue.push(...importedPaths(path, text));
  }
  return found;
}
