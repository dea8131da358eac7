import type { PrimitiveName } from '../spec/tables.js';
import type { TypeExpression } from '../spec/type-expression.js';

/** A context's types with their parsed fields, by spec name. */
export type TypeTable = Map<string, { name: string; optional: boolean; type: TypeExpression }[]>;

/** One valid value per primitive, chosen to survive a trip through a path or query string. */
const SAMPLES: Record<PrimitiveName, unknown> = {
  string: 'text',
  integer: 1,
  number: 1.5,
  boolean: true,
  datetime: '2024-01-02T03:04:05.000Z',
  uuid: '3f2b8c1e-8d4a-4c6b-9e1f-2a3b4c5d6e7f',
};

/** One value per primitive that JSON Schema validation rejects even with type coercion on. */
const INVALID: Record<PrimitiveName, unknown> = {
  string: { not: 'a string' },
  integer: 'not-a-number',
  number: 'not-a-number',
  boolean: 'not-a-boolean',
  datetime: 'not-a-date',
  uuid: 'not-a-uuid',
};

/**
 * One value per primitive that only a validator without type coercion rejects: bodies are JSON and
 * must carry the declared types as they are.
 */
const INVALID_IN_JSON: Record<PrimitiveName, unknown> = {
  string: 5,
  integer: '3',
  number: '1.5',
  boolean: 'true',
  datetime: 20240102,
  uuid: 7,
};

/**
 * A valid value of a type, for contract tests. Optional fields are filled too, except where a
 * type would contain itself: there the optional field is left out and a list is empty.
 */
export function sampleValue(type: TypeExpression, types: TypeTable, visiting: Set<string>): unknown {
  if (type.kind === 'primitive') return SAMPLES[type.name];
  if (type.kind === 'list') {
    const element = type.of;
    if (element.kind === 'ref' && visiting.has(element.name)) return [];
    return [sampleValue(element, types, visiting)];
  }
  const inner = new Set(visiting).add(type.name);
  const value: Record<string, unknown> = {};
  for (const field of types.get(type.name) ?? []) {
    if (field.optional && field.type.kind === 'ref' && inner.has(field.type.name)) continue;
    value[field.name] = sampleValue(field.type, types, inner);
  }
  return value;
}

/**
 * A value of the wrong type for a field, that validation must reject. In a JSON body it is one
 * that type coercion would have accepted, so the contract test also pins that bodies are strict.
 */
export function invalidValue(type: TypeExpression, where: 'json' | 'text'): unknown {
  if (type.kind === 'primitive') return (where === 'json' ? INVALID_IN_JSON : INVALID)[type.name];
  if (type.kind === 'list') return [invalidValue(type.of, where)];
  return 'not-an-object';
}
