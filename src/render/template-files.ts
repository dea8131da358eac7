import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** The template folders a system is rendered from, below templates/. */
export const TEMPLATE_ROOTS = ['system', 'service'] as const;

/** Every template below templates/, as `service/src/main.ts.hbs`, sorted. */
export function listTemplateFiles(templatesDir: string): string[] {
  return TEMPLATE_ROOTS.flatMap((root) =>
    readdirSync(join(templatesDir, root), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.hbs'))
      .map((entry) => relative(templatesDir, join(entry.parentPath, entry.name)).split(sep).join('/')),
  ).sort();
}

/** Partials (templates/partials/*.hbs), by name: shared blocks of several templates. */
export function readPartials(templatesDir: string): Record<string, string> {
  const dir = join(templatesDir, 'partials');
  return Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.hbs'))
      .sort()
      .map((name) => [name.slice(0, -'.hbs'.length), readFileSync(join(dir, name), 'utf8')]),
  );
}
