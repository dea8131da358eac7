import { isDeepStrictEqual } from 'node:util';
import { isAlias, isMap, isScalar, isSeq, Scalar } from 'yaml';
import { KitError } from '../errors.js';
import { camelCase, kebabCase, pascalCase } from '../naming.js';
import { errorClassName } from './error-kind.js';
import { parseSpec, type SpecPath, type SpecSource } from './load-spec.js';
import { validateSpec } from './validate-spec.js';

/** What `rename` can rename. */
export const RENAME_KINDS = ['endpoint', 'type', 'field', 'error', 'context'] as const;
export type RenameKind = (typeof RENAME_KINDS)[number];

/** A rename as the user asked for it (names as typed). */
export interface RenameRequest {
  kind: RenameKind;
  /** The context the name belongs to; for a context rename, the context itself. */
  context: string;
  /** For a field: the type that holds it, or `<endpoint>.request` / `<endpoint>.response`. */
  owner?: string;
  from: string;
  to: string;
}

/** Where a field lives: a type of the context, or an endpoint's request or response. */
export type FieldOwner = { type: string } | { endpoint: string; part: 'request' | 'response' };

/** A rename with every name spelled as kit.yaml spells it (`from`), checked against the spec. */
export type ResolvedRename =
  | { kind: 'context'; context: string; from: string; to: string }
  | { kind: 'endpoint' | 'type' | 'error'; context: string; from: string; to: string }
  | { kind: 'field'; context: string; owner: FieldOwner; from: string; to: string };

/** The edited spec and the rename it carries out. */
export interface SpecRename {
  source: SpecSource;
  rename: ResolvedRename;
}

type Dict = Record<string, unknown>;
const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);
const dict = (value: unknown): Dict => (isDict(value) ? value : {});

/**
 * Renames a context, or an endpoint, type, field or error of one, in kit.yaml, with every reference
 * to it: `uses` of other contexts (their key, their endpoint lists, `translate`), type expressions
 * (`[Cargo]`), route segments made from an endpoint's name (`/load-cargo`) and path parameters
 * named after a field. The file is edited as text, only at the names that change, so comments and
 * layout stay byte for byte; the result is parsed back and compared with the intended value, and
 * validated. Refuses (a KitError with the location and a hint, nothing changed) a name that is
 * unknown, taken, or that the validator would not accept.
 */
export function renameInSpec(source: SpecSource, request: RenameRequest): SpecRename {
  const rename = resolveRename(source, request);
  const expected = renamedValue(source.value, rename);
  const edited = editSpecText(source, expected);
  const { spec, problems } = validateSpec(edited);
  if (!spec) {
    throw new KitError('INVALID_INPUT', `renaming ${describeRename(rename)} would make ${source.file} invalid; nothing was written`, {
      problems: problems.filter((problem) => problem.severity === 'error'),
      hint: 'choose another name',
    });
  }
  return { source: edited, rename };
}

/** `endpoint ordering.placeOrder -> submitOrder`, for messages. */
export function describeRename(rename: ResolvedRename): string {
  if (rename.kind === 'context') return `context ${rename.from} -> ${rename.to}`;
  if (rename.kind === 'field') return `field ${rename.context}.${ownerName(rename.owner)}.${rename.from} -> ${rename.to}`;
  return `${rename.kind} ${rename.context}.${rename.from} -> ${rename.to}`;
}

/** `Cargo`, or `loadCargo.request`. */
export function ownerName(owner: FieldOwner): string {
  return 'type' in owner ? owner.type : `${owner.endpoint}.${owner.part}`;
}

