import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { KitError } from '../../errors.js';
import { packageRoot } from '../../package-root.js';
import { SCHEMA_PATH, stageSystem } from '../../plan/stage-system.js';
import { loadSpec, parseSpec, type SpecSource } from '../../spec/load-spec.js';
import { validateSpec } from '../../spec/validate-spec.js';
import { commitTree } from '../../tree/commit-tree.js';
import { summarizeChanges } from '../../tree/format-diff.js';
import { VirtualTree } from '../../tree/virtual-tree.js';
import { out, printProblems } from '../output.js';
import type { CreateOptions } from '../program.js';
import { runSteps } from '../run-steps.js';

export const EXAMPLE_SPEC = join(packageRoot, 'templates', 'examples', 'kit.yaml');

/**
 * `create-kit-service [dir]`: validates the spec, renders the whole system in memory, writes it in
 * one step, then installs dependencies and makes the first commit.
 */
export async function createCommand(dir: string | undefined, options: CreateOptions): Promise<void> {
  const specFile = options.spec ?? (options.example ? EXAMPLE_SPEC : undefined);
  if (!specFile) {
    throw new KitError('USAGE', 'no domain spec given', {
      hint: 'pass --spec <file> or --example (with --yes to accept every default); interactive creation arrives with issue "Interactive creation"',
    });
  }
  if (options.spec && options.example) throw new KitError('USAGE', '--spec and --example exclude each other', { hint: 'pass one of them' });

  let source = await loadSpec(specFile);
  if (options.name && source.document.errors.length === 0) source = parseSpec(specFile, renameSpec(source, options.name));
  const { spec, problems } = validateSpec(source);
  printProblems(problems);
  if (!spec) {
    throw new KitError('INVALID_SPEC', `${specFile} is invalid; nothing was written`, { hint: 'fix the problems above, then run again' });
  }

  const target = resolve(dir ?? spec.name);
  const fromHere = relative(process.cwd(), target);
  const shown = fromHere === '' ? '.' : fromHere.startsWith('..') ? target : fromHere;
  checkTarget(target, Boolean(options.force));

  const started = performance.now();
  const tree = new VirtualTree(target);
  tree.write('kit.yaml', withSchemaLine(source.text));
  await stageSystem(tree, spec);
  // The .kit/ record (manifest, merge bases) is written too, but is no news to the user.
  const changes = tree.changes().filter((change) => !change.path.startsWith('.kit/'));

  if (options.dryRun) {
    out.line(`Would write ${changes.length} files to ${shown}/ (dry run, nothing written):`);
    for (const line of summarizeChanges(changes)) out.line(`  ${line}`);
    return;
  }
  commitTree(tree);
  const kib = changes.reduce((sum, change) => sum + Buffer.byteLength(change.after ?? ''), 0) / 1024;
  out.err(`${out.green('✓')} wrote ${changes.length} files (${kib.toFixed(0)} KiB) to ${shown}/ in ${Math.round(performance.now() - started)} ms`);

  await runSteps(target, { install: options.install, git: options.git });

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
  out.line('Then write the business logic in services/<context>/src/service.ts.');
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
function withSchemaLine(text: string): string {
  const line = `# yaml-language-server: $schema=./${SCHEMA_PATH}`;
  const existing = /^# yaml-language-server: \$schema=.*$/m;
  return existing.test(text) ? text.replace(existing, line) : `${line}\n${text}`;
}

/** Sets the system name in the spec text, keeping its comments and layout. */
function renameSpec(source: SpecSource, name: string): string {
  const document = source.document.clone();
  document.set('name', name);
  return document.toString();
}
