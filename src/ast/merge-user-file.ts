import type { ClassDeclaration, MethodDeclaration, SourceFile } from 'ts-morph';
import { KitError } from '../errors.js';

/** What a symbol merge of a user-owned file did. */
export interface UserFileMerge {
  text: string;
  /** Members and declarations the generator added (`placeOrder`, `toPayer`, `test.todo('x')`). */
  added: string[];
  /** Symbols the generator once wrote whose endpoint or translation left the spec; kept. */
  orphans: string[];
  /** Orphans removed by `--prune` because their body was still the generated stub. */
  pruned: string[];
}

export interface MergeOptions {
  /** Names the generator wrote into this file before (from the manifest), to tell orphans from the user's own code. */
  generatedBefore: readonly string[];
  /** Remove orphan methods whose body is still the untouched stub. */
  prune: boolean;
}

/**
 * Merges a user-owned file by symbol: whatever the freshly rendered version has that the user's
 * file lacks is added (imports, class members, functions, pending tests); nothing the user wrote is
 * changed or moved. A class is matched by name, else by the interface it implements, so a renamed
 * class still gets its new methods. Pure and idempotent: merging the result again changes nothing.
 */
export async function mergeUserFile(path: string, current: string, fresh: string, options: MergeOptions): Promise<UserFileMerge> {
  const { Project, Node, SyntaxKind } = await import('ts-morph');
  // An in-memory project over just these two files: no file system, no type checking, no lib.
  const project = new Project({ useInMemoryFileSystem: true, skipFileDependencyResolution: true, skipLoadingLibFiles: true });
  const user = project.createSourceFile(`/user/${path}`, current);
  const generated = project.createSourceFile(`/fresh/${path}`, fresh);
  const added: string[] = [];
  // Added code takes the user's indentation: ts-morph indents each line to the insertion point, so
  // the generated text goes in with its own indentation taken out, and its levels in the user's unit.
  const unit = indentationUnit(current);
  project.manipulationSettings.set({ indentationText: unit as never });
  const adapt = (text: string, base: number) => reindent(text, base, unit);

  mergeImports(user, generated, added);

  for (const freshClass of generated.getClasses()) {
    const userClass = findMatchingClass(user, freshClass);
    if (!userClass) {
      throw new KitError('COMMAND_FAILED', `${path}: no class ${freshClass.getName()} (or one that implements ${implemented(freshClass).join(', ')})`, {
        hint: 'the generator adds methods to the class that implements the service interface; restore its "implements" clause',
      });
    }
    const freshConstructor = freshClass.getConstructors()[0];
    if (freshConstructor && userClass.getConstructors().length === 0) {
      userClass.insertMember(0, adapt(freshConstructor.getText(true), freshConstructor.getIndentationLevel() * GENERATED_UNIT.length));
      added.push(`${userClass.getName()}.constructor`);
    }
    for (const method of freshClass.getMethods()) {
      if (userClass.getMethod(method.getName())) continue;
      userClass.addMember(adapt(method.getText(true), method.getIndentationLevel() * GENERATED_UNIT.length));
      added.push(method.getName());
    }
  }

  for (const fn of generated.getFunctions()) {
    const name = fn.getName();
    if (!name || user.getFunction(name)) continue;
    user.addStatements(`\n${adapt(fn.getText(true), 0)}`);
    added.push(name);
  }

  // Pending tests: `test.todo('placeOrder')` is added unless a test of that name already exists.
  const testNames = new Set(user.getDescendantsOfKind(SyntaxKind.CallExpression).flatMap((call) => {
    const first = call.getArguments()[0];
    return Node.isStringLiteral(first) ? [first.getLiteralValue()] : [];
  }));
  for (const statement of generated.getStatements()) {
    if (!Node.isExpressionStatement(statement)) continue;
    const call = statement.getExpression();
    if (!Node.isCallExpression(call) || !/^test(\.todo)?$/.test(call.getExpression().getText())) continue;
    const first = call.getArguments()[0];
    if (!Node.isStringLiteral(first)) continue;
    const name = first.getLiteralValue();
    if ([...testNames].some((existing) => existing === name || existing.startsWith(`${name} `) || existing.startsWith(`${name}:`))) continue;
    user.addStatements(adapt(statement.getFullText().replace(/^\s*\n/, '\n'), 0));
    added.push(`test ${name}`);
  }

  const { orphans, pruned } = findOrphans(user, generated, options);
  return { text: user.getFullText(), added, orphans, pruned };
}

