import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsLiteral } from '../model/ts-literal.js';
import { listTemplateFiles, readPartials } from './template-files.js';

/** Renders templates, by their path under templates/ (`service/src/main.ts.hbs`). */
export interface Renderer {
  /** Every template, sorted. */
  readonly templates: readonly string[];
  render(template: string, data: object): string;
}

/** What `npm run build` writes next to this module: every template precompiled. */
interface PrecompiledTemplates {
  templates: Record<string, TemplateSpecification>;
  partials: Record<string, TemplateSpecification>;
}
type TemplateSpecification = object;

/** Options every template is compiled with: code must not be HTML-escaped; a missing field is an error. */
export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/**
 * One isolated Handlebars environment for code. The build precompiles the templates
 * (scripts/precompile-templates.ts), so a run loads only Handlebars' small runtime and compiles
 * nothing; from source (tests), templates are compiled on first use. Handlebars loads here only,
 * so commands that render nothing never pay for it.
 */
export async function createRenderer(templatesDir: string): Promise<Renderer> {
  const precompiledModule = './precompiled-templates.js';
  const precompiled = (await import(precompiledModule).catch(() => undefined)) as PrecompiledTemplates | undefined;
  if (precompiled) {
    // The runtime is Handlebars without its compiler; its typings declare nothing of their own.
    const { default: runtime } = (await import('handlebars/runtime.js')) as unknown as { default: typeof import('handlebars') };
    const handlebars = withHelpers(runtime.create());
    for (const [name, spec] of Object.entries(precompiled.partials)) handlebars.registerPartial(name, handlebars.template(spec as never));
    const compiled = new Map(Object.entries(precompiled.templates).map(([name, spec]) => [name, handlebars.template(spec as never)]));
    return { templates: [...compiled.keys()].sort(), render: (template, data) => renderWith(compiled.get(template), template, data) };
  }
  const { default: Handlebars } = await import('handlebars');
  const handlebars = withHelpers(Handlebars.create());
  for (const [name, source] of Object.entries(readPartials(templatesDir))) handlebars.registerPartial(name, handlebars.compile(source, COMPILE_OPTIONS));
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  return {
    templates: listTemplateFiles(templatesDir),
    render(template, data) {
      let render = compiled.get(template);
      if (!render) {
        render = handlebars.compile(readFileSync(join(templatesDir, template), 'utf8'), COMPILE_OPTIONS);
        compiled.set(template, render);
      }
      return render(data);
    },
  };
}

/** The only helpers: layout of precomputed text, never logic. */
function withHelpers<T extends typeof import('handlebars')>(handlebars: T): T {
  handlebars.registerHelper('indent', (text: string, spaces: number) => text.replace(/\n/g, `\n${' '.repeat(spaces)}`));
  handlebars.registerHelper('literal', (value: unknown) => tsLiteral(value));
  return handlebars;
}

function renderWith(render: HandlebarsTemplateDelegate | undefined, template: string, data: object): string {
  if (!render) throw new Error(`no template ${template}`);
  return render(data);
}
