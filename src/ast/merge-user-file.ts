import type { ClassDeclaration, ConstructorDeclaration, ImportDeclaration, ImportDeclarationStructure, MethodDeclaration, Node as TsNode, OptionalKind, SourceFile } from 'ts-morph';
import { KitError } from '../errors.js';
import { loadTsMorph } from './load-ts-morph.js';

// This module is itself imported only when a merge is needed, so ts-morph loads with it.
const { Node, Project, QuoteKind, SyntaxKind } = loadTsMorph();

/** What a symbol merge of a user-owned file did. */
export interface UserFileMerge {
  text: string;
  /** Members and declarations the generator added (`placeOrder`, `toPayer`, `test.todo('x')`). */
  added: string[];
  /** Symbols the generator once wrote whose endpoint or translation left the spec; kept. */
  orphans: string[];
  /** Generator content that left the spec and was still untouched, so it went with it (`listOrders`, `test x`). */
  pruned: string[];
  /** Generator content still untouched whose generated text changed, so it took the new text (`toPayer`). */
  updated: string[];
}

export interface MergeOptions {
  /** Names the generator wrote into this file before (from the manifest), to tell orphans from the user's own code. */
  generatedBefore: readonly string[];
  /** Remove orphan methods whose body is still the untouched stub. */
  prune: boolean;
  /**
   * The file as the generator rendered it last time (`.kit/base/`), when recorded: then whatever is
   * still exactly as the generator wrote it is known for generator content, and follows the spec.
   */
  base?: string;
}

/**
 * Merges a user-owned file by symbol: whatever the freshly rendered version has that the user's
 * file lacks is added (imports, class members, functions, pending tests); nothing the user wrote is
 * changed or moved. A class is matched by name, else by the interface it implements, so a renamed
 * class still gets its new methods. Pure and idempotent: merging the result again changes nothing.
 *
 * Line endings: a file whose every line ends in CRLF is merged as LF and given back with CRLF, added
 * code included; a file with mixed endings is left as it is and added lines end in LF.
 */
