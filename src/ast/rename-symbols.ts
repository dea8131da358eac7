import { posix } from 'node:path';
import type { Identifier, Node as TsNode, SourceFile, StringLiteral } from 'ts-morph';
import { KitError } from '../errors.js';
import type { PathMove } from '../tree/moved-file-system.js';
import { movedPath } from '../tree/moved-file-system.js';
import { loadTsMorph } from './load-ts-morph.js';

// This module is itself imported only when a rename runs, so ts-morph loads with it.
const { Node, Project, SyntaxKind, ts } = loadTsMorph();

/** One declaration to rename, with every reference to it. */
export interface SymbolRename {
  /** The file that declares it, relative to the service folder: `src/types.ts`. */
  file: string;
  /**
   * The declaration in that file: a top-level name (`['Cargo']`, `['toPayer']`), a member of a
   * top-level interface or class (`['Cargo', 'weight']`), or a namespace import (`['* as Billing']`).
   */
  symbol: string[];
  to: string;
}

/** What to rename in the TypeScript of one service; paths relative to its folder, as before the rename. */
export interface ServiceRenames {
  renames: SymbolRename[];
  /** Files that move; every relative import of them follows, with its extension as written. */
  moves: PathMove[];
  /**
   * Test titles that name an endpoint (`test('placeOrder')`, `test.todo('placeOrder')`,
   * `test('placeOrder: rejects ...')`): the generator tells a test's endpoint by its title.
   */
  testTitles: { from: string; to: string }[];
}

/** A service's TypeScript and what to rename in it. */
export interface ServiceFiles {
  /** The service's folder, relative to the system (`services/booking`); the files' paths are relative to it. */
  folder: string;
  files: ReadonlyMap<string, string>;
  plan: ServiceRenames;
}

export interface RenameSymbolsOptions {
  /**
   * TypeScript's lib files by name (`lib.es2023.d.ts` and the ones it references) and the names of
   * those to use: the types of array elements, promises and `Partial<...>` come from them, so a
   * property reached through them is found too. Without them, no lib is loaded (faster, for the
   * generator's own copies, which need none).
   */
  lib?: { files: ReadonlyMap<string, string>; use: string[] };
  /**
   * Files whose renamed text is kept (the user's), by service folder and path below it: only there
   * is a clash with a name already taken looked for. By default none is (the generator's copies).
   */
  checked?: (folder: string, file: string) => boolean;
}

/** A service's files after the renames. */
export interface RenamedFiles {
  /** Every file, by its path after the moves. */
  texts: Map<string, string>;
  /** How many places changed in each file that changed, by its path after the moves. */
  places: Map<string, number>;
}

/** Where ts-morph's in-memory file system keeps lib files for the compiler. */
const LIB_FOLDER = '/node_modules/typescript/lib';

/**
 * Renames declarations with TypeScript's own rename (the language service's, as an editor does it,
 * never a search of the text): the declaration and every reference to it in every file given, so a
 * method and each call of it, an interface and each use of it as a type, a property in type
 * positions, object literals, destructuring and accesses. A local variable of the same name is
 * another symbol and stays; a shorthand property or binding keeps its local name (`{ weight }`
 * becomes `{ mass: weight }`). Nothing else of the text changes: only identifiers, the module
 * specifiers of moved files and the titles of an endpoint's tests.
 *
 * Works in one in-memory ts-morph Project over just the services' files (each in its folder, so
 * their relative imports resolve as on disk), without node_modules; the lib files, when given, are
 * parsed once for all of them. Refuses (a KitError at the place) a new name that is already taken
 * where the old one is used in a checked file: a member of the user's class, an import, a type or a
 * variable in scope there.
 */
