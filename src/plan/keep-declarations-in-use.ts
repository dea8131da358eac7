/**
 * A generated module of declarations the user's code names: a context's `types.ts` and `errors.ts`,
 * or an upstream's `clients/<name>-types.ts`.
 */
export const DECLARATION_MODULE = /^services\/[^/]+\/src\/(types|errors|clients\/[^/]+-types)\.ts$/;

/** The declarations that left the spec and stay while the user's code names them. */
export interface KeptDeclarations {
  /** The module with them. */
  content: string;
  names: string[];
  /** The user's files that name them (relative to the service folder). */
  users: string[];
}

export interface Declaration {
  name: string;
  /** `export interface Name { ... }` (or class), without its doc comment. */
  text: string;
  /** Where it starts (its doc comment included) and ends (after its closing line) in its file. */
  start: number;
  end: number;
}

/**
 * An interface or class of a generated declaration module, with the doc comment before it, as the
 * templates write them (and as this function writes kept ones): its braces at the start of a line.
 * (An empty body is `{` and `}` on two lines; the lazy `??` keeps it from running on to the next one.)
 */
const DECLARATION = /(?:\/\*\*(?:(?!\*\/)[\s\S])*\*\/\n)?(export (?:interface|class) (\w+)[^\n{]*\{\n(?:[\s\S]*?\n)??\}\n)/g;

/**
 * `fresh` (a declaration module as the spec wants it now) with the declarations that `previous`
 * (the module as last generated) had, that left the spec, and that the user's code still names,
 * plus the ones those need; appended and marked `@deprecated` with the reason. So code the user
 * wrote against an endpoint, type or error that left kit.yaml (a method they edited, a translator)
 * keeps compiling, and the first `generate` after the user stops naming them removes them.
 *
 * `userCode` maps the service's user files (relative paths) to their text; names are matched as
 * words outside comments, which errs towards keeping.
 */
export function keepDeclarationsInUse(fresh: string, previous: string | undefined, userCode: ReadonlyMap<string, string>): KeptDeclarations {
  const none = { content: fresh, names: [], users: [] };
  if (previous === undefined) return none;
  const wanted = new Set(declarationsOf(fresh).map((declaration) => declaration.name));
  const gone = declarationsOf(previous).filter((declaration) => !wanted.has(declaration.name));
  if (gone.length === 0) return none;

  const code = [...userCode].map(([path, text]) => [path, withoutComments(text)] as const);
  const usedBy = new Map<string, string[]>();
  for (const declaration of gone) {
    const users = code.filter(([, text]) => namesWord(text, declaration.name)).map(([path]) => path);
    if (users.length > 0) usedBy.set(declaration.name, users);
  }
  // What a kept declaration names must stay too (used by: the declarations that need it).
  for (let grown = true; grown; ) {
    grown = false;
    for (const declaration of gone) {
      if (usedBy.has(declaration.name)) continue;
      const needers = gone.filter((other) => usedBy.has(other.name) && namesWord(other.text, declaration.name)).map((other) => other.name);
      if (needers.length > 0) {
        usedBy.set(declaration.name, needers);
        grown = true;
      }
    }
  }
  const kept = gone.filter((declaration) => usedBy.has(declaration.name));
  if (kept.length === 0) return none;
  return {
    content: placeKept(fresh, previous, kept, usedBy),
    names: kept.map((declaration) => declaration.name),
    users: [...new Set(kept.flatMap((declaration) => usedBy.get(declaration.name)!.filter((user) => userCode.has(user))))],
  };
}

/**
 * `fresh` with each kept declaration where it stood in `previous`: after the declaration that came
 * before it there (or before the first one). So the file changes only by the deprecation note, and a
 * line the user added to it (most often at its end) is not next to a change, where a three-way merge
 * would see a conflict.
 */
function placeKept(fresh: string, previous: string, kept: Declaration[], usedBy: ReadonlyMap<string, string[]>): string {
  const keptNames = new Set(kept.map((declaration) => declaration.name));
  const freshNames = new Set(declarationsOf(fresh).map((declaration) => declaration.name));
  let content = fresh;
  let after: string | undefined;
  for (const declaration of declarationsOf(previous)) {
    if (!keptNames.has(declaration.name)) {
      if (freshNames.has(declaration.name)) after = declaration.name;
      continue;
    }
    const users = usedBy.get(declaration.name)!;
    const note = `/** @deprecated ${declaration.name} left kit.yaml; kept while ${users.join(', ')} use${users.length === 1 ? 's' : ''} it, and removed by the first generate after that. */\n${declaration.text}`;
    const present = declarationsOf(content);
    const predecessor = present.find((candidate) => candidate.name === after);
    if (predecessor) {
      content = `${content.slice(0, predecessor.end)}\n${note}${content.slice(predecessor.end)}`;
    } else if (present[0]) {
      content = `${content.slice(0, present[0].start)}${note}\n${content.slice(present[0].start)}`;
    } else {
      content = `${content}\n${note}`;
    }
    after = declaration.name;
  }
  return content;
}

/** The interfaces and classes of a generated declaration module, in order. */
export function declarationsOf(text: string): Declaration[] {
  return [...text.matchAll(DECLARATION)].map((match) => ({ name: match[2]!, text: match[1]!, start: match.index, end: match.index + match[0].length }));
}

function namesWord(text: string, word: string): boolean {
  return new RegExp(`(?<![\\w$])${word}(?![\\w$])`).test(text);
}

/** The text without its comments (roughly: a `//` inside a string cuts the rest of its line too). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
}