export async function mergeUserFile(path: string, current: string, fresh: string, options: MergeOptions): Promise<UserFileMerge> {
  const crlf = current.includes('\r\n') && !/(^|[^\r])\n/.test(current);
  if (crlf) current = current.replace(/\r\n/g, '\n');
  // An in-memory project over just these two files: no file system, no type checking, no lib (the
  // bundled ts-morph carries no lib files: scripts/bundle.ts).
  const project = new Project({ useInMemoryFileSystem: true, skipFileDependencyResolution: true, skipLoadingLibFiles: true });
  const user = project.createSourceFile(`/user/${path}`, current);
  const generated = project.createSourceFile(`/fresh/${path}`, fresh);
  const added: string[] = [];
  // Added code takes the user's indentation: each line is indented to the insertion point (by
  // indentLines, or by ts-morph), so the generated text goes in with its own indentation taken out,
  // and its levels in the user's unit.
  const unit = indentationUnit(current);
  // Added imports take the quotes of the user's imports (ts-morph would print double quotes).
  const quote = [...user.getImportDeclarations(), ...generated.getImportDeclarations()][0]?.getModuleSpecifier().getText()[0];
  project.manipulationSettings.set({ indentationText: unit as never, quoteKind: quote === '"' ? QuoteKind.Double : QuoteKind.Single });
  const adapt = (text: string, base: number) => reindent(text, base, unit);
  // ts-morph puts a blank line only next to members with a body; an added member always gets one,
  // also next to a comment or a property.
  const blankLineBy = (neighbour: TsNode | undefined) => (neighbour && !(Node.isBodyable(neighbour) && neighbour.hasBody()) ? '\n' : '');

  mergeImports(user, generated, added, unit);

  for (const freshClass of generated.getClasses()) {
    let userClass = findMatchingClass(user, freshClass);
    if (!userClass) {
      throw new KitError('COMMAND_FAILED', `${path}: no class ${freshClass.getName()} (or one that implements ${implemented(freshClass).join(', ')})`, {
        hint: 'the generator adds methods to the class that implements the service interface; restore its "implements" clause',
      });
    }
    const freshConstructor = freshClass.getConstructors()[0];
    if (freshConstructor && userClass.getConstructors().length === 0) {
      const text = adapt(freshConstructor.getText(true), columnOf(freshConstructor));
      const first = userClass.getMembersWithComments()[0];
      const place = placeAfter(userClass.getFirstChildByKindOrThrow(SyntaxKind.OpenBraceToken));
      if (place) {
        const blankLineFollows = /^\n[ \t]*\n/.test(user.getFullText().slice(place.pos));
        user.insertText(place.pos, `\n${indentLines(text, place.indent + unit)}${first && !blankLineFollows ? '\n' : ''}`);
        userClass = findMatchingClass(user, freshClass)!;
      } else {
        const inserted = userClass.insertMember(0, text);
        if (blankLineBy(first)) inserted.appendWhitespace('\n');
      }
      added.push(`${userClass.getName()}.constructor`);
    }
    // Any member of that name counts (a method, or a property holding an arrow function).
    const missing = freshClass.getMethods().filter((method) => !userClass.getMember(method.getName()));
    const texts = missing.map((method) => adapt(method.getText(true), columnOf(method)));
    const last = userClass.getMembersWithComments().at(-1);
    const place = last && placeAfter(last);
    if (place) {
      if (texts.length > 0) user.insertText(place.pos, texts.map((text) => `\n\n${indentLines(text, place.indent)}`).join(''));
    } else {
      for (const text of texts) userClass.addMember(blankLineBy(userClass.getMembersWithComments().at(-1)) + text);
    }
    added.push(...missing.map((method) => method.getName()));
  }

  for (const fn of generated.getFunctions()) {
    const name = fn.getName();
    if (!name || user.getFunction(name)) continue;
    appendStatement(user, `\n${adapt(fn.getText(true), 0)}`);
    added.push(name);
  }

  // Pending tests: `test.todo('placeOrder')` is added unless a test of that name already exists.
  const testNames = new Set(user.getDescendantsOfKind(SyntaxKind.CallExpression).flatMap((call) => {
    const first = call.getArguments()[0];
    return Node.isStringLiteral(first) ? [first.getLiteralValue()] : [];
  }));
  for (const statement of generated.getStatements()) {
    const name = testName(statement);
    if (name === undefined) continue;
    if ([...testNames].some((existing) => existing === name || existing.startsWith(`${name} `) || existing.startsWith(`${name}:`))) continue;
    appendStatement(user, adapt(statement.getFullText().replace(/^\s*\n/, '\n'), 0));
    added.push(`test ${name}`);
  }

  const refreshed = options.base === undefined ? { pruned: [], updated: [] } : refreshUntouched(user, project.createSourceFile(`/base/${path}`, options.base), generated);
  const { orphans, pruned } = findOrphans(user, generated, options);
  const text = user.getFullText();
  return { text: crlf ? text.replace(/\n/g, '\r\n') : text, added, orphans, pruned: [...refreshed.pruned, ...pruned], updated: refreshed.updated };
}

/**
 * What the generator wrote into a user's file and the user never touched is still the generator's:
 * each class member, function and test (`test(...)`, `test.todo(...)`) that is exactly as in `base`
 * goes when the fresh rendering no longer has it (the stub of a removed endpoint, the constructor of
 * a context that no longer calls others, the construction test that passed the dependencies), and
 * takes the fresh text when that changed (a translator after a field changed). Whatever the user
 * changed, even by one character or a comment after it, stays as it is. The imports only those
 * pieces needed go with them.
 */
function refreshUntouched(user: SourceFile, base: SourceFile, generated: SourceFile): { pruned: string[]; updated: string[] } {
  const pruned: string[] = [];
  const updated: string[] = [];
  const oldTexts: string[] = [];
  const follow = (name: string, mine: TsNode | undefined, before: TsNode, now: TsNode | undefined) => {
    if (!mine || mine.getText() !== before.getText() || ownComments(mine) !== ownComments(before) || restOfLine(mine).rest.trim() !== '') return;
    if (now?.getText() === mine.getText()) return;
    oldTexts.push(mine.getText());
    if (now) {
      // The node's text from its JSDoc on, as replaceWithText replaces it: the generator's new JSDoc with it.
      mine.replaceWithText(now.getText(true));
      updated.push(name);
    } else {
      removeWithItsLines(mine);
      pruned.push(name);
    }
  };
  for (const baseClass of base.getClasses()) {
    const freshClass = findMatchingClass(generated, baseClass);
    for (const baseMember of membersOf(baseClass)) {
      const name = memberName(baseMember);
      const member = (cls: ClassDeclaration | undefined) => cls && membersOf(cls).find((candidate) => memberName(candidate) === name);
      // Looked up again each time: an edit of the file forgets the nodes found before it.
      follow(name, member(findMatchingClass(user, baseClass)), baseMember, member(freshClass));
    }
  }
  for (const baseStatement of base.getStatements()) {
    const key = statementKey(baseStatement);
    if (!key) continue;
    const find = (file: SourceFile) => file.getStatements().find((statement) => statementKey(statement) === key);
    follow(key, find(user), baseStatement, find(generated));
  }
  if (oldTexts.length > 0) dropUnusedImports(user, generated, namesIn(oldTexts));
  return { pruned, updated };
}