/** The generated files indent by two spaces. */
const GENERATED_UNIT = '  ';

/** The user's indentation unit: the first indented line's leading whitespace (two spaces if none). */
function indentationUnit(text: string): string {
  return /^([ \t]+)\S/m.exec(text)?.[1] ?? GENERATED_UNIT;
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

function mergeImports(user: SourceFile, generated: SourceFile, added: string[]): void {
  for (const freshImport of generated.getImportDeclarations()) {
    const specifier = freshImport.getModuleSpecifierValue();
    const typeOnly = freshImport.isTypeOnly();
    const existing = user.getImportDeclarations().filter((declaration) => declaration.getModuleSpecifierValue() === specifier);
    const namespace = freshImport.getNamespaceImport();
    if (namespace) {
      if (!existing.some((declaration) => declaration.getNamespaceImport()?.getText() === namespace.getText())) {
        user.addImportDeclaration(freshImport.getStructure());
        added.push(`import * as ${namespace.getText()}`);
      }
      continue;
    }
    const have = new Set(existing.flatMap((declaration) => declaration.getNamedImports().map((named) => named.getName())));
    const missing = freshImport.getNamedImports().filter((named) => !have.has(named.getName()));
    if (missing.length === 0) continue;
    const target = existing.find((declaration) => declaration.isTypeOnly() === typeOnly && !declaration.getNamespaceImport());
    if (target && target.getText().includes('\n') && !/\/[/*]/.test(target.getText())) {
      // A list written one name per line stays that way.
      const indent = /\n([ \t]+)\S/.exec(target.getText())?.[1] ?? '  ';
      const names = [...target.getNamedImports().map((named) => named.getText()), ...missing.map((named) => named.getText())];
      const head = target.isTypeOnly() ? 'import type' : 'import';
      target.replaceWithText(`${head} {\n${names.map((name) => `${indent}${name},\n`).join('')}} from '${specifier}';`);
    } else if (target) {
      target.addNamedImports(missing.map((named) => named.getStructure()));
    } else {
      user.addImportDeclaration({ ...freshImport.getStructure(), namedImports: missing.map((named) => named.getStructure()) });
    }
    added.push(...missing.map((named) => `import ${named.getName()}`));
  }
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

/** A method still as generated: its only statement throws NotImplementedError with its own name. */
function isUntouchedStub(method: MethodDeclaration): boolean {
  const statements = method.getStatements();
  return statements.length === 1 && statements[0]!.getText() === `throw new NotImplementedError('${method.getName()}');`;
}

function findOrphans(user: SourceFile, generated: SourceFile, options: MergeOptions): { orphans: string[]; pruned: string[] } {
  const wanted = new Set([
    ...generated.getClasses().flatMap((cls) => cls.getMethods().map((method) => method.getName())),
    ...generated.getFunctions().flatMap((fn) => fn.getName() ?? []),
  ]);
  const orphans: string[] = [];
  const pruned: string[] = [];
  for (const name of options.generatedBefore) {
    if (wanted.has(name)) continue;
    const method = user.getClasses().map((cls) => cls.getMethod(name)).find((found) => found !== undefined);
    if (method && options.prune && isUntouchedStub(method)) {
      method.remove();
      pruned.push(name);
    } else if (method || user.getFunction(name)) {
      orphans.push(name);
    }
  }
  return { orphans, pruned };
}
