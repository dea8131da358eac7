import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { KitError } from '../../errors.js';
import { kebabCase } from '../../naming.js';
import { systemNameProblem } from '../../spec/check-semantics.js';
import { BASE_PORT, DEFAULT_NATS_URL, GRPC_PORT_OFFSET } from '../../spec/tables.js';
import { packageRoot } from '../../package-root.js';
import type { SpecSource } from '../../spec/load-spec.js';
import type { RawSpec } from '../../spec/spec-schema.js';
import { out, printProblems } from '../output.js';
import type { CreateOptions } from '../program.js';

export const EXAMPLE_SPEC = join(packageRoot, 'templates', 'examples', 'kit.yaml');

/** The exit code of a run the user interrupted (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130;

/**
 * `create-kit-service [dir]`: validates the spec, renders the whole system in memory, writes it in
 * one step, then installs dependencies and makes the first commit. Without --spec or --example it
 * asks for everything in a terminal (the same path follows), and exits 2 naming the flags when
 * there is no terminal to ask in.
 *
 * Only light modules are imported up front: the conversation's first question must not wait for
 * yaml, zod, handlebars or ts-morph.
 */
export async function createCommand(dir: string | undefined, options: CreateOptions): Promise<void> {
  if (options.spec && options.example) throw new KitError('USAGE', '--spec and --example exclude each other', { hint: 'pass one of them' });
  const specFile = options.spec ?? (options.example ? EXAMPLE_SPEC : undefined);
  if (!specFile) {
    if (options.yes || !process.stdin.isTTY) {
      throw new KitError('USAGE', options.yes ? 'no domain spec given, and --yes forbids asking for one' : 'no domain spec given, and no terminal to ask for one', {
        hint: 'pass --spec FILE or --example, and --yes to accept every default (e.g. "npx create-kit-service shop --example --yes"); or run it in a terminal to be asked',
      });
    }
    return createInteractively(dir, options);
  }

  const [{ loadSpec, parseSpec }, { validateSpec }] = await Promise.all([import('../../spec/load-spec.js'), import('../../spec/validate-spec.js')]);
  let source = await loadSpec(specFile);
  if (options.name && source.document.errors.length === 0) source = parseSpec(specFile, renameSpec(source, options.name));
  const { spec, problems } = validateSpec(source);
  printProblems(problems);
  if (!spec) {
    throw new KitError('INVALID_SPEC', `${specFile} is invalid; nothing was written`, { hint: 'fix the problems above, then run again' });
  }
  const target = resolve(dir ?? spec.name);
  checkTarget(target, Boolean(options.force));
  await createSystem(target, source, spec, options);
}

/** Asks for what is missing, then creates the system exactly as the flags would. */
async function createInteractively(dir: string | undefined, options: CreateOptions): Promise<void> {
  // What the command line gave is checked before the first question, not after the last.
  if (dir !== undefined) checkTarget(resolve(dir), Boolean(options.force));
  const nameProblem = options.name === undefined ? undefined : systemNameProblem(options.name);
  if (nameProblem) throw new KitError('USAGE', `--name: ${nameProblem.message}`, { hint: nameProblem.hint });
  const { askCreate } = await import('../prompts/ask-create.js');
  let answers: Awaited<ReturnType<typeof askCreate>>;
  try {
    answers = await askCreate({
      dir,
      name: options.name,
      exampleFile: EXAMPLE_SPEC,
      targetProblem: (folder) => {
        try {
          checkTarget(resolve(folder), Boolean(options.force));
          return undefined;
        } catch (error) {
          return error instanceof KitError ? `${error.message} (hint: ${error.hint})` : String(error);
        }
      },
    });
  } catch (error) {
    // Ctrl-C at a question: inquirer rejects with ExitPromptError. Nothing was written yet.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      out.err('cancelled; nothing was written');
      process.exitCode = INTERRUPTED;
      return;
    }
    throw error;
  }
  if (!answers) {
    out.err('nothing was written');
    return;
  }
  const target = resolve(answers.dir);
  checkTarget(target, Boolean(options.force));
  await createSystem(target, answers.source, answers.spec, options);
}

/**
 * Writes the spec and the generated system in one step, then runs npm install and git. Ctrl-C from
 * the write on stops the running step (npm, git) and takes the folder back to what it was: removed
 * when this run created it, emptied when it was empty.
 */
