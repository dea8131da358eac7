/**
 * Writes JSON data (objects, arrays, strings, numbers, booleans, null) as block-style YAML, two
 * spaces per level, keys in their order. The yaml package's stringify builds a document tree first
 * and took most of the time of a whole model; this writes the text directly. A string stays plain
 * only when YAML reads it back as that same string; anything else is double-quoted, as JSON quotes
 * it (YAML's double-quoted style accepts every JSON string escape).
 */
export function toYaml(value: unknown): string {
  if (!isNested(value)) return `${scalar(value)}\n`;
  const lines: string[] = [];
  write(value, '', lines);
  return `${lines.join('\n')}\n`;
}

function write(value: unknown, indent: string, lines: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isNested(item)) {
        // The first entry of a nested collection shares the "- " line.
        const inner: string[] = [];
        write(item, `${indent}  `, inner);
        lines.push(`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1));
      } else {
        lines.push(`${indent}- ${scalar(item)}`);
      }
    }
    return;
  }
  if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (isNested(item)) {
        lines.push(`${indent}${scalar(key)}:`);
        write(item, `${indent}  `, lines);
      } else {
        lines.push(`${indent}${scalar(key)}: ${scalar(item)}`);
      }
    }
    return;
  }
  lines.push(`${indent}${scalar(value)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A collection with entries: written on lines of its own. Empty ones are written inline (`[]`, `{}`). */
function isNested(value: unknown): boolean {
  return (Array.isArray(value) && value.length > 0) || (isObject(value) && Object.keys(value).length > 0);
}

function scalar(value: unknown): string {
  if (Array.isArray(value)) return '[]';
  if (isObject(value)) return '{}';
  if (typeof value === 'string') return plain(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  throw new Error(`not JSON data: ${typeof value}`);
}

/**
 * Whether YAML reads the text back, unquoted, as this string: it starts with a letter, a digit-free
 * word character or "/", holds no ": " or " #" and no character YAML gives a meaning (flow brackets,
 * quotes, anchors, tags), does not end in a space or colon, and is no word or number YAML 1.2's core
 * schema turns into another type.
 */
function plain(text: string): boolean {
  return (
    /^[A-Za-z_/$][A-Za-z0-9 _./$(){}?'`;=+<>~^-]*$/.test(text) &&
    !/:(\s|$)|\s#|\s$|^\s/.test(text) &&
    !/[[\]{},]/.test(text.slice(0, 1)) &&
    !/^(true|false|null|True|False|TRUE|FALSE|Null|NULL|y|n|yes|no|on|off|\.inf|\.nan)$/i.test(text) &&
    !/^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/.test(text)
  );
}
