import { readFile } from 'node:fs/promises';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, YAMLParseError, type Document, type Node } from 'yaml';
import { KitError, type SourceLocation } from '../errors.js';

/** A path into the spec, as keys and indexes: ['contexts', 'ordering', 'port']. */
export type SpecPath = readonly (string | number)[];

/** A parsed spec file that can still tell where each of its values came from. */
export interface SpecSource {
  /** The file name as the user gave it; used in messages. */
  file: string;
  text: string;
  document: Document.Parsed;
  /** The plain value, or undefined when the YAML could not be parsed at all. */
  value: unknown;
  /**
   * Where the value at `path` (or, with `key`, the key naming it) starts. Falls back to the
   * deepest part of the path that exists, so a missing field points at its parent.
   */
  locate(path: SpecPath, options?: { key?: boolean }): SourceLocation;
  /** The location of a character offset in the text. */
  at(offset: number): SourceLocation;
}

/** Parses spec text; YAML errors are kept in `document.errors` for the validator to report. */
export function parseSpec(file: string, text: string): SpecSource {
  const lineCounter = new LineCounter();
  // A byte order mark is no column: leave it out so that line 1 counts like the others.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const document = parseDocument(body, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  let value: unknown;
  try {
    value = document.errors.length === 0 ? document.toJS({ maxAliasCount: 100 }) : undefined;
  } catch (error) {
    // toJS throws for an alias without an anchor and for an alias bomb; report it as a YAML error
    // at the first unresolved alias (or the first alias), not as a missing spec.
    value = undefined;
    let offset = 0;
    let firstAlias: number | undefined;
    visit(document, {
      Alias(_key, alias) {
        firstAlias ??= alias.range?.[0];
        if (alias.resolve(document) !== undefined) return undefined;
        offset = alias.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    offset ||= firstAlias ?? 0;
    const message = error instanceof Error ? error.message : String(error);
    document.errors.push(new YAMLParseError([offset, offset], /Excessive alias/.test(message) ? 'RESOURCE_EXHAUSTION' : 'BAD_ALIAS', message));
  }
  return {
    file,
    text,
    document,
    value,
    at,
    locate(path, options = {}) {
      let node: unknown = document.contents;
      let found: Node | undefined = isNode(node) ? node : undefined;
      for (const [index, segment] of path.entries()) {
        const last = index === path.length - 1;
        if (isMap(node)) {
          const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
          if (!pair) break;
          if (last && options.key && isNode(pair.key)) return at(pair.key.range?.[0] ?? 0);
          node = pair.value ?? pair.key;
        } else if (isSeq(node) && typeof segment === 'number') {
          node = node.items[segment];
        } else {
          break;
        }
        if (!isNode(node)) break;
        found = node;
      }
      return at(found?.range?.[0] ?? 0);
    },
  };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}

/** Reads and parses a spec file; a missing file is a KitError with a hint. */
export async function loadSpec(file: string): Promise<SpecSource> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KitError('FILE_NOT_FOUND', `spec file not found: ${file}`, {
        hint: 'pass the path of a kit.yaml, or run the command inside a system folder',
      });
    }
    throw error;
  }
  return parseSpec(file, text);
}