export function renameSymbols(services: readonly ServiceFiles[], options: RenameSymbolsOptions = {}): Map<string, RenamedFiles> {
  const project = new Project({
    useInMemoryFileSystem: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      ...(options.lib ? { lib: options.lib.use } : { noLib: true }),
    },
  });
  for (const [name, text] of options.lib?.files ?? []) project.getFileSystem().writeFileSync(`${LIB_FOLDER}/${name}`, text);
  for (const service of services) for (const [path, text] of service.files) project.createSourceFile(`/${service.folder}/${path}`, text);
  /** The service a file belongs to, and its path below the service's folder. */
  const owner = (file: SourceFile) => {
    const path = file.getFilePath().slice(1);
    const service = services.find((candidate) => path.startsWith(`${candidate.folder}/`))!;
    return { service, relative: path.slice(service.folder.length + 1) };
  };
  const counted = new Map<string, Map<string, number>>(services.map((service) => [service.folder, new Map()]));
  const count = (file: SourceFile, n = 1) => {
    const { service, relative } = owner(file);
    const counts = counted.get(service.folder)!;
    counts.set(relative, (counts.get(relative) ?? 0) + n);
  };
  const checked = (file: SourceFile) => {
    const { service, relative } = owner(file);
    return options.checked?.(service.folder, relative) ?? false;
  };
  const where = (file: SourceFile, pos: number) => {
    const { line, column } = file.getLineAndColumnAtPos(pos);
    return { file: file.getFilePath().slice(1), line, col: column };
  };

  const places: (Place & { to: string })[] = [];
  for (const service of services) {
    for (const rename of service.plan.renames) {
      const file = project.getSourceFile(`/${service.folder}/${rename.file}`);
      const name = file && findDeclarationName(file, rename.symbol);
      // A declaration the user removed or renamed themselves: nothing refers to it by this name.
      if (!name || name.getText() === rename.to) continue;
      const member = rename.symbol.length > 1;
      // A member keeps the local names of shorthand properties and bindings; a top-level name is
      // renamed in the imports too, so the user's code reads as the generator now writes it.
      const locations = project.getLanguageService().findRenameLocations(name, { usePrefixAndSuffixText: member }).map((location): Place => {
        const span = location.getTextSpan();
        return { file: location.getSourceFile(), start: span.getStart(), end: span.getEnd(), prefix: location.getPrefixText() ?? '', suffix: location.getSuffixText() ?? '' };
      });
      locations.push(...accessesMissed(project.getSourceFiles(), name, locations));
      for (const location of locations) {
        const clash = checked(location.file) ? clashAt(location, rename.to) : undefined;
        if (clash) {
          throw new KitError('INVALID_INPUT', `${clash}, so ${name.getText()} cannot become ${rename.to} here`, {
            location: where(location.file, location.start),
            hint: `rename or remove that "${rename.to}" first, or choose another name; nothing was written`,
          });
        }
        places.push({ ...location, to: rename.to });
      }
    }
  }
  // Every rename is found in the text as it was, then all are written at once: each file is parsed
  // again once, not once per rename (a large generated types.ts costs more to parse than to search).
  applyLocations(places, count);

  const filesOf = (service: ServiceFiles) => project.getSourceFiles().filter((file) => owner(file).service === service);
  for (const service of services) {
    for (const title of service.plan.testTitles) renameTestTitles(filesOf(service).filter((file) => owner(file).relative.startsWith('test/')), title.from, title.to, count);
    if (service.plan.moves.length > 0) for (const file of filesOf(service)) followMoves(file, owner(file).relative, service.plan.moves, count);
  }

  const results = new Map<string, RenamedFiles>();
  for (const service of services) {
    const moved = (path: string) => movedPath(service.plan.moves, path);
    const texts = new Map(filesOf(service).map((file) => [moved(owner(file).relative), file.getFullText()]));
    results.set(service.folder, { texts, places: new Map([...counted.get(service.folder)!].map(([path, n]) => [moved(path), n])) });
  }
  return results;
}

/** A place to write the new name at, with the text TypeScript puts around it (`mass: ` before a shorthand `weight`). */
interface Place {
  file: SourceFile;
  start: number;
  end: number;
  prefix: string;
  suffix: string;
}

