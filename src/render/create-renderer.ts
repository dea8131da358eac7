import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HelperOptions } from 'handlebars';
import { tsLiteral } from '../model/ts-literal.js';

/** Renders a template, by its path under templates/, with the given data. */
export type Render = (template: string, data: object) => string;

/**
 * One isolated Handlebars environment for code: `noEscape` (code must not be HTML-escaped) and
 * `strict` (a missing field is an error, not an empty string). Templates compile once, on first
 * use. Handlebars loads here only, so commands that render nothing never pay for it.
 */
export async function createRenderer(templatesDir: string): Promise<Render> {
  const { default: Handlebars } = await import('handlebars');
  const handlebars = Handlebars.create();
  // The only helpers: layout of precomputed text, never logic.
  handlebars.registerHelper('indent', (text: string, spaces: number) => text.replace(/\n/g, `\n${' '.repeat(spaces)}`));
  handlebars.registerHelper('literal', (value: unknown, _options: HelperOptions) => tsLiteral(value));
  const compiled = new Map<string, Handlebars.TemplateDelegate>();
  return (template, data) => {
    let render = compiled.get(template);
    if (!render) {
      render = handlebars.compile(readFileSync(join(templatesDir, template), 'utf8'), { noEscape: true, strict: true });
      compiled.set(template, render);
    }
    return render(data);
  };
}
