import { join, relative } from 'node:path';
import { KitError } from '../../errors.js';
import { camelCase } from '../../naming.js';
import { addEndpointToSpec, parseFieldList, parseNameList, type EndpointEdit } from '../../spec/edit-spec.js';
import { loadSpec } from '../../spec/load-spec.js';
import { applySpec } from '../apply-spec.js';
import { findSystemRoot } from '../find-system-root.js';
import { out } from '../output.js';

export interface AddEndpointOptions {
  http?: string;
  request?: string;
  response?: string;
  errors?: string;
  description?: string;
  yes?: boolean;
  dryRun?: boolean;
}

const DETAIL_FLAGS = ['--http', '--request', '--response', '--errors', '--description'] as const;

/**
 * `add endpoint <context> <name>`: writes the endpoint into kit.yaml (comments and layout kept),
 * then brings the code up to date: generated files re-rendered, the new method and its pending
 * test added to the user's files by ts-morph. The edited spec is validated before anything is written.
 */
export async function addEndpointCommand(context: string, name: string, options: AddEndpointOptions): Promise<void> {
  const root = findSystemRoot(process.cwd());
  const source = await loadSpec(relative(process.cwd(), join(root, 'kit.yaml')) || 'kit.yaml');
  if (source.document.errors.length > 0) return void (await applySpec(root, source));

  const existing = (source.value as { contexts?: Record<string, { endpoints?: Record<string, unknown> | null }> }).contexts?.[context]?.endpoints ?? {};
  const same = Object.keys(existing ?? {}).find((endpoint) => camelCase(endpoint) === camelCase(name));
  if (same !== undefined) {
    out.err(`endpoint "${same}" already exists in context "${context}"; nothing to add (the code is brought up to date with the spec)`);
    await applySpec(root, source, { dryRun: options.dryRun });
    return;
  }

  const given = DETAIL_FLAGS.some((flag) => options[flag.slice(2) as keyof AddEndpointOptions] !== undefined);
  let edit: EndpointEdit;
  if (!given && !options.yes) {
    if (!process.stdin.isTTY) {
      throw new KitError('USAGE', `no details for endpoint "${name}" and no terminal to ask for them`, {
        hint: `pass ${DETAIL_FLAGS.join(', ')} (e.g. --http "POST /orders/{id}" --request "id:string" --response "ok:boolean"), or --yes for POST /<name> with an empty request and response`,
      });
    }
    const { askEndpoint } = await import('../prompts/ask-endpoint.js');
    edit = await askEndpoint(name);
  } else {
    edit = {
      description: options.description,
      http: options.http,
      request: options.request !== undefined ? parseFieldList('--request', options.request) : undefined,
      response: options.response !== undefined ? parseFieldList('--response', options.response) : undefined,
      errors: options.errors === undefined ? undefined : parseNameList(options.errors),
    };
  }
  const edited = addEndpointToSpec(source, context, name, edit);
  await applySpec(root, edited, { specText: edited.text, dryRun: options.dryRun });
}
