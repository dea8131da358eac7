import type { z } from 'zod';
import type { Problem } from '../errors.js';
import { checkSemantics } from './check-semantics.js';
import type { SpecPath, SpecSource } from './load-spec.js';
import { contextSchema, endpointSchema, resourcesSchema, specSchema, upstreamSchema, type RawSpec } from './spec-schema.js';
import { MIDDLEWARE, TRANSPORTS } from './tables.js';

/** The outcome of validation: the spec when it is valid, and every problem found either way. */
export interface ValidationResult {
  spec?: RawSpec;
  problems: Problem[];
}

/**
 * Checks a parsed spec completely: YAML syntax (including duplicate keys), structure against the
 * schema, then the semantic rules. Every problem is returned with its location, sorted as they
 * appear in the file; the spec is returned only when there are no errors.
 */
export function validateSpec(source: SpecSource): ValidationResult {
  const problems: Problem[] = [];
  for (const yamlError of source.document.errors) {
    const duplicate = yamlError.code === 'DUPLICATE_KEY';
    problems.push({
      severity: 'error',
      message: duplicate ? 'duplicate key: a key may appear once in a mapping' : `invalid YAML: ${firstLine(yamlError.message)}`,
      hint: duplicate ? 'remove or rename one of the two entries' : (YAML_HINTS[yamlError.code] ?? 'check indentation, colons and brackets around this place'),
      location: source.at(yamlError.pos[0]),
    });
  }
  if (problems.length > 0) return { problems };

  const parsed = specSchema.safeParse(source.value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // A bad field type is reported by checkSemantics, with a hint that names the context.
      if (!isInsideFieldType(issue.path)) problems.push(...[describeIssue(source, issue)].flat());
    }
  }
  for (const finding of checkSemantics(source.value)) {
    problems.push({
      severity: finding.severity,
      message: finding.message,
      hint: finding.hint,
      location: source.locate(finding.path, { key: finding.key }),
    });
  }
  problems.sort((a, b) => a.location.line - b.location.line || a.location.col - b.location.col);
  const valid = parsed.success && !problems.some((problem) => problem.severity === 'error');
  return { spec: valid ? parsed.data : undefined, problems };
}

const YAML_HINTS: Partial<Record<string, string>> = {
  BAD_ALIAS: 'define the anchor (&name) before the alias (*name) that uses it',
  RESOURCE_EXHAUSTION: 'the aliases expand to too much; write the values out instead',
};

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Words for where a path points, e.g. `contexts.ordering.port`. */
const showPath = (path: SpecPath) => (path.length === 0 ? 'the spec' : `"${path.join('.')}"`);

/** True for a path at or below a field's type: `contexts.a.types.T.x`, `contexts.a.endpoints.e.request.x.0`. */
function isInsideFieldType(path: readonly PropertyKey[]): boolean {
  if (path[0] !== 'contexts') return false;
  if (path[2] === 'types') return path.length >= 5;
  return path[2] === 'endpoints' && (path[4] === 'request' || path[4] === 'response') && path.length >= 6;
}

/** Turns a schema issue into messages a person can act on (one per unknown key). */
function describeIssue(source: SpecSource, issue: z.core.$ZodIssue): Problem | Problem[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  const at = (p: SpecPath, key = false) => source.locate(p, { key });
  const parent = path.at(-2);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        severity: 'error',
        message: `unknown key "${key}" in ${showPath(path)}`,
        hint: `allowed keys: ${allowedKeys(path).join(', ')}`,
        location: at([...path, key], true),
      }));
    case 'invalid_value': {
      const list = parent === 'middleware' ? 'middleware' : parent === 'transports' ? 'transport' : 'value';
      const table = list === 'middleware' ? MIDDLEWARE : list === 'transport' ? TRANSPORTS : undefined;
      const given = valueAt(source.value, path);
      return {
        severity: 'error',
        message: `unknown ${list} "${String(given)}"`,
        hint: `use one of: ${table ? Object.keys(table).join(', ') : issue.values.join(', ')}`,
        location: at(path),
      };
    }
    case 'too_big':
    case 'too_small':
      if (path.at(-1) === 'port') {
        return { severity: 'error', message: `port ${String(valueAt(source.value, path))} is out of range`, hint: 'use a port between 1 and 65535 (above 1023 needs no privileges)', location: at(path) };
      }
      return { severity: 'error', message: `${showPath(path)} has the wrong size`, hint: issue.message, location: at(path) };
    case 'invalid_union':
      if (path.at(-1) === 'cpu') {
        return { severity: 'error', message: `${showPath(path)} must be a quantity, not ${describe(valueAt(source.value, path))}`, hint: 'write millicores (250m) or cores (0.5, 1)', location: at(path) };
      }
      return { severity: 'error', message: `"${JSON.stringify(valueAt(source.value, path))}" is not a field type`, hint: 'use a built-in type, a type of this context, or [T] for a list', location: at(path) };
    case 'invalid_type': {
      const given = valueAt(source.value, path);
      const missing = given === undefined;
      return {
        severity: 'error',
        message: missing ? `${showPath(path)} is missing` : `${showPath(path)} must be ${article(issue.expected)}, not ${describe(given)}`,
        hint: hintFor(path, issue.expected),
        location: missing ? at(path.slice(0, -1), true) : at(path),
      };
    }
    default:
      return { severity: 'error', message: `${showPath(path)}: ${issue.message}`, hint: 'see the JSON Schema of kit.yaml for the expected shape', location: at(path) };
  }
}

function hintFor(path: SpecPath, expected: string): string {
  const last = path.at(-1);
  if (path.length === 0) return 'start the file with "name: my-system" and "contexts:"';
  if (last === 'name' && path.length === 1) return 'add "name: my-system" at the top of the file';
  if (last === 'contexts') return 'add "contexts:" with at least one bounded context';
  if (last === 'port') return 'write the port as a whole number, e.g. 8081';
  if (last === 'memory' && path.at(-2) === 'resources') return 'write a quantity in Mi or Gi, e.g. 256Mi';
  if (last === 'public') return 'write true or false';
  if (expected === 'record' || expected === 'object') return 'write a mapping of names to values, e.g. { id: string }';
  if (expected === 'array') return 'write a list, e.g. [a, b]';
  return `write ${article(expected)} here`;
}

function article(expected: string): string {
  if (expected === 'record' || expected === 'object') return 'a mapping';
  if (expected === 'array') return 'a list';
  if (expected === 'int') return 'a whole number';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describe(value: unknown): string {
  if (value === null) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(value: unknown, path: SpecPath): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** The keys the schema allows at a path of the spec. */
function allowedKeys(path: SpecPath): string[] {
  if (path.length === 0) return Object.keys(specSchema.shape);
  if (path.length === 2) return Object.keys(contextSchema.shape);
  if (path[2] === 'endpoints') return Object.keys(endpointSchema.shape);
  if (path[2] === 'uses') return Object.keys(upstreamSchema.shape);
  if (path[2] === 'resources') return Object.keys(resourcesSchema.shape);
  return [];
}