/** The identifiers in some code's text. */
function namesIn(texts: readonly string[]): Set<string> {
  return new Set(texts.join('\n').match(/[A-Za-z_$][\w$]*/g));
}

/**
 * The comments that belong to a node: the JSDoc of a class member or function (a line comment
 * above it is the user's note, and stays where it is), every comment before a test (the generator
 * writes an example above each pending test), none of an import.
 */
function ownComments(node: TsNode): string {
  return ownCommentRanges(node).map((range) => range.text).join('\n');
}

function ownCommentRanges(node: TsNode): { pos: number; text: string }[] {
  if (Node.isExpressionStatement(node)) return node.getLeadingCommentRanges().map((range) => ({ pos: range.getPos(), text: range.getText() }));
  return Node.isJSDocable(node) ? node.getJsDocs().map((doc) => ({ pos: doc.getStart(), text: doc.getText() })) : [];
}

/**
 * Removes a node with its own comments and the lines it stood on, and one of the blank lines
 * around it, so that the code around reads as if it had never been there: one blank line between
 * the members before and after, none after an opening or before a closing brace.
 */
function removeWithItsLines(node: TsNode): void {
  const file = node.getSourceFile();
  const text = file.getFullText();
  const start = ownCommentRanges(node)[0]?.pos ?? node.getStart();
  let from = text.lastIndexOf('\n', start - 1) + 1;
  const { lineEnd } = restOfLine(node);
  let to = Math.min(lineEnd + 1, text.length);
  const before = text.slice(0, from);
  const after = text.slice(to);
  if (/\n[ \t]*\n$/.test(before) && /^([ \t]*\n|[ \t]*\}|$)/.test(after)) from = before.replace(/[ \t]*\n$/, '').length;
  else if (/\{\n$/.test(before) && /^[ \t]*\n/.test(after)) to += /^[ \t]*\n/.exec(after)![0].length;
  // The whole text, parsed anew: ts-morph's removeText fails ("Should not have children left over")
  // on the first import of a file whose header comment stays, as in a translator whose last TODO went.
  file.replaceWithText(text.slice(0, from) + text.slice(to));
}

function membersOf(cls: ClassDeclaration): (MethodDeclaration | ConstructorDeclaration)[] {
  return [...cls.getConstructors(), ...cls.getMethods()];
}

function memberName(member: MethodDeclaration | ConstructorDeclaration): string {
  return Node.isConstructorDeclaration(member) ? 'constructor' : member.getName();
}

/** What names a top-level statement the generator writes into a user's file: `toPayer`, `test placeOrder`. */
function statementKey(statement: TsNode): string | undefined {
  if (Node.isFunctionDeclaration(statement)) return statement.getName();
  const name = testName(statement);
  return name === undefined ? undefined : `test ${name}`;
}

/** The title of a `test('x', ...)` or `test.todo('x')` statement; undefined for any other statement. */
function testName(statement: TsNode): string | undefined {
  if (!Node.isExpressionStatement(statement)) return undefined;
  const call = statement.getExpression();
  if (!Node.isCallExpression(call) || !/^test(\.todo)?$/.test(call.getExpression().getText())) return undefined;
  const first = call.getArguments()[0];
  return Node.isStringLiteral(first) ? first.getLiteralValue() : undefined;
}

/**
 * Where code added after `node` goes: the end of the line `node` ends on, after a comment the user
 * wrote there, with the indentation of the line `node` starts on. (ts-morph's own insertions replace
 * the text between two nodes: a comment after the last import, member or statement would be lost or
 * moved below the added code, and one after a class's brace breaks the insertion.) Undefined when
 * more code follows on that line; ts-morph places the code then.
 */