/** Finds the name to rename as the spec spells it, and checks the new one is free. */
function resolveRename(source: SpecSource, request: RenameRequest): ResolvedRename {
  const value = dict(source.value);
  const contexts = dict(value.contexts);
  const { from, to } = request;
  const locate = (path: SpecPath) => source.locate(path, { key: true });
  const unknown = (what: string, path: SpecPath, names: string[], create: string) =>
    new KitError('INVALID_INPUT', what, { location: locate(path), hint: names.length > 0 ? `there are: ${names.join(', ')}` : create });
  const taken = (what: string, path: SpecPath) => new KitError('INVALID_INPUT', what, { location: locate(path), hint: 'choose another name, or rename or remove the one that has it first' });
  const same = (a: string, b: string, what: string) => {
    if (a === b) throw new KitError('INVALID_INPUT', `${what} is already named "${b}"; nothing to rename`, { hint: 'give the new name as the last argument' });
  };

  const contextName = request.context;
  if (!Object.hasOwn(contexts, contextName)) {
    throw unknown(`there is no context "${contextName}" in ${source.file}`, ['contexts'], Object.keys(contexts), 'add one with "create-kit-service add context <name>"');
  }
  const context = dict(contexts[contextName]);
  const base = ['contexts', contextName];

  /** The key of `names` that is `name`, or becomes the same identifier. */
  const find = (names: string[], name: string, convert: (name: string) => string) => names.find((candidate) => candidate === name) ?? names.find((candidate) => convert(candidate) === convert(name));
  /** Another key of `names` that `to` would meet once converted. */
  const clash = (names: string[], own: string, convert: (name: string) => string) => names.find((candidate) => candidate !== own && convert(candidate) === convert(to));

  switch (request.kind) {
    case 'context': {
      same(contextName, to, `context "${contextName}"`);
      const other = clash(Object.keys(contexts), contextName, pascalCase);
      if (other !== undefined) throw taken(other === to ? `context "${to}" already exists` : `context "${to}" would collide with "${other}": both become "${pascalCase(to)}"`, ['contexts', other]);
      return { kind: 'context', context: contextName, from: contextName, to };
    }
    case 'endpoint': {
      const names = Object.keys(dict(context.endpoints));
      const found = find(names, from, camelCase);
      if (found === undefined) throw unknown(`context "${contextName}" has no endpoint "${from}"`, [...base, 'endpoints'], names, 'add one with "create-kit-service add endpoint"');
      same(found, to, `endpoint "${found}"`);
      const other = clash(names, found, camelCase);
      if (other !== undefined) throw taken(other === to ? `endpoint "${to}" already exists in context "${contextName}"` : `endpoint "${to}" would collide with "${other}": both become "${camelCase(to)}"`, [...base, 'endpoints', other]);
      return { kind: 'endpoint', context: contextName, from: found, to };
    }
    case 'type': {
      const names = Object.keys(dict(context.types));
      const found = find(names, from, pascalCase);
      if (found === undefined) throw unknown(`context "${contextName}" has no type "${from}"`, [...base, 'types'], names, `declare it under contexts.${contextName}.types`);
      same(found, to, `type "${found}"`);
      const other = clash(names, found, pascalCase);
      if (other !== undefined) throw taken(other === to ? `type "${to}" already exists in context "${contextName}"` : `type "${to}" would collide with "${other}": both become "${pascalCase(to)}"`, [...base, 'types', other]);
      return { kind: 'type', context: contextName, from: found, to };
    }
    case 'error': {
      const declared = errorsOf(contextName, context);
      const found = find(declared.map(([, name]) => name), from, errorClassName);
      if (found === undefined) throw unknown(`context "${contextName}" declares no error "${from}"`, [...base, 'endpoints'], [...new Set(declared.map(([, name]) => name))], 'errors are declared in an endpoint\'s "errors" list');
      same(found, to, `error "${found}"`);
      const other = declared.find(([, name]) => errorClassName(name) !== errorClassName(found) && errorClassName(name) === errorClassName(to));
      if (other !== undefined) throw taken(`error "${to}" is already declared in context "${contextName}"${other[1] === to ? '' : ` as "${other[1]}"`}`, other[0]);
      return { kind: 'error', context: contextName, from: found, to };
    }
    case 'field': {
      const ownerText = request.owner ?? '';
      const part = /^(.*)\.(request|response)$/.exec(ownerText);
      let owner: FieldOwner;
      let fieldsPath: SpecPath;
      if (part) {
        const names = Object.keys(dict(context.endpoints));
        const endpoint = find(names, part[1]!, camelCase);
        if (endpoint === undefined) throw unknown(`context "${contextName}" has no endpoint "${part[1]}"`, [...base, 'endpoints'], names, 'name a type, or <endpoint>.request or <endpoint>.response');
        owner = { endpoint, part: part[2] as 'request' | 'response' };
        fieldsPath = [...base, 'endpoints', endpoint, part[2]!];
      } else {
        const names = Object.keys(dict(context.types));
        const type = find(names, ownerText, pascalCase);
        if (type === undefined) throw unknown(`context "${contextName}" has no type "${ownerText}"`, [...base, 'types'], [...names, ...Object.keys(dict(context.endpoints)).flatMap((name) => [`${name}.request`, `${name}.response`])], 'name a type, or <endpoint>.request or <endpoint>.response');
        owner = { type };
        fieldsPath = [...base, 'types', type];
      }
      const keys = Object.keys(dict(valueAt(value, fieldsPath)));
      const field = keys.map((key) => key.replace(/\?$/, '')).find((name) => name === from);
      if (field === undefined) throw unknown(`${ownerName(owner)} of context "${contextName}" has no field "${from}"`, fieldsPath, keys.map((key) => key.replace(/\?$/, '')), 'add the field in kit.yaml first');
      const bare = to.replace(/\?$/, '');
      same(field, bare, `field "${field}"`);
      const other = keys.find((key) => key.replace(/\?$/, '') === bare);
      if (other !== undefined) throw taken(`${ownerName(owner)} of context "${contextName}" already has a field "${bare}"`, [...fieldsPath, other]);
      return { kind: 'field', context: contextName, owner, from: field, to: bare };
    }
  }
}