/**
 * References TypeScript's rename leaves out: it looks for a module's exports only where the module
 * is imported, so a function reached through a namespace object elsewhere
 * (`this.deps.billingTranslators.toPayer(...)`, where the dependencies type that object as
 * `typeof billingTranslators`) is not found. Every identifier of that name is asked for its symbol,
 * and each one that is the declaration's is a reference too.
 */
function accessesMissed(files: readonly SourceFile[], name: TsNode, found: readonly Place[]): Place[] {
  const symbol = name.getSymbol();
  if (!symbol) return [];
  const text = name.getText();
  const accessed = new RegExp(`\\.\\s*${text.replace(/\$/g, '\\$')}\\b`);
  const known = new Set(found.map((place) => `${place.file.getFilePath()}:${place.start}`));
  const missed: Place[] = [];
  for (const file of files) {
    if (!accessed.test(file.getFullText())) continue;
    // Walked as the compiler's nodes: wrapping every node of a large file costs more than the rename.
    const starts: number[] = [];
    const compilerFile = file.compilerNode;
    const visit = (node: import('ts-morph').ts.Node): void => {
      // Only member accesses: every other kind of reference is one TypeScript finds itself.
      if (ts.isPropertyAccessExpression(node) && node.name.text === text) starts.push(node.name.getStart(compilerFile));
      else if (ts.isQualifiedName(node) && node.right.text === text) starts.push(node.right.getStart(compilerFile));
      ts.forEachChild(node, visit);
    };
    visit(compilerFile);
    for (const start of starts) {
      if (known.has(`${file.getFilePath()}:${start}`)) continue;
      const identifier = file.getDescendantAtPos(start);
      if (identifier?.getSymbol() === symbol) missed.push({ file, start, end: start + text.length, prefix: '', suffix: '' });
    }
  }
  return missed;
}

/**
 * Gives a file new text as it is. (ts-morph's replaceWithText writes the project's line ends, LF,
 * into a CRLF file; a file created with the text keeps them.)
 */
function setText(file: SourceFile, text: string): void {
  file.getProject().createSourceFile(file.getFilePath(), text, { overwrite: true });
}


/** The name node of a declaration found by its path in a file (see SymbolRename.symbol). */
function findDeclarationName(file: SourceFile, symbol: readonly string[]): TsNode | undefined {
  const [top, member] = symbol;
  if (top === undefined) return undefined;
  const namespace = /^\* as (.+)$/.exec(top);
  if (namespace) return file.getImportDeclarations().map((declaration) => declaration.getNamespaceImport()).find((alias) => alias?.getText() === namespace[1]);
  const declarations = [file.getInterface(top), file.getClass(top), file.getFunction(top), file.getTypeAlias(top), file.getEnum(top), file.getVariableDeclaration(top)];
  const declaration = declarations.find((found) => found !== undefined);
  if (!declaration) return undefined;
  if (member === undefined) return declaration.getNameNode();
  if (!Node.isInterfaceDeclaration(declaration) && !Node.isClassDeclaration(declaration)) return undefined;
  const found = declaration.getMembers().find((candidate) => Node.hasName(candidate) && candidate.getName() === member);
  return found && Node.hasName(found) ? found.getNameNode() : undefined;
}

/**
 * Why `to` cannot take the place of the name at this location, or undefined when it can: as a
 * member, the object already has a member `to`; as a name looked up in scope (an import, a type, a
 * call of a function), something named `to` is in scope there and would be found instead.
 */