function placeAfter(node: TsNode): { pos: number; indent: string } | undefined {
  const { rest, lineEnd } = restOfLine(node);
  if (!/^[ \t]*(\/\/.*|\/\*.*\*\/[ \t]*)?$/.test(rest)) return undefined;
  const text = node.getSourceFile().getFullText();
  const lineStart = text.lastIndexOf('\n', node.getStart() - 1) + 1;
  return { pos: lineEnd, indent: /^[ \t]*/.exec(text.slice(lineStart))![0] };
}

/** What follows `node` on the line it ends on, and where that line ends. */
function restOfLine(node: TsNode): { rest: string; lineEnd: number } {
  const text = node.getSourceFile().getFullText();
  const newline = text.indexOf('\n', node.getEnd());
  const lineEnd = newline === -1 ? text.length : newline;
  return { rest: text.slice(node.getEnd(), lineEnd), lineEnd };
}

/** `text` with `indent` before each line that is not empty. */
function indentLines(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : indent + line))
    .join('\n');
}

/**
 * The column a node of the generated file starts at: its indentation, read off the text (ts-morph's
 * getIndentationLevel would ask the language service, which parses the whole file once more).
 */
function columnOf(node: TsNode): number {
  const start = node.getStart();
  return start - node.getSourceFile().getFullText().lastIndexOf('\n', start - 1) - 1;
}

/** Adds an import declaration below the user's last one, as ts-morph writes it (the user's quotes). */
function addImport(user: SourceFile, structure: OptionalKind<ImportDeclarationStructure>): void {
  const last = user.getImportDeclarations().at(-1);
  const place = last && placeAfter(last);
  if (!place) return void user.addImportDeclaration(structure);
  const scratch = user.getProject().createSourceFile('/scratch/import.ts', '', { overwrite: true });
  user.insertText(place.pos, `\n${scratch.addImportDeclaration(structure).getText()}`);
}

/** Adds statements (`text` starts with the line break before them) at the end of the file. */
function appendStatement(user: SourceFile, text: string): void {
  const last = user.getStatementsWithComments().at(-1);
  const place = last && placeAfter(last);
  if (place) user.insertText(place.pos, `\n${text}`);
  else user.addStatements(text);
}

/** The generated files indent by two spaces. */
const GENERATED_UNIT = '  ';

/**
 * The user's indentation unit: the first indented line's leading whitespace (two spaces if none),
 * not counting the ` * ` lines of block comments.
 */
function indentationUnit(text: string): string {
  return /^([ \t]+)[^\s*]/m.exec(text)?.[1] ?? GENERATED_UNIT;
}

/**
 * Takes `base` columns of generated indentation off every line after the first (the first has
 * none: ts-morph's text starts at the node) and writes the remaining levels in the user's unit.
 */
function reindent(text: string, base: number, unit: string): string {
  return text
    .split('\n')
    .map((line, index) => {
      if (index === 0 || line.trim() === '') return index === 0 ? line : '';
      const spaces = /^ */.exec(line)![0].length;
      const levels = Math.max(0, Math.floor((spaces - base) / GENERATED_UNIT.length));
      return unit.repeat(levels) + line.slice(spaces);
    })
    .join('\n');
}

function mergeImports(user: SourceFile, generated: SourceFile, added: string[], unit: string): void {
  for (const freshImport of generated.getImportDeclarations()) {
    const specifier = freshImport.getModuleSpecifierValue();
    const typeOnly = freshImport.isTypeOnly();
    const existing = user.getImportDeclarations().filter((declaration) => declaration.getModuleSpecifierValue() === specifier);
    const namespace = freshImport.getNamespaceImport();
    if (namespace) {
      if (!existing.some((declaration) => declaration.getNamespaceImport()?.getText() === namespace.getText())) {
        addImport(user, freshImport.getStructure());
        added.push(`import * as ${namespace.getText()}`);
      }
      continue;
    }
    const have = new Set(existing.flatMap((declaration) => declaration.getNamedImports().map((named) => named.getName())));
    const missing = freshImport.getNamedImports().filter((named) => !have.has(named.getName()));
    if (missing.length === 0) continue;
    const candidates = existing.filter((declaration) => declaration.isTypeOnly() === typeOnly && !declaration.getNamespaceImport());
    // A list written over several lines is where new names go, if the user has one for that module.
    const target = candidates.find((declaration) => declaration.getNamedImports().length > 0 && declaration.getText().includes('\n')) ?? candidates[0];
    if (target && target.getNamedImports().length > 0 && target.getText().includes('\n')) {
      target.replaceWithText(appendToImportList(target, missing.map((named) => named.getText()), unit));
    } else if (target) {
      target.addNamedImports(missing.map((named) => named.getStructure()));
    } else {
      addImport(user, { ...freshImport.getStructure(), namedImports: missing.map((named) => named.getStructure()) });
    }
    added.push(...missing.map((named) => `import ${named.getName()}`));
  }
}

