import { readdirSync } from 'node:fs';
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