function clashAt(location: Place, to: string): string | undefined {
  const node = location.file.getDescendantAtPos(location.start);
  if (!node) return undefined;
  const parent = node.getParent();
  if (!parent) return undefined;
  const container = memberContainer(node);
  if (container !== undefined) {
    if (container === null) return undefined;
    const members = Node.isObjectLiteralExpression(container) ? container.getProperties() : Node.isClassDeclaration(container) || Node.isInterfaceDeclaration(container) || Node.isTypeLiteral(container) || Node.isClassExpression(container) ? container.getMembers() : [];
    const taken = members.find((member) => Node.hasName(member) && member.getName() === to);
    return taken ? `${describeContainer(container)} already has a member "${to}" (line ${taken.getStartLineNumber()})` : undefined;
  }
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === node) {
    return parent.getExpression().getType().getProperty(to) ? `"${parent.getExpression().getText()}" already has a member "${to}"` : undefined;
  }
  if (Node.isQualifiedName(parent) && parent.getRight() === node) {
    const namespace = parent.getLeft().getSymbol();
    const exports = (namespace?.getAliasedSymbol() ?? namespace)?.getExports() ?? [];
    return exports.some((symbol) => symbol.getName() === to) ? `"${parent.getLeft().getText()}" already has "${to}"` : undefined;
  }
  if (!Node.isIdentifier(node)) return undefined;
  // A name looked up in scope: whatever else is called `to` there, of any meaning, is in the way.
  const meaning = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias;
  const inScope = node.getProject().getTypeChecker().getSymbolsInScope(node as Identifier, meaning);
  const taken = inScope.find((symbol) => symbol.getName() === to);
  if (!taken) return undefined;
  const declaration = taken.getDeclarations()[0];
  const at = declaration ? ` (line ${declaration.getStartLineNumber()})` : '';
  return `"${to}" already names something in ${node.getSourceFile().getFilePath().slice(1)}${at}`;
}

/**
 * The class, interface, type literal or object literal a member name stands in (null for a member
 * position without one to check, such as a binding's property name), or undefined for a name that
 * is not a member's.
 */
function memberContainer(node: TsNode): TsNode | null | undefined {
  const parent = node.getParent()!;
  const isName = (Node.hasName(parent) || Node.isShorthandPropertyAssignment(parent)) && (parent as { getNameNode(): TsNode }).getNameNode() === node;
  if (
    isName &&
    (Node.isMethodDeclaration(parent) || Node.isPropertyDeclaration(parent) || Node.isMethodSignature(parent) || Node.isPropertySignature(parent) || Node.isPropertyAssignment(parent) || Node.isShorthandPropertyAssignment(parent) || Node.isGetAccessorDeclaration(parent) || Node.isSetAccessorDeclaration(parent))
  ) {
    return parent.getParent() ?? null;
  }
  if (Node.isBindingElement(parent) && parent.getPropertyNameNode() === node) return null;
  return undefined;
}

function describeContainer(container: TsNode): string {
  const name = Node.hasName(container) ? container.getName() : undefined;
  if (Node.isClassDeclaration(container) || Node.isClassExpression(container)) return `class ${name ?? '(anonymous)'}`;
  if (Node.isInterfaceDeclaration(container)) return `interface ${name}`;
  return 'the object literal';
}

/** Writes each new name (with the prefix and suffix TypeScript asks for) at its locations, file by file. */
function applyLocations(locations: readonly (Place & { to: string })[], count: (file: SourceFile, n?: number) => void): void {
  const byFile = new Map<SourceFile, Map<number, Place & { to: string }>>();
  for (const location of locations) {
    const spans = byFile.get(location.file) ?? new Map<number, Place & { to: string }>();
    // Two searches may meet at one place (a method found through its interface and its class).
    if (!spans.has(location.start)) spans.set(location.start, location);
    byFile.set(location.file, spans);
  }
  for (const [file, spans] of byFile) {
    let text = file.getFullText();
    // From the end, so earlier offsets stay valid.
    for (const place of [...spans.values()].sort((a, b) => b.start - a.start)) text = text.slice(0, place.start) + place.prefix + place.to + place.suffix + text.slice(place.end);
    count(file, spans.size);
    setText(file, text);
  }
}