/**
 * The import's text with `names` added to its multi-line list, one a line after the last name, and
 * nothing else changed: the user's comments, layout and trailing comma (or its absence) stay.
 */
function appendToImportList(target: ImportDeclaration, names: string[], unit: string): string {
  const { text, lastEnd, close, comma } = endOfImportList(target);
  const afterLast = comma ? lastEnd + comma[0].length : lastEnd;
  // After the rest of the last name's line (its comment, say), unless the brace closes on that line.
  const lineEnd = text.indexOf('\n', afterLast);
  const at = lineEnd !== -1 && lineEnd < close ? lineEnd : afterLast;
  const lineStart = text.lastIndexOf('\n', lastEnd - 1) + 1;
  const indent = lineStart === 0 ? unit : /^[ \t]*/.exec(text.slice(lineStart))![0];
  const list = comma ? names.map((name) => `\n${indent}${name},`).join('') : names.map((name) => `\n${indent}${name}`).join(',');
  return comma ? text.slice(0, at) + list + text.slice(at) : text.slice(0, lastEnd) + ',' + text.slice(lastEnd, at) + list + text.slice(at);
}

/**
 * In an import declaration's text: where its list's last name ends, where the list closes, and the
 * trailing comma after the last name if the list has one (comments may come before it).
 */
function endOfImportList(declaration: ImportDeclaration): { text: string; lastEnd: number; close: number; comma: RegExpExecArray | null } {
  const text = declaration.getText();
  const lastEnd = declaration.getNamedImports().at(-1)!.getEnd() - declaration.getStart();
  const close = text.lastIndexOf('}');
  return { text, lastEnd, close, comma: /^(?:\s|\/\*[\s\S]*?\*\/)*,/.exec(text.slice(lastEnd, close)) };
}

function implemented(cls: ClassDeclaration): string[] {
  return cls.getImplements().map((clause) => clause.getExpression().getText());
}

function findMatchingClass(user: SourceFile, fresh: ClassDeclaration): ClassDeclaration | undefined {
  const byName = fresh.getName() ? user.getClass(fresh.getName()!) : undefined;
  if (byName) return byName;
  const interfaces = new Set(implemented(fresh));
  return user.getClasses().find((cls) => implemented(cls).some((name) => interfaces.has(name)));
}

/**
 * A method still as generated: its body is nothing but the throw of NotImplementedError with its own
 * name (a comment the user wrote in it, or after it on its last line, makes it theirs).
 */
function isUntouchedStub(method: MethodDeclaration): boolean {
  const body = method.getBody()?.getText();
  return body !== undefined && body.slice(1, -1).trim() === `throw new NotImplementedError('${method.getName()}');` && restOfLine(method).rest.trim() === '';
}

function findOrphans(user: SourceFile, generated: SourceFile, options: MergeOptions): { orphans: string[]; pruned: string[] } {
  const wanted = new Set([
    ...generated.getClasses().flatMap((cls) => [...cls.getMethods().map((method) => method.getName()), ...(cls.getConstructors().length > 0 ? ['constructor'] : [])]),
    ...generated.getFunctions().flatMap((fn) => fn.getName() ?? []),
  ]);
  const orphans: string[] = [];
  const pruned: string[] = [];
  const removedTexts: string[] = [];
  for (const name of options.generatedBefore) {
    if (wanted.has(name)) continue;
    const member = user
      .getClasses()
      .map((cls) => (name === 'constructor' ? cls.getConstructors()[0] : cls.getMethod(name)))
      .find((found) => found !== undefined);
    const untouched = member && (Node.isConstructorDeclaration(member) ? isUntouchedConstructor(member) : isUntouchedStub(member));
    if (member && options.prune && untouched) {
      removedTexts.push(member.getText());
      member.remove();
      pruned.push(name);
    } else if (member || user.getFunction(name)) {
      orphans.push(name);
    }
  }
  if (pruned.length > 0) dropUnusedImports(user, generated, namesIn(removedTexts));
  return { orphans, pruned };
}

