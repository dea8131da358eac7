import { isPrimitive, type PrimitiveName } from './tables.js';

/** A field's type as the spec writes it, parsed: `string`, `Customer`, `[OrderLine]`, `[[integer]]`. */
export type TypeExpression =
  | { kind: 'primitive'; name: PrimitiveName }
  | { kind: 'ref'; name: string }
  | { kind: 'list'; of: TypeExpression };

/**
 * Parses what YAML gives for a field type: a string (`"[T]"` quoted works too) or a one-element
 * flow sequence (`[T]` unquoted is a YAML list). Returns undefined for anything else.
 */
export function parseTypeExpression(raw: unknown): TypeExpression | undefined {
  if (Array.isArray(raw)) {
    if (raw.length !== 1) return undefined;
    const of = parseTypeExpression(raw[0]);
    return of && { kind: 'list', of };
  }
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text.startsWith('[') && text.endsWith(']')) return parseTypeExpression([text.slice(1, -1)]);
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(text)) return undefined;
  return isPrimitive(text) ? { kind: 'primitive', name: text } : { kind: 'ref', name: text };
}

/** The innermost type of a list (or the type itself). */
export function elementType(type: TypeExpression): Exclude<TypeExpression, { kind: 'list' }> {
  return type.kind === 'list' ? elementType(type.of) : type;
}

/** How the spec would write the type; used in messages. */
export function showTypeExpression(type: TypeExpression): string {
  return type.kind === 'list' ? `[${showTypeExpression(type.of)}]` : type.name;
}
