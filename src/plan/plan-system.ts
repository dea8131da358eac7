import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { ServiceModel, SystemModel } from '../model/system-model.js';
import type { Render } from '../render/create-renderer.js';
import type { MiddlewareName } from '../spec/tables.js';
import { DEPENDENCY_VERSIONS } from './dependency-versions.js';

/** Who may change a file: the generator rewrites its own files; a user's file is only added to. */
export type Owner = 'generator' | 'user';

/** A file the system should contain. */
export interface PlannedFile {
  path: string;
  owner: Owner;
  content: string;
}

/** Service files that belong to the user once written (relative to the service folder). */
const USER_OWNED: ReadonlySet<string> = new Set(['src/service.ts', 'test/service.test.ts']);

/** Templates rendered only when a service asks for what they hold. */
const CONDITIONS: Readonly<Record<string, (service: ServiceModel) => boolean>> = Object.fromEntries(
  (['logging', 'metrics', 'ratelimit'] satisfies MiddlewareName[]).map((name) => [
    `src/middleware/${name}.ts`,
    (service: ServiceModel) => service.middleware.some((middleware) => middleware.name === name),
  ]),
);

/** npm leaves dot-files out of a package, so templates of dot-files drop their dot. */
const DOT_FILES: Readonly<Record<string, string>> = { gitignore: '.gitignore', dockerignore: '.dockerignore' };

export const MANIFEST_PATH = '.kit/manifest.json';

/**
 * Every file of the system the model describes, rendered, with its owner, and the manifest that
 * records them (last, so that it is written last). Output paths mirror template paths.
 */
export function planSystem(model: SystemModel, render: Render, templatesDir: string): PlannedFile[] {
  const files: PlannedFile[] = [];
  const base = { system: model, versions: DEPENDENCY_VERSIONS };
  for (const template of listTemplates(join(templatesDir, 'system'))) {
    files.push({ path: outputPath(template), owner: 'generator', content: render(`system/${template}`, base) });
  }
  const serviceTemplates = listTemplates(join(templatesDir, 'service'));
  for (const service of model.services) {
    for (const template of serviceTemplates) {
      const path = outputPath(template);
      if (CONDITIONS[path] && !CONDITIONS[path](service)) continue;
      files.push({
        path: `services/${service.kebab}/${path}`,
        owner: USER_OWNED.has(path) ? 'user' : 'generator',
        content: render(`service/${template}`, { ...base, service }),
      });
    }
  }
  files.push({ path: MANIFEST_PATH, owner: 'generator', content: renderManifest(files) });
  return files;
}

/** The record of what was generated: each file's owner and the hash of the content written. */
function renderManifest(files: PlannedFile[]): string {
  const entries = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((file) => [file.path, { owner: file.owner, sha256: createHash('sha256').update(file.content).digest('hex') }]);
  return `${JSON.stringify({ generator: 'create-kit-service', files: Object.fromEntries(entries) }, null, 2)}\n`;
}

function listTemplates(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.hbs'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

function outputPath(template: string): string {
  const path = template.replace(/\.hbs$/, '');
  const name = path.split('/').at(-1)!;
  return DOT_FILES[name] ? path.replace(/[^/]*$/, DOT_FILES[name]) : path;
}
