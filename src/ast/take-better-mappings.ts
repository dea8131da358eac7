import type { FunctionDeclaration, SourceFile } from 'ts-morph';
import { loadTsMorph } from './load-ts-morph.js';

// Imported only by a rename that changed a translator, so ts-morph loads with it.
const { Node, Project, SyntaxKind } = loadTsMorph();

/**
 * Chooses, after a rename, between two mappings of each translator function the user never
 * touched (it is still exactly what the generator wrote, renamed): the renamed one, and the one the
 * generator writes for the renamed spec. The generator pairs fields by name, so a renamed field may
 * lose its partner (the fresh function has a `todo(...)` that throws where the renamed one maps it)
 * or gain one (a TODO of the renamed function is now mapped). The fresh text is taken unless it has
 * more `todo(...)` calls than the renamed one; then the renamed mapping stays, and as it differs
 * from what the generator last wrote, generate leaves it to the user from then on. A function the
 * user wrote in stays as renamed. Returns the user's text with the fresh functions in place.
 */
export function takeBetterMappings(user: string, renamedBase: string, fresh: string): string {
  const crlf = user.includes('\r\n');
  const project = new Project({ useInMemoryFileSystem: true, skipFileDependencyResolution: true, skipLoadingLibFiles: true });
  const file = (name: string, text: string) => project.createSourceFile(`/${name}.ts`, text.replace(/\r\n/g, '\n'));
  const [mine, base, generated] = [file('user', user), file('base', renamedBase), file('fresh', fresh)];
  const replacements: { start: number; end: number; text: string }[] = [];
  for (const fn of mine.getFunctions()) {
    const name = fn.getName();
    if (!name) continue;
    const untouched = base.getFunction(name);
    const now = generated.getFunction(name);
    if (!untouched || !now || fullText(untouched) !== fullText(fn) || fullText(now) === fullText(fn)) continue;
    if (todos(now) > todos(fn)) continue;
    replacements.push({ start: fn.getStart(true), end: fn.getEnd(), text: fullText(now) });
  }
  if (replacements.length === 0) return user;
  let text = mine.getFullText();
  for (const replacement of replacements.sort((a, b) => b.start - a.start)) text = text.slice(0, replacement.start) + replacement.text + text.slice(replacement.end);
  return crlf ? text.replace(/\n/g, '\r\n') : text;
}

/** A function's text with its JSDoc. */
function fullText(fn: FunctionDeclaration): string {
  return fn.getText(true);
}

/** How many fields a function leaves to `todo(...)`, which throws. */
function todos(fn: FunctionDeclaration | SourceFile): number {
  return fn.getDescendantsOfKind(SyntaxKind.CallExpression).filter((call) => Node.isIdentifier(call.getExpression()) && call.getExpression().getText() === 'todo').length;
}