/** Every error an endpoint of the context lists, with where it is listed. */
function errorsOf(contextName: string, context: Dict): [SpecPath, string][] {
  const found: [SpecPath, string][] = [];
  for (const [endpoint, value] of Object.entries(dict(context.endpoints))) {
    const errors = dict(value).errors;
    if (!Array.isArray(errors)) continue;
    errors.forEach((name, index) => {
      if (typeof name === 'string') found.push([['contexts', contextName, 'endpoints', endpoint, 'errors', index], name]);
    });
  }
  return found;
}

function valueAt(value: unknown, path: SpecPath): unknown {
  let current = value;
  for (const segment of path) current = isDict(current) || Array.isArray(current) ? (current as Record<string | number, unknown>)[segment] : undefined;
  return current;
}

/** A mapping with one key renamed, in its place. */
function renameKey(value: unknown, from: string, to: string): unknown {
  if (!isDict(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key === from ? to : key, entry]));
}

/** Each entry of a mapping through `map`. */
function mapValues(value: unknown, map: (entry: unknown, key: string) => unknown): unknown {
  if (!isDict(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, map(entry, key)]));
}

/** A type expression (`Cargo`, `[Cargo]`, `"[[Cargo]]"`) with the type `from` named `to`. */
function renameTypeRef(raw: unknown, from: string, to: string): unknown {
  if (Array.isArray(raw)) return raw.map((item) => renameTypeRef(item, from, to));
  if (typeof raw !== 'string') return raw;
  return raw.replace(/^(\s*\[*\s*)([A-Za-z][A-Za-z0-9_-]*)(\s*\]*\s*)$/, (whole, open: string, name: string, close: string) => (name === from ? `${open}${to}${close}` : whole));
}

