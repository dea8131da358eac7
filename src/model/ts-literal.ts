/**
 * Writes a JSON-like value as TypeScript source in the generated code's style: single quotes,
 * unquoted keys where they are identifiers, one entry per line with trailing commas (or all on one
 * line, for comments). Values are data from the spec, so any string is escaped.
 */
export function tsLiteral(value: unknown, options: { indent?: string; inline?: boolean } = {}): string {
  const indent = options.indent ?? '';
  if (typeof value === 'string') return quote(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  const items = Array.isArray(value)
    ? value.map((item) => tsLiteral(item, { indent: inner, inline: options.inline }))
    : Object.entries(value).map(([key, item]) => `${propertyKey(key)}: ${tsLiteral(item, { indent: inner, inline: options.inline })}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (items.length === 0) return `${open}${close}`;
  const oneLine = Array.isArray(value) ? `[${items.join(', ')}]` : `{ ${items.join(', ')} }`;
  // As prettier does: a value that fits on one line (of 100 columns) stays on one line.
  if (options.inline || (!oneLine.includes('\n') && indent.length + oneLine.length <= MAX_INLINE)) return oneLine;
  return `${open}\n${items.map((item) => `${inner}${item},\n`).join('')}${indent}${close}`;
}

const MAX_INLINE = 72;

function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : quote(key);
}