async function createSystem(target: string, source: SpecSource, spec: RawSpec, options: CreateOptions): Promise<void> {
  const [{ SCHEMA_PATH, stageSystem }, { commitTree }, { summarizeChanges }, { VirtualTree }, { runSteps }] = await Promise.all([
    import('../../plan/stage-system.js'),
    import('../../tree/commit-tree.js'),
    import('../../tree/format-diff.js'),
    import('../../tree/virtual-tree.js'),
    import('../run-steps.js'),
  ]);
  const fromHere = relative(process.cwd(), target);
  const shown = fromHere === '' ? '.' : fromHere.startsWith('..') ? target : fromHere;

  const started = performance.now();
  const tree = new VirtualTree(target);
  tree.write('kit.yaml', withSchemaLine(source.text, SCHEMA_PATH));
  await stageSystem(tree, spec);
  // The .kit/ record (manifest, merge bases) is written too, but is no news to the user.
  const changes = tree.changes().filter((change) => !change.path.startsWith('.kit/'));

  if (options.dryRun) {
    out.line(`Would write ${changes.length} files to ${shown}/ (dry run, nothing written):`);
    for (const line of summarizeChanges(changes)) out.line(`  ${line}`);
    return;
  }

  const undo = undoFor(target);
  const interrupt = new AbortController();
  // Not `once`: execa's signal-exit kills the process when it finds itself the only SIGINT listener.
  // A second Ctrl-C while cleaning up ends the process at once.
  const onInterrupt = () => (interrupt.signal.aborted ? process.exit(INTERRUPTED) : interrupt.abort(new Error('interrupted')));
  process.on('SIGINT', onInterrupt);
  try {
    commitTree(tree);
    const kib = changes.reduce((sum, change) => sum + Buffer.byteLength(change.after ?? ''), 0) / 1024;
    out.err(`${out.green('✓')} wrote ${changes.length} files (${kib.toFixed(0)} KiB) to ${shown}/ in ${Math.round(performance.now() - started)} ms`);
    await runSteps(target, { install: options.install, git: options.git }, { signal: interrupt.signal });
  } catch (error) {
    if (!interrupt.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  if (interrupt.signal.aborted) {
    out.err(`cancelled; ${undo(shown)}`);
    process.exitCode = INTERRUPTED;
    return;
  }

  const services = Object.entries(spec.contexts);
  out.line('');
  out.line(out.bold(`Your ${spec.name} system is ready: ${services.length} service${services.length === 1 ? '' : 's'}.`));
  out.line('');
  out.line('Next steps:');
  out.line(`  cd ${shown}`);
  if (!options.install) out.line('  npm install');
  out.line('  npm test          # build and test every service');
  out.line('  npm start         # run every service');
  out.line('');
  out.line('The services listen on:');
  const width = Math.max(...services.map(([name]) => name.length));
  services.forEach(([name, context], index) => {
    const port = context.port ?? BASE_PORT + index + 1;
    const grpc = context.transports?.includes('grpc') ? `  gRPC localhost:${context.grpcPort ?? port + GRPC_PORT_OFFSET}` : '';
    const nats = context.transports?.includes('nats') ? `  NATS ${spec.name}.${kebabCase(name)}.*` : '';
    out.line(`  ${name.padEnd(width)}  http://localhost:${port}${grpc}${nats}`);
  });
  if (services.some(([, context]) => context.transports?.includes('nats'))) out.line(`  (NATS services need a NATS server at NATS_URL, default ${DEFAULT_NATS_URL})`);
  out.line('');
  out.line('Then write the business logic in services/<context>/src/service.ts.');
}

/**
 * Remembers what the target looked like before anything was written, and returns the function
 * that puts it back: removes the folder (and any parent this run created), empties a folder that
 * was empty, or removes what this run added at the top of a folder that was not empty (--force).
 */
function undoFor(target: string): (shown: string) => string {
  let topCreated: string | undefined;
  for (let folder = target; !existsSync(folder); folder = dirname(folder)) topCreated = folder;
  const before = topCreated === undefined ? new Set(readdirSync(target)) : undefined;
  const remove = (path: string) => rmSync(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  return (shown) => {
    if (topCreated !== undefined) {
      remove(topCreated);
      return `removed ${topCreated === target ? shown : relative(process.cwd(), topCreated) || topCreated}/`;
    }
    for (const entry of readdirSync(target)) if (!before!.has(entry)) remove(join(target, entry));
    return before!.size === 0 ? `${shown}/ is empty again` : `removed what this run added to ${shown}/ (files it replaced stay replaced)`;
  };
}

/** Refuses to write into a file, or into a folder that holds anything, unless --force. */
function checkTarget(target: string, force: boolean): void {
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) {
    throw new KitError('TARGET_NOT_EMPTY', `${target} exists and is not a folder`, { hint: 'choose another folder name' });
  }
  const entries = readdirSync(target);
  if (entries.length > 0 && !force) {
    throw new KitError('TARGET_NOT_EMPTY', `folder ${basename(target)} is not empty (${entries.length} entries)`, {
      hint: 'choose a new folder, or pass --force to write into it (generated files are replaced; existing src/service.ts and test/service.test.ts are kept)',
    });
  }
}

/** Points the spec's editor schema line at the copy of the schema inside the system. */
function withSchemaLine(text: string, schemaPath: string): string {
  const line = `# yaml-language-server: $schema=./${schemaPath}`;
  const existing = /^# yaml-language-server: \$schema=.*$/m;
  return existing.test(text) ? text.replace(existing, line) : `${line}\n${text}`;
}

/** Sets the system name in the spec text, keeping its comments and layout. */
function renameSpec(source: SpecSource, name: string): string {
  const document = source.document.clone();
  document.set('name', name);
  return document.toString();
}
