import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import { KitError } from '../errors.js';
import { parseSpec, type SpecSource } from './load-spec.js';

/** An endpoint as `add endpoint` writes it into kit.yaml. */
export interface EndpointEdit {
  description?: string;
  http?: string;
  request?: Record<string, unknown>;
  response?: Record<string, unknown>;
  errors?: string[];
}

/**
 * Adds an endpoint to a context of the spec. The user's file is kept as it is, byte for byte: the
 * endpoint is inserted as text after the context's last endpoint, indented like its neighbours, in
 * the spec's flow style for fields (`{ id: string }`). Returns the edited spec, parsed (so validation
 * points at lines of the new text).
 */
export function addEndpointToSpec(source: SpecSource, context: string, name: string, endpoint: EndpointEdit): SpecSource {
  const contextNode = source.document.getIn(['contexts', context], true);
  if (!isMap(contextNode)) {
    const known = Object.keys((source.value as { contexts?: object } | undefined)?.contexts ?? {});
    throw new KitError('INVALID_INPUT', `there is no context "${context}" in ${source.file}`, {
      hint: known.length > 0 ? `contexts: ${known.join(', ')}` : 'add one with "create-kit-service add context <name>"',
    });
  }
  const value: Record<string, unknown> = {};
  if (endpoint.description) value.description = endpoint.description;
  if (endpoint.http) value.http = endpoint.http;
  if (endpoint.request) value.request = endpoint.request;
  if (endpoint.response) value.response = endpoint.response;
  if (endpoint.errors && endpoint.errors.length > 0) value.errors = endpoint.errors;
  return insertEntry(source, ['contexts', context, 'endpoints'], name, value);
}

/** Adds a bounded context at the end of `contexts`, keeping the rest of the file as it is. */
export function addContextToSpec(source: SpecSource, name: string, context: Record<string, unknown>): SpecSource {
  return insertEntry(source, ['contexts'], name, context);
}

/** Keys whose values are written in flow style, as the spec's examples write them. */
const FLOW_KEYS = new Set(['request', 'response', 'errors', 'transports', 'middleware', 'translate']);

/**
 * Inserts `key: value` into the mapping at `path` as text, creating the mapping (and its parents)
 * where it is missing. The result is parsed back and compared with the intended value; should the
 * text edit ever not give exactly that, the document is re-serialized instead (comments kept,
 * layout normalized), so the spec is always right.
 */
function insertEntry(source: SpecSource, path: string[], key: string, value: unknown): SpecSource {
  const expected = structuredClone(source.value) as Record<string, unknown>;
  setIn(expected, [...path, key], value);
  const text = insertAsText(source, path, key, value);
  const edited = text === undefined ? undefined : parseSpec(source.file, text);
  if (edited !== undefined && isDeepStrictEqual(edited.value, expected)) return edited;
  const document = source.document.clone();
  document.setIn([...path, key], document.createNode(value));
  return parseSpec(source.file, document.toString());
}

type Ranged = { range?: [number, number, number] | null } | null | undefined;

function insertAsText(source: SpecSource, path: string[], key: string, value: unknown): string | undefined {
  const text = source.text;
  // The deepest mapping on the path that has entries; what is missing below it is written with the entry.
  let depth = path.length;
  let node: unknown = source.document.getIn(path, true);
  while (!(isMap(node) && node.items.length > 0) && depth > 0) {
    const empty = node === undefined || node === null || (isScalar(node) && node.value === null) || (isMap(node) && node.items.length === 0);
    if (!empty) return undefined;
    depth -= 1;
    node = depth === 0 ? source.document.contents : source.document.getIn(path.slice(0, depth), true);
  }
  if (!isMap(node) || node.flow) return undefined;
  // An empty key on the way (`endpoints:` with nothing) is replaced as a whole.
  let entry: Record<string, unknown> = { [key]: value };
  for (const segment of path.slice(depth).reverse()) entry = { [segment]: entry };
  const [firstKey] = Object.keys(entry);
  const replaced = node.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === firstKey);
  const last = replaced ?? node.items.at(-1)!;
  const keyStart = (last.key as Ranged)?.range?.[0];
  const valueEnd = (last.value as Ranged)?.range?.[1] ?? (last.key as Ranged)?.range?.[1];
  if (keyStart === undefined || valueEnd === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  const indent = keyStart - lineStart;
  const lineEnd = text.indexOf('\n', Math.max(valueEnd - 1, keyStart));
  const after = lineEnd === -1 ? text.length : lineEnd + 1;
  const block = renderBlock(entry, indent);
  const from = replaced ? lineStart : after;
  return `${text.slice(0, from)}${from === text.length && !text.endsWith('\n') ? '\n' : ''}${block}${text.slice(after)}`;
}

/** `value` as block YAML at `indent` columns, with the flow keys in flow style. */
function renderBlock(value: Record<string, unknown>, indent: number): string {
  const document = new Document(value);
  visit(document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && FLOW_KEYS.has(String(pair.key.value)) && (isMap(pair.value) || isSeq(pair.value))) pair.value.flow = true;
    },
  });
  const lines = document.toString({ indent: 2, lineWidth: 0 }).replace(/\[ (.*?) \]/g, '[$1]').trimEnd().split('\n');
  return `${lines.map((line) => ' '.repeat(indent) + line).join('\n')}\n`;
}

function setIn(target: Record<string, unknown>, path: string[], value: unknown): void {
  let current = target;
  for (const segment of path.slice(0, -1)) {
    if (typeof current[segment] !== 'object' || current[segment] === null) current[segment] = {};
    current = current[segment] as Record<string, unknown>;
  }
  current[path.at(-1)!] = value;
}

/** `--errors "OutOfStock, NotFound"` as names: comma-separated, blanks dropped. */
export function parseNameList(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter(Boolean);
}

/**
 * Parses `--request "id:string,qty:integer,reason:string?"` into spec fields (`reason?: string`).
 * A "?" after the type or the name makes a field optional; `[T]` is a list.
 */
export function parseFieldList(flag: string, text: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const part of parseNameList(text)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(\?)?\s*:\s*(\[*[A-Za-z][A-Za-z0-9_-]*\]*)(\?)?$/.exec(part);
    if (!match) {
      throw new KitError('USAGE', `${flag}: "${part}" is not a field`, { hint: 'write name:type pairs, e.g. "orderId:string,qty:integer,note:string?,lines:[OrderLine]"' });
    }
    const [, name, optionalName, type, optionalType] = match;
    // A list as YAML writes it unquoted: `[OrderLine]` is a one-element sequence.
    const depth = /^\[*/.exec(type!)![0].length;
    let value: unknown = type!.slice(depth, type!.length - depth);
    for (let level = 0; level < depth; level++) value = [value];
    fields[`${name}${optionalName || optionalType ? '?' : ''}`] = value;
  }
  return fields;
}
