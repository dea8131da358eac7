import { basename, resolve } from 'node:path';
import { confirm, input, select } from '@inquirer/prompts';
import { formatLocation, KitError } from '../../errors.js';
import { camelCase, kebabCase, pascalCase } from '../../naming.js';
import { systemNameProblem } from '../../spec/check-semantics.js';
import type { SpecSource } from '../../spec/load-spec.js';
import type { RawSpec } from '../../spec/spec-schema.js';
import { BASE_PORT, GRPC_PORT_OFFSET } from '../../spec/tables.js';
import { out } from '../output.js';
import { showProblem } from './spec-problems.js';

export interface AskCreateOptions {
  /** The folder given on the command line; not asked when set. */
  dir?: string;
  /** The system name given with --name; not asked when set. */
  name?: string;
  /** The built-in example spec. */
  exampleFile: string;
  /** What is wrong with writing into a folder (not empty, a file), in words; undefined when fine. */
  targetProblem: (dir: string) => string | undefined;
}

/** What the conversation settled on: where to write, and the validated spec to write there. */
export interface CreateAnswers {
  dir: string;
  source: SpecSource;
  spec: RawSpec;
}

/** The spec modules (yaml, zod) are loaded once the first question is on screen, not before. */
const specModules = () =>
  Promise.all([import('../../spec/load-spec.js'), import('../../spec/validate-spec.js'), import('../../spec/render-spec.js')]).then(
    ([load, validate, render]) => ({ ...load, ...validate, ...render }),
  );

/**
 * The conversation of `create-kit-service` in a terminal: the folder, where the domain comes from
 * (the built-in example, a spec file, or defined now), the system name, then a summary to confirm.
 * Pressing Enter at every question gives the example system. Returns undefined when the user
 * declines at the end; Ctrl-C rejects with inquirer's ExitPromptError. Writes nothing.
 */
export async function askCreate(options: AskCreateOptions): Promise<CreateAnswers | undefined> {
  const dir =
    options.dir ??
    (
      await input({
        message: 'Folder to create the system in',
        default: 'my-system',
        validate: (raw) => (raw.trim() ? (options.targetProblem(raw.trim()) ?? true) : 'the folder name is empty (hint: e.g. my-system)'),
      })
    ).trim();
  const loading = specModules();
  // Nobody waits for it yet: keep an early failure from being reported as unhandled.
  loading.catch(() => {});

  const origin = await select({
    message: 'Where does the domain come from?',
    choices: [
      { value: 'example', name: 'The built-in example: a shop in three contexts (ordering, billing, shipping)', short: 'the built-in example' },
      { value: 'file', name: 'A spec file I have (kit.yaml)', short: 'a spec file' },
      { value: 'define', name: 'Define it now, one bounded context at a time', short: 'defined now' },
    ],
    default: 'example',
  });

  const spec = await loading;
  let source: SpecSource;
  let defaultName: string;
  if (origin === 'define') {
    const { askContexts } = await import('./ask-contexts.js');
    const contexts = await askContexts();
    const fromFolder = kebabCase(basename(resolve(dir)));
    defaultName = fromFolder && !systemNameProblem(fromFolder) ? fromFolder : 'my-system';
    const name = options.name ?? (await askSystemName(defaultName));
    source = spec.parseSpec('kit.yaml', spec.renderSpec({ name, contexts }));
  } else {
    if (origin === 'example') {
      source = await spec.loadSpec(options.exampleFile);
    } else {
      let loaded: SpecSource | undefined;
      await input({
        message: 'Path of the spec file',
        default: 'kit.yaml',
        validate: async (raw) => {
          const file = raw.trim();
          try {
            loaded = await spec.loadSpec(file);
          } catch (error) {
            if (error instanceof KitError) return `${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`;
            return error instanceof Error ? error.message : String(error);
          }
          const errors = spec.validateSpec(loaded).problems.filter((problem) => problem.severity === 'error');
          if (errors.length === 0) return true;
          const shown = errors.slice(0, 3).map((problem) => `${formatLocation(problem.location)}: ${showProblem(problem)}`);
          if (errors.length > 3) shown.push(`... and ${errors.length - 3} more: run "create-kit-service validate ${file}" to see them all`);
          return shown.join('\n');
        },
      });
      source = loaded!;
    }
    defaultName = String((source.value as { name?: unknown }).name ?? 'my-system');
    const name = options.name ?? (await askSystemName(defaultName));
    if (name !== defaultName) {
      // Renamed as --name renames: the spec's comments and layout stay.
      const document = source.document.clone();
      document.set('name', name);
      source = spec.parseSpec(source.file, document.toString());
    }
  }

  const { spec: valid, problems } = spec.validateSpec(source);
  if (!valid) {
    throw new KitError('INVALID_SPEC', 'the answers make an invalid spec; nothing was written', {
      problems,
      hint: 'please report this: every answer should have been checked when it was given',
    });
  }
  printSummary(valid, dir);
  const go = await confirm({ message: `Create the ${valid.name} system in ${dir}/?`, default: true });
  return go ? { dir, source, spec: valid } : undefined;
}

async function askSystemName(defaultName: string): Promise<string> {
  const name = await input({
    message: 'System name (kebab-case)',
    default: defaultName,
    validate: (raw) => {
      const problem = systemNameProblem(raw.trim());
      return problem ? showProblem(problem) : true;
    },
  });
  return name.trim();
}

/** Every service with its port, its endpoints with their routes, and whom it calls. */
function printSummary(spec: RawSpec, dir: string): void {
  const contexts = Object.entries(spec.contexts);
  out.line('');
  out.line(out.bold(`The ${spec.name} system: ${contexts.length} service${contexts.length === 1 ? '' : 's'}, to be written to ${dir}/`));
  const width = Math.max(...contexts.map(([name]) => name.length));
  contexts.forEach(([name, context], index) => {
    const port = context.port ?? BASE_PORT + index + 1;
    const grpc = context.transports?.includes('grpc') ? `, gRPC ${context.grpcPort ?? port + GRPC_PORT_OFFSET}` : '';
    const nats = context.transports?.includes('nats') ? `, NATS queue ${kebabCase(name)}` : '';
    out.line(`  ${name.padEnd(width)}  port ${port}${grpc}${nats}${context.description ? `  ${context.description}` : ''}`);
    const servesHttp = context.transports?.includes('http') ?? true;
    for (const [endpointName, endpoint] of Object.entries(context.endpoints ?? {})) {
      const servesGrpc = context.transports?.includes('grpc') ?? false;
      const [method, path] = servesHttp
        ? (endpoint.http ?? `POST /${kebabCase(endpointName)}`).trim().split(/\s+/)
        : servesGrpc
          ? ['rpc', pascalCase(endpointName)]
          : ['NATS', `${spec.name}.${kebabCase(name)}.${camelCase(endpointName)}`];
      out.line(`    ${method!.toUpperCase().padEnd(6)} ${path!.padEnd(34)} ${endpointName}`);
    }
    const uses = Object.keys(context.uses ?? {});
    if (uses.length > 0) out.line(`    calls ${uses.join(', ')}`);
  });
  out.line('');
}