/**
 * The constructor as generated for a service with upstreams: it only takes the dependencies
 * (`constructor(private readonly deps: OrderingDeps) {}`), and nothing else in the file uses them.
 */
function isUntouchedConstructor(constructor: ConstructorDeclaration): boolean {
  const [parameter, ...more] = constructor.getParameters();
  if (!parameter || more.length > 0 || constructor.getBody()?.getText().replace(/\s/g, '') !== '{}' || restOfLine(constructor).rest.trim() !== '') return false;
  const deps = parameter.getName();
  return !constructor.getParentOrThrow().getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).some((access) => access.getName() === deps && access.getExpression().getKind() === SyntaxKind.ThisKeyword);
}

/**
 * After pruning, the removed stubs' request and response types are no longer declared by the
 * generated types module: named imports that the fresh version does not have and that nothing in
 * the file uses any more are removed, so the file still compiles. Imports the user uses stay, and
 * so do names outside `only` (the names the removed code mentioned): an import the user wrote and
 * does not use yet is theirs.
 * In a list written a name a line, a removed name's line goes (with the comment on it) and every
 * other line stays as the user wrote it, trailing comma or none; ts-morph's own removal would take
 * the comment after the name before with it.
 */
function dropUnusedImports(user: SourceFile, generated: SourceFile, only: ReadonlySet<string>): void {
  const wanted = new Set(generated.getImportDeclarations().flatMap((declaration) => declaration.getNamedImports().map((named) => named.getName())));
  const usedInCode = (name: string) =>
    user.getDescendantsOfKind(SyntaxKind.Identifier).some((identifier) => identifier.getText() === name && !identifier.getFirstAncestorByKind(SyntaxKind.ImportDeclaration));
  // Indexed, and looked up again each time: removing a declaration's lines forgets the nodes found before.
  for (let index = 0; index < user.getImportDeclarations().length; index++) {
    const declaration = user.getImportDeclarations()[index]!;
    const named = declaration.getNamedImports();
    const unused = named.filter((entry) => only.has(entry.getName()) && !wanted.has(entry.getName()) && !usedInCode(entry.getName()));
    if (unused.length === 0) continue;
    if (unused.length === named.length) {
      if (declaration.getDefaultImport() || declaration.getNamespaceImport()) unused.forEach((entry) => entry.remove());
      else {
        removeWithItsLines(declaration);
        index--;
      }
      continue;
    }
    const trailingComma = endOfImportList(declaration).comma !== null;
    const text = declaration.getText();
    const start = declaration.getStart();
    const lines = unused.map((entry) => lineOfName(text, entry.getStart() - start, entry.getEnd() - start));
    let current = declaration;
    if (lines.every((line) => line !== undefined)) {
      let kept = text;
      for (const [from, to] of lines.sort((x, y) => y[0] - x[0])) kept = kept.slice(0, from) + kept.slice(to);
      current = declaration.replaceWithText(kept) as ImportDeclaration;
    } else {
      unused.forEach((entry) => entry.remove());
    }
    const end = endOfImportList(current);
    if (trailingComma && !end.comma) current.replaceWithText(`${end.text.slice(0, end.lastEnd)},${end.text.slice(end.lastEnd)}`);
    if (!trailingComma && end.comma) current.replaceWithText(end.text.slice(0, end.lastEnd) + end.comma[0].slice(0, -1) + end.text.slice(end.lastEnd + end.comma[0].length));
  }
}

/**
 * The range of the line an import name stands alone on (its comma and a comment after it
 * included), or undefined when it shares its line with another name or a brace.
 */
function lineOfName(text: string, from: number, to: number): [number, number] | undefined {
  const lineStart = text.lastIndexOf('\n', from - 1) + 1;
  const lineEnd = text.indexOf('\n', to);
  if (lineStart === 0 || lineEnd === -1 || text.slice(lineStart, from).trim() !== '') return undefined;
  return /^\s*,?\s*(\/\/.*|\/\*.*\*\/)?\s*$/.test(text.slice(to, lineEnd)) ? [lineStart, lineEnd + 1] : undefined;
}