/** Calls whose first argument is a test's title: `test(...)`, `test.todo(...)`, `it.skip(...)`, `describe(...)`. */
const TEST_CALL = /^(test|it|describe)(\.(todo|skip|only))?$/;

/**
 * A test titled with the endpoint's name, alone or followed by a space or a colon (as the merge of
 * user files reads titles), is titled with the new name; the rest of the title and its quotes stay.
 */
function renameTestTitles(files: readonly SourceFile[], from: string, to: string, count: (file: SourceFile, n: number) => void): void {
  for (const file of files) {
    if (!file.getFullText().includes(from)) continue;
    const titles = file.getDescendantsOfKind(SyntaxKind.CallExpression).flatMap((call) => {
      const first = call.getArguments()[0];
      if (!TEST_CALL.test(call.getExpression().getText()) || !(Node.isStringLiteral(first) || Node.isNoSubstitutionTemplateLiteral(first))) return [];
      const value = first.getLiteralValue();
      const raw = first.getText();
      // Only a title that starts with the name as written, so the literal's text can be cut there.
      if (!(value === from || value.startsWith(`${from} `) || value.startsWith(`${from}:`)) || raw.slice(1, 1 + from.length) !== from) return [];
      return [{ start: first.getStart(), end: first.getEnd(), text: raw[0] + to + raw.slice(1 + from.length) }];
    });
    if (titles.length === 0) continue;
    let text = file.getFullText();
    for (const title of titles.sort((a, b) => b.start - a.start)) text = text.slice(0, title.start) + title.text + text.slice(title.end);
    count(file, titles.length);
    setText(file, text);
  }
}

/**
 * Relative module specifiers (imports, exports, `import('...')` types) of a file that point at a
 * moved file are pointed at its new place, keeping the extension as written (`./billing-types.js`).
 * ts-morph's own move drops the `.js` that Node's ES modules need, so this is done here.
 */
function followMoves(file: SourceFile, from: string, moves: readonly PathMove[], count: (file: SourceFile, n: number) => void): void {
  const to = movedPath(moves, from);
  if (to === from && !moves.some((move) => file.getFullText().includes(posix.basename(move.from, '.ts')))) return;
  const literals: StringLiteral[] = [];
  for (const declaration of [...file.getImportDeclarations(), ...file.getExportDeclarations()]) {
    const specifier = declaration.getModuleSpecifier();
    if (specifier) literals.push(specifier);
  }
  for (const importType of file.getDescendantsOfKind(SyntaxKind.ImportType)) {
    const argument = importType.getArgument();
    const literal = Node.isLiteralTypeNode(argument) ? argument.getLiteral() : undefined;
    if (literal && Node.isStringLiteral(literal)) literals.push(literal);
  }
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const first = call.getArguments()[0];
    if (call.getExpression().getKind() === SyntaxKind.ImportKeyword && Node.isStringLiteral(first)) literals.push(first);
  }
  const edits: { start: number; end: number; text: string }[] = [];
  for (const literal of literals) {
    const specifier = literal.getLiteralValue();
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
    const extension = /\.(js|ts|mjs|mts)$/.exec(specifier)?.[0] ?? '';
    const target = posix.normalize(posix.join(posix.dirname(from), specifier));
    const targetSource = `${target.slice(0, target.length - extension.length)}.ts`;
    const movedTarget = movedPath(moves, targetSource);
    if (movedTarget === targetSource && to === from) continue;
    let next = posix.relative(posix.dirname(to), movedTarget.slice(0, -'.ts'.length)) + extension;
    if (!next.startsWith('.')) next = `./${next}`;
    if (next === specifier) continue;
    const raw = literal.getText();
    edits.push({ start: literal.getStart(), end: literal.getEnd(), text: raw[0] + next + raw[0] });
  }
  if (edits.length === 0) return;
  let text = file.getFullText();
  for (const edit of edits.sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  count(file, edits.length);
  setText(file, text);
}