/** The spec's plain value as the rename leaves it: the value the edited text must parse to. */
function renamedValue(value: unknown, rename: ResolvedRename): unknown {
  const spec = structuredClone(value) as Dict;
  const contexts = dict(spec.contexts);
  const withContext = (name: string, change: (context: Dict) => Dict) => {
    contexts[name] = change(dict(contexts[name]));
  };
  /** Every other context's `uses` entry of this context. */
  const eachUse = (change: (use: Dict) => Dict) => {
    for (const [name, context] of Object.entries(contexts)) {
      const uses = dict(dict(context).uses);
      if (!isDict(uses[rename.context])) continue;
      withContext(name, (downstream) => ({ ...downstream, uses: { ...uses, [rename.context]: change(dict(uses[rename.context])) } }));
    }
  };
  switch (rename.kind) {
    case 'context': {
      for (const [name, context] of Object.entries(contexts)) {
        if (isDict(context) && isDict(context.uses)) contexts[name] = { ...context, uses: renameKey(context.uses, rename.from, rename.to) };
      }
      spec.contexts = renameKey(contexts, rename.from, rename.to);
      return spec;
    }
    case 'endpoint': {
      const { from, to } = rename;
      withContext(rename.context, (context) => {
        const endpoints = mapValues(context.endpoints, (endpoint, key) => {
          if (key !== from || !isDict(endpoint) || typeof endpoint.http !== 'string') return endpoint;
          // A route segment made of the name (`POST /load-cargo`) is the name's, and follows it.
          return { ...endpoint, http: endpoint.http.replace(/(?<=\/)[^/\s{}]+(?=\/|\s*$)/g, (segment) => (segment === kebabCase(from) ? kebabCase(to) : segment)) };
        });
        return { ...context, endpoints: renameKey(endpoints, from, to) };
      });
      eachUse((use) => (Array.isArray(use.endpoints) ? { ...use, endpoints: use.endpoints.map((name) => (name === from ? to : name)) } : use));
      return spec;
    }
    case 'type': {
      const { from, to } = rename;
      const fields = (value: unknown) => mapValues(value, (type) => renameTypeRef(type, from, to));
      withContext(rename.context, (context) => ({
        ...context,
        ...(isDict(context.types) ? { types: renameKey(mapValues(context.types, fields), from, to) } : {}),
        ...(isDict(context.endpoints)
          ? { endpoints: mapValues(context.endpoints, (endpoint) => (isDict(endpoint) ? { ...endpoint, ...(isDict(endpoint.request) ? { request: fields(endpoint.request) } : {}), ...(isDict(endpoint.response) ? { response: fields(endpoint.response) } : {}) } : endpoint)) }
          : {}),
        // This context's own types are the right-hand side of its translations.
        ...(isDict(context.uses) ? { uses: mapValues(context.uses, (use) => (isDict(use) && isDict(use.translate) ? { ...use, translate: mapValues(use.translate, (local) => (local === from ? to : local)) } : use)) } : {}),
      }));
      // Its types are the left-hand side of the translations of the contexts that call it.
      eachUse((use) => (isDict(use.translate) ? { ...use, translate: renameKey(use.translate, from, to) } : use));
      return spec;
    }
    case 'error': {
      const className = errorClassName(rename.from);
      withContext(rename.context, (context) => ({
        ...context,
        endpoints: mapValues(context.endpoints, (endpoint) =>
          isDict(endpoint) && Array.isArray(endpoint.errors) ? { ...endpoint, errors: endpoint.errors.map((name) => (typeof name === 'string' && errorClassName(name) === className ? rename.to : name)) } : endpoint,
        ),
      }));
      return spec;
    }
    case 'field': {
      const { owner, from, to } = rename;
      const renameField = (fields: unknown) => (isDict(fields) ? Object.fromEntries(Object.entries(fields).map(([key, type]) => [key === from ? to : key === `${from}?` ? `${to}?` : key, type])) : fields);
      withContext(rename.context, (context) => {
        if ('type' in owner) return { ...context, types: mapValues(context.types, (fields, key) => (key === owner.type ? renameField(fields) : fields)) };
        return {
          ...context,
          endpoints: mapValues(context.endpoints, (endpoint, key) => {
            if (key !== owner.endpoint || !isDict(endpoint)) return endpoint;
            const renamed: Dict = { ...endpoint, [owner.part]: renameField(endpoint[owner.part]) };
            // A path parameter is a request field of the same name.
            if (owner.part === 'request' && typeof endpoint.http === 'string') renamed.http = endpoint.http.replace(`{${from}}`, `{${to}}`);
            return renamed;
          }),
        };
      });
      return spec;
    }
  }
}

