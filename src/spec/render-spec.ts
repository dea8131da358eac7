import { isDeepStrictEqual } from 'node:util';
import { Document, parse, stringify } from 'yaml';
import { kebabCase } from '../naming.js';
import type { EndpointEdit } from './edit-spec.js';
import { MIDDLEWARE, PRIMITIVES, TRANSPORTS } from './tables.js';

/** A context as the interactive creation collects it; the shape of kit.yaml, nothing more. */
export interface DraftContext {
  description?: string;
  port?: number;
  transports?: string[];
  middleware?: string[];
  types?: Record<string, Record<string, unknown>>;
  endpoints?: Record<string, EndpointEdit>;
  uses?: Record<string, { endpoints?: string[]; translate?: Record<string, string> }>;
}

/** A whole spec as the interactive creation collects it. */
export interface DraftSpec {
  name: string;
  description?: string;
  contexts: Record<string, DraftContext>;
}

/**
 * Writes a spec as a person would: the keys in the order of the documentation, fields and lists
 * in flow style (`{ id: string }`, `[http]`), and comments that say what each part means and which
 * values a list may take, so that a newcomer can go on editing the file by hand. The text is parsed
 * back and compared with the spec; should it ever differ, the spec is serialized plainly instead
 * (under the same header), so the file always says exactly what was asked for.
 */
export function renderSpec(spec: DraftSpec): string {
  const header = [
    `# The domain spec of the ${spec.name} system: the source of truth for its services.`,
    '# Change it, then run "npx create-kit-service generate" to bring the code up to date',
    '# ("npx create-kit-service validate" checks it first).',
    `# Field types: ${Object.keys(PRIMITIVES).join(', ')}, a type of the same context,`,
    '# or [T] for a list of T. A "?" after a field name makes the field optional.',
  ];
  const lines = [...header, `name: ${scalar(spec.name)}`];
  if (spec.description) lines.push(`description: ${scalar(spec.description)}`);
  lines.push('contexts:');
  for (const [contextName, context] of Object.entries(spec.contexts)) {
    lines.push(`  # A bounded context: one service, in services/${kebabCase(contextName)}/.`);
    lines.push(`  ${scalar(contextName)}:`);
    const at = '    ';
    if (context.description) lines.push(`${at}description: ${scalar(context.description)}`);
    if (context.port !== undefined) lines.push(`${at}port: ${context.port}`);
    if (context.transports) lines.push(commented(`${at}transports: ${list(context.transports)}`, `of: ${Object.keys(TRANSPORTS).join(', ')}`));
    if (context.middleware) lines.push(commented(`${at}middleware: ${list(context.middleware)}`, `of: ${Object.keys(MIDDLEWARE).join(', ')}`));
    const types = Object.entries(context.types ?? {});
    if (types.length > 0) {
      lines.push(commented(`${at}types:`, "this context's own model"));
      for (const [typeName, fields] of types) lines.push(`${at}  ${scalar(typeName)}: ${fieldMap(fields)}`);
    }
    const endpoints = Object.entries(context.endpoints ?? {});
    if (endpoints.length > 0) {
      lines.push(`${at}endpoints:`);
      for (const [endpointName, endpoint] of endpoints) {
        const inner = `${at}    `;
        lines.push(`${at}  ${scalar(endpointName)}:`);
        const before = lines.length;
        if (endpoint.description) lines.push(`${inner}description: ${scalar(endpoint.description)}`);
        if (endpoint.http) lines.push(`${inner}http: ${scalar(endpoint.http)}`);
        if (endpoint.request && Object.keys(endpoint.request).length > 0) lines.push(`${inner}request: ${fieldMap(endpoint.request)}`);
        if (endpoint.response && Object.keys(endpoint.response).length > 0) lines.push(`${inner}response: ${fieldMap(endpoint.response)}`);
        if (endpoint.errors && endpoint.errors.length > 0) lines.push(`${inner}errors: ${list(endpoint.errors)}`);
        // An endpoint with nothing to say is an empty mapping, not a null the reader must know about.
        if (lines.length === before) lines[lines.length - 1] += ' {}';
      }
    }
    const uses = Object.entries(context.uses ?? {});
    if (uses.length > 0) {
      lines.push(commented(`${at}uses:`, 'the contexts this one calls'));
      for (const [upstream, use] of uses) {
        const inner = `${at}    `;
        lines.push(`${at}  ${scalar(upstream)}:`);
        const before = lines.length;
        if (use.endpoints && use.endpoints.length > 0) lines.push(`${inner}endpoints: ${list(use.endpoints)}`);
        if (use.translate && Object.keys(use.translate).length > 0) lines.push(`${inner}translate: ${flowMap(use.translate)}`);
        if (lines.length === before) lines[lines.length - 1] += ' {}';
      }
    }
  }
  const text = `${lines.join('\n')}\n`;
  if (isDeepStrictEqual(parse(text), plain(spec))) return text;
  return `${header.join('\n')}\n${new Document(plain(spec)).toString({ lineWidth: 0 })}`;
}

/** A scalar as YAML writes it: plain when it can be, quoted when it must be. */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function list(items: readonly string[]): string {
  return `[${items.map(scalar).join(', ')}]`;
}

/** A field type: `string`, `Customer`, or `[T]` as YAML's one-element list. */
function typeText(value: unknown): string {
  if (Array.isArray(value)) return `[${typeText(value[0])}]`;
  return scalar(String(value));
}

function fieldMap(fields: Record<string, unknown>): string {
  const entries = Object.entries(fields);
  return entries.length === 0 ? '{}' : `{ ${entries.map(([name, type]) => `${scalar(name)}: ${typeText(type)}`).join(', ')} }`;
}

function flowMap(map: Record<string, string>): string {
  return `{ ${Object.entries(map).map(([key, value]) => `${scalar(key)}: ${scalar(value)}`).join(', ')} }`;
}

function commented(line: string, comment: string): string {
  return `${line.padEnd(52)} # ${comment}`;
}

/** The spec as the parsed text gives it back: no undefined values, empty parts left out as the renderer does. */
function plain(spec: DraftSpec): unknown {
  const clean = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(clean);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return Object.fromEntries(entries.map(([key, item]) => [key, clean(item)]));
  };
  const result = clean(spec) as { contexts: Record<string, Record<string, unknown>> };
  for (const context of Object.values(result.contexts)) {
    for (const key of ['types', 'endpoints', 'uses']) {
      if (context[key] && Object.keys(context[key] as object).length === 0) delete context[key];
    }
    for (const endpoint of Object.values((context.endpoints ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const key of ['request', 'response']) if (endpoint[key] && Object.keys(endpoint[key] as object).length === 0) delete endpoint[key];
      if (Array.isArray(endpoint.errors) && endpoint.errors.length === 0) delete endpoint.errors;
      if (endpoint.description === '') delete endpoint.description;
    }
    for (const use of Object.values((context.uses ?? {}) as Record<string, Record<string, unknown>>)) {
      if (Array.isArray(use.endpoints) && use.endpoints.length === 0) delete use.endpoints;
      if (use.translate && Object.keys(use.translate as object).length === 0) delete use.translate;
    }
    if (context.description === '') delete context.description;
  }
  return result;
}
