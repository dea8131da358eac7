import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { join } from 'node:path';

/**
 * Random edits a user makes between two `generate` runs, for the property test: method bodies,
 * helper methods, imports and comments in the user-owned files, a pending test turned into a test,
 * a line in a translator, and a line appended to a generator-owned file. Every line written is
 * unique (it carries a number) and recorded in a ledger, so the test can check that none is lost.
 * A body line that reads a request field (`USER-READ`) is the user's code that a later spec change
 * can leave behind.
 */

export interface UserEdit {
  kind: number;
  picks: number[];
}

export const userEdit: fc.Arbitrary<UserEdit> = fc.record({ kind: fc.nat(7), picks: fc.array(fc.nat(1000), { minLength: 3, maxLength: 3 }) });

/** The user's lines by file (relative to the system), each trimmed, in the order written. */
export type Ledger = Map<string, string[]>;

/** The marker of a user line that reads a request field. */
export const READS_FIELD = 'USER-READ';

/** Generated files a user may append a line to. */
const GENERATED_FILES = ['src/config.ts', 'src/errors.ts', 'src/types.ts', 'src/main.ts', 'src/endpoints.ts'];

let counter = 0;

/**
 * Makes one edit in the system at `dir`; returns what it did in words, or undefined when there was
 * nothing to act on. Lines written are added to the ledger.
 */
export function applyUserEdit(dir: string, edit: UserEdit, ledger: Ledger): string | undefined {
  // The services of the spec (a removed context leaves only the files the user had edited).
  const services = existsSync(join(dir, 'services')) ? readdirSync(join(dir, 'services')).filter((name) => existsSync(join(dir, 'services', name, 'tsconfig.json'))).sort() : [];
  let at = 0;
  const pick = <T>(items: readonly T[]): T | undefined => (items.length === 0 ? undefined : items[edit.picks[at++ % edit.picks.length]! % items.length]);
  const service = pick(services);
  if (!service) return undefined;
  const n = ++counter;
  const path = (file: string) => `services/${service}/${file}`;
  const serviceFile = path('src/service.ts');
  switch (edit.kind % 8) {
    case 0: {
      // A stub gets a body.
      const text = read(dir, serviceFile);
      const stub = pick([...text.matchAll(/^( +)throw new NotImplementedError\('(\w+)'\);$/gm)]);
      if (!stub) return undefined;
      const lines = [`${stub[1]}void request; // USER ${n}`, `${stub[1]}throw new Error('USER ${n}: ${stub[2]} is written');`];
      write(dir, serviceFile, text.replace(stub[0], lines.join('\n')), ledger, lines);
      return `${serviceFile}: writes ${stub[2]}`;
    }
    case 1: {
      // A method reads a field of its request.
      const text = read(dir, serviceFile);
      const method = pick([...text.matchAll(/^( +)async (\w+)\(request: (\w+)\): Promise<\w+> \{$/gm)]);
      if (!method) return undefined;
      const field = pick(fieldsOf(read(dir, path('src/types.ts')), method[3]!));
      if (!field) return undefined;
      const line = `${method[1]}${method[1]}void request.${field}; // ${READS_FIELD} ${n}`;
      write(dir, serviceFile, text.replace(method[0], `${method[0]}\n${line}`), ledger, [line]);
      return `${serviceFile}: ${method[2]} reads request.${field}`;
    }
    case 2: {
      // A helper method at the end of the class.
      const text = read(dir, serviceFile);
      const end = text.lastIndexOf('\n}');
      if (end === -1) return undefined;
      const lines = [`  private helper${n}(): string {`, `    return 'USER ${n}';`];
      write(dir, serviceFile, `${text.slice(0, end)}\n\n${lines.join('\n')}\n  }${text.slice(end)}`, ledger, lines);
      return `${serviceFile}: adds helper${n}`;
    }
    case 3: {
      // An import of the user's own, first in the file.
      const line = `import { EventEmitter as UserEmitter${n} } from 'node:events'; // USER ${n}`;
      write(dir, serviceFile, `${line}\n${read(dir, serviceFile)}`, ledger, [line]);
      return `${serviceFile}: imports node:events`;
    }
    case 4: {
      // A comment under the class line.
      const text = read(dir, serviceFile);
      const classLine = /^export class .*\{$/m.exec(text);
      if (!classLine) return undefined;
      const line = `  // USER ${n}: a note on the class`;
      write(dir, serviceFile, text.replace(classLine[0], `${classLine[0]}\n${line}`), ledger, [line]);
      return `${serviceFile}: a comment in the class`;
    }
    case 5: {
      // A line in a translator, inside its first function.
      const translators = existsSync(join(dir, path('src/translators'))) ? readdirSync(join(dir, path('src/translators'))).sort() : [];
      const file = pick(translators);
      if (!file) return undefined;
      const text = read(dir, path(`src/translators/${file}`));
      const line = `    // USER ${n}: checked by hand`;
      if (!text.includes('  return {\n')) return undefined;
      write(dir, path(`src/translators/${file}`), text.replace('  return {\n', `  return {\n${line}\n`), ledger, [line]);
      return `${path(`src/translators/${file}`)}: a line`;
    }
    case 6: {
      // A pending test becomes a test.
      const file = path('test/service.test.ts');
      if (!existsSync(join(dir, file))) return undefined;
      const text = read(dir, file);
      const todo = pick([...text.matchAll(/^test\.todo\('(\w+)'\);$/gm)]);
      if (!todo) return undefined;
      const lines = [`test('${todo[1]} USER ${n}', () => {`, `  assert.ok(true); // USER ${n}`];
      write(dir, file, text.replace(todo[0], `${lines.join('\n')}\n});`), ledger, lines);
      return `${file}: writes the test of ${todo[1]}`;
    }
    default: {
      // A line appended to a generated file.
      const file = path(pick(GENERATED_FILES)!);
      if (!existsSync(join(dir, file))) return undefined;
      const line = `// USER ${n}: appended to a generated file`;
      write(dir, file, `${read(dir, file).replace(/\n*$/, '\n')}\n${line}\n`, ledger, [line]);
      return `${file}: a line appended`;
    }
  }
}

/** The field names of an interface in a generated types module. */
function fieldsOf(types: string, name: string): string[] {
  const body = new RegExp(`^export interface ${name} \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(types)?.[1] ?? '';
  return [...body.matchAll(/^ {2}(\w+)\??: /gm)].map((match) => match[1]!);
}

function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

function write(dir: string, file: string, text: string, ledger: Ledger, lines: string[]): void {
  writeFileSync(join(dir, file), text);
  ledger.set(file, [...(ledger.get(file) ?? []), ...lines.map((line) => line.trim())]);
}

/** Ledger lines missing from their files, as `file: line`. */
export function lostLines(dir: string, ledger: Ledger): string[] {
  const lost: string[] = [];
  for (const [file, lines] of ledger) {
    const have = new Set(existsSync(join(dir, file)) ? read(dir, file).split('\n').map((line) => line.trim()) : []);
    lost.push(...lines.filter((line) => !have.has(line)).map((line) => `${file}: ${line}`));
  }
  return lost;
}
