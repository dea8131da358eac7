/**
 * A tagged template for YAML written inline in tests: drops the first line break and the indentation
 * common to all lines, so that line 1 is the first line after the backtick and columns count from
 * the least indented line. Values are inserted as they are.
 */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  let text = strings.reduce((all, part, index) => all + part + (index < values.length ? String(values[index]) : ''), '');
  text = text.replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, '\n');
  const lines = text.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length);
  const strip = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(Math.min(strip, /^ */.exec(line)![0].length))).join('\n');
}
