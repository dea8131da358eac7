/**
 * Case conversions and identifier rules. The validator uses them to find names that collide once
 * converted; the model uses them to compute every variant once, so templates never change case.
 */

/** Splits `placeOrder`, `place-order`, `place_order`, `PlaceOrder`, `HTTPServer2` into lower-case words. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

const capitalize = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

export const pascalCase = (name: string) => words(name).map(capitalize).join('');
export const camelCase = (name: string) => {
  const pascal = pascalCase(name);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
};
export const kebabCase = (name: string) => words(name).join('-');
export const screamingCase = (name: string) => words(name).join('_').toUpperCase();
/** Protocol Buffers' style for fields, files and packages: `customerId` -> `customer_id`. */
export const snakeCase = (name: string) => words(name).join('_');

/** A name as the spec allows for contexts, endpoints, types and errors: a letter, then letters, digits, `-` or `_`. */
export const SPEC_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** A field name must be usable as a JSON key and a TypeScript property without quoting. */
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Names that cannot name a generated method, property, class or file: the properties every object
 * inherits (a service method `toString` or `constructor` would replace or reach into them). Everything
 * else that is an identifier is the user's to choose, keywords included: `delete` and `new` are valid
 * member names, and where the generator needs a variable of that name it escapes its own
 * identifier (see `safeVariableName`).
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/** JavaScript's reserved words and the names strict mode forbids for a variable or parameter. */
const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do',
  'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in',
  'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof',
  'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package',
  'private', 'protected', 'public', 'await', 'arguments', 'eval', 'undefined', 'NaN', 'Infinity',
]);

/** `name` as a variable or parameter the generator declares: `fallback` when the name is reserved. */
export function safeVariableName(name: string, fallback: string): string {
  return RESERVED_VARIABLE_NAMES.has(name) ? fallback : name;
}

/** Field names are free to be keywords (`default`, `class` are fine as properties) but not prototype keys. */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True when a name contains something a file system would read as a path (`../x`, `a/b`, `C:`). */
export function looksLikePath(name: string): boolean {
  return /[\\/:]|\.\./.test(name) || name === '.' ;
}
