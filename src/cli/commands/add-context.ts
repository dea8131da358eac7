import { join, relative } from 'node:path';
import { KitError } from '../../errors.js';
import { pascalCase } from '../../naming.js';
import { addContextToSpec } from '../../spec/edit-spec.js';
import { loadSpec } from '../../spec/load-spec.js';
import { BASE_PORT } from '../../spec/tables.js';
import { applySpec } from '../apply-spec.js';
import { findSystemRoot } from '../find-system-root.js';

export interface AddContextOptions {
  empty?: boolean;
  description?: string;
  port?: string;
  dryRun?: boolean;
}

/**
 * `add context <name>`: adds a bounded context to kit.yaml (with one example endpoint unless
 * --empty) on the next free port, then generates its service, compose entry and README section.
 */
export async function addContextCommand(name: string, options: AddContextOptions): Promise<void> {
  const root = findSystemRoot(process.cwd());
  const source = await loadSpec(relative(process.cwd(), join(root, 'kit.yaml')) || 'kit.yaml');
  if (source.document.errors.length > 0) return void (await applySpec(root, source));
  const contexts = (source.value as { contexts?: Record<string, { port?: number } | null> }).contexts ?? {};
  if (Object.hasOwn(contexts, name)) {
    throw new KitError('INVALID_INPUT', `context "${name}" already exists`, { hint: 'add endpoints to it with "create-kit-service add endpoint"' });
  }
  // The next port after every port in use, explicit or default (8080 + position).
  const used = Object.values(contexts).map((context, index) => context?.port ?? BASE_PORT + index + 1);
  const port = options.port !== undefined ? Number(options.port) : Math.max(BASE_PORT, ...used) + 1;
  const context: Record<string, unknown> = { description: options.description ?? `The ${name} bounded context`, port };
  if (!options.empty) {
    context.endpoints = {
      [`get${pascalCase(name)}Status`]: {
        description: `An example endpoint of ${name}: replace it with the context's own`,
        http: `GET /${name}/status`,
        request: {},
        response: { status: 'string' },
      },
    };
  }
  const edited = addContextToSpec(source, name, context);
  await applySpec(root, edited, { specText: edited.text, dryRun: options.dryRun });
}