/** A change of text: the characters [from, to) become `text`. */
interface TextEdit {
  from: number;
  to: number;
  text: string;
}

/**
 * The spec's text changed to parse to `expected`, which differs from the spec's value only in
 * keys and string values. Each changed scalar is rewritten in place, in its own quoting style, so
 * every other byte (comments, blank lines, flow or block style) stays. Should that not give
 * exactly `expected` (a value shared through a YAML alias, say), the document is changed node by
 * node and printed again (comments kept, layout normalized); failing that too, nothing changes.
 */
function editSpecText(source: SpecSource, expected: unknown): SpecSource {
  const edits: TextEdit[] = [];
  const quoted = (node: Scalar, text: string): string | undefined => {
    if (node.type === Scalar.PLAIN) return text;
    if (node.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(text);
    if (node.type === Scalar.QUOTE_SINGLE) return `'${text.replace(/'/g, "''")}'`;
    return undefined;
  };
  const asText = walkChanges(source.document.contents, source.value, expected, (node, text) => {
    const replacement = quoted(node, text);
    if (replacement === undefined || !node.range) return false;
    edits.push({ from: node.range[0], to: node.range[1], text: replacement });
    return true;
  });
  if (asText) {
    // The document's offsets do not count a byte order mark.
    const offset = source.text.startsWith('\uFEFF') ? 1 : 0;
    let text = source.text;
    for (const edit of edits.sort((a, b) => b.from - a.from)) text = text.slice(0, offset + edit.from) + edit.text + text.slice(offset + edit.to);
    const edited = parseSpec(source.file, text);
    if (edited.document.errors.length === 0 && isDeepStrictEqual(edited.value, expected)) return edited;
  }
  const document = source.document.clone();
  const asNodes = walkChanges(document.contents, source.value, expected, (node, text) => {
    node.value = text;
    return true;
  });
  if (asNodes) {
    const edited = parseSpec(source.file, document.toString());
    if (edited.document.errors.length === 0 && isDeepStrictEqual(edited.value, expected)) return edited;
  }
  throw new KitError('COMMAND_FAILED', `could not rename in ${source.file} without changing what else it says`, {
    hint: 'a value that changes is shared through a YAML alias (*name) or a merge key (<<); write it out in full, then rename again',
  });
}

/**
 * Walks the YAML nodes beside the plain value before and after, and hands every scalar (key or
 * value) whose string changed to `change`. False when a change is not a changed scalar (a key added,
 * an alias whose target changed), or `change` refused one.
 */
function walkChanges(node: unknown, before: unknown, after: unknown, change: (node: Scalar, text: string) => boolean): boolean {
  if (isDeepStrictEqual(before, after)) return true;
  if (isAlias(node)) return false;
  if (isScalar(node)) return typeof after === 'string' && change(node, after);
  if (isSeq(node)) {
    if (!Array.isArray(before) || !Array.isArray(after) || before.length !== after.length || node.items.length !== before.length) return false;
    return node.items.every((item, index) => walkChanges(item, before[index], after[index], change));
  }
  if (isMap(node)) {
    if (!isDict(before) || !isDict(after)) return false;
    const keysBefore = Object.keys(before);
    const keysAfter = Object.keys(after);
    if (keysBefore.length !== keysAfter.length || node.items.length !== keysBefore.length) return false;
    return node.items.every((pair, index) => {
      const keyBefore = keysBefore[index]!;
      const keyAfter = keysAfter[index]!;
      if (!isScalar(pair.key) || String(pair.key.value) !== keyBefore) return false;
      if (keyBefore !== keyAfter && !change(pair.key, keyAfter)) return false;
      return walkChanges(pair.value, before[keyBefore], after[keyAfter], change);
    });
  }
  return false;
}
