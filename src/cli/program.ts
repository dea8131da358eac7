import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { packageRoot } from '../package-root.js';

/**
 * The command tree. Each action imports its command module only when it runs, so `--help` loads
 * commander alone (no yaml, handlebars, ts-morph or inquirer).
 */
export function buildProgram(): Command {
  const { version } = JSON.parse(readFileSync(`${packageRoot}/package.json`, 'utf8')) as { version: string };
  const program = new Command('create-kit-service')
    .description('Generate a system of Go-kit-style TypeScript services, one per bounded context of a domain spec (kit.yaml), and keep it up to date.')
    .version(version, '-v, --version')
    .exitOverride()
    // Options of the create command (--yes, --dry-run) may repeat on subcommands with their own meaning.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .argument('[dir]', 'folder to create the system in')
    .option('--spec <file>', 'domain spec to generate from; without it (or --example), a terminal asks for everything')
    .option('--example', 'use the built-in example spec (a shop in three contexts)')
    .option('--name <name>', 'system name (kebab-case); default: the spec\'s name')
    .option('-y, --yes', 'accept every default; never prompt')
    .option('--no-install', 'skip npm install')
    .option('--no-git', 'skip git init and the first commit')
    .option('--dry-run', 'print what would be written, write nothing')
    .option('--force', 'write into a folder that is not empty')
    .addHelpText(
      'after',
      `
Examples:
  $ npx create-kit-service                           asks what to create (Enter everywhere: the example)
  $ npx create-kit-service shop --example --yes      a running example system in ./shop
  $ npx create-kit-service shop --spec kit.yaml      a system from your own spec
  $ create-kit-service validate kit.yaml             check a spec
  $ create-kit-service generate                      bring a system up to date with its kit.yaml
  $ create-kit-service diff                          what kit.yaml changes for callers since the last commit
  $ create-kit-service rename endpoint ordering placeOrder submitOrder
                                                     rename in kit.yaml, your code and the generated code

Exit codes: 0 ok, 1 failure or invalid input, 2 usage. NO_COLOR turns colour off; DEBUG=1 shows stack traces.`,
    )
    .action(async (dir: string | undefined, options: CreateOptions) => {
      const { createCommand } = await import('./commands/create.js');
      await createCommand(dir, options);
    });

  program
    .command('validate')
    .description('check a spec and print every problem at once as file:line:col')
    .argument('[file]', 'spec file', 'kit.yaml')
    .action(async (file: string) => {
      const { validateCommand } = await import('./commands/validate.js');
      await validateCommand(file);
    });

  program
    .command('generate')
    .description('bring every service up to date with kit.yaml (run inside a system)')
    .option('--dry-run', 'print a unified diff, write nothing')
    .option('--check', 'write nothing; exit 1 when anything is out of date (for CI)')
    // Untouched stubs of removed endpoints always go now; the flag of earlier versions is still accepted.
    .addOption(new Option('--prune').hideHelp())
    .action(async (options: { dryRun?: boolean; check?: boolean }) => {
      const { generateCommand } = await import('./commands/generate.js');
      await generateCommand(options);
    });

  program
    .command('diff')
    .description('list the API changes of kit.yaml since the last commit, each breaking or compatible for callers, with the contexts it breaks')
    .option('--against <revision|file>', 'compare with the kit.yaml of a git revision (branch, tag, commit) or with a spec file; default: HEAD')
    .option('--json', 'print the changes as JSON (for CI)')
    .addHelpText(
      'after',
      `
Breaking: an endpoint, route, transport, port or context removed or changed; a request field
added as required, made required or retyped; a response field removed, made optional or retyped;
an error whose kind (and so its status) changed; a gRPC field number reused. Compatible: what
older callers can ignore. Each breaking change names the contexts whose uses list it (in the older
spec: they run while the change rolls out) and any caller outside kit.yaml.

Examples:
  $ create-kit-service diff                         since the last commit
  $ create-kit-service diff --against main          since the main branch
  $ create-kit-service diff --against old-kit.yaml  since a spec file
  $ create-kit-service diff --json                  for CI

Exit codes: 0 nothing breaks, 1 something breaks (or kit.yaml is invalid), 2 nothing to compare
with (no commit yet, an unknown revision, an invalid older spec).`,
    )
    .action(async (options: import('./commands/diff.js').DiffOptions) => {
      const { diffCommand } = await import('./commands/diff.js');
      await diffCommand(options);
    });

  const add = program.command('add').description('add an endpoint or a context to the spec and the code');
  add
    .command('endpoint')
    .description('add an endpoint to a context: kit.yaml (comments kept), generated files, and a method in src/service.ts')
    .argument('<context>', 'bounded context')
    .argument('<name>', 'endpoint name (camelCase)')
    .option('--http <route>', 'method and path, e.g. "POST /orders/{id}"; default POST /<kebab-name>')
    .option('--request <fields>', 'request fields, e.g. "id:string,qty:integer,note:string?"')
    .option('--response <fields>', 'response fields, e.g. "total:number"')
    .option('--errors <names>', 'declared errors, e.g. "OutOfStock,NotFound"')
    .option('--description <text>', 'what the endpoint does')
    .option('-y, --yes', 'accept the defaults for every detail not given; never prompt')
    .option('--dry-run', 'print a unified diff, write nothing')
    .action(async (context: string, name: string, options: import('./commands/add-endpoint.js').AddEndpointOptions) => {
      const { addEndpointCommand } = await import('./commands/add-endpoint.js');
      await addEndpointCommand(context, name, options);
    });
  add
    .command('context')
    .description('add a bounded context to kit.yaml and generate its service')
    .argument('<name>', 'context name (kebab-case)')
    .option('--empty', 'without an example endpoint')
    .option('--description <text>', 'what the context is about')
    .option('--port <port>', 'HTTP port; default: the next free one')
    .option('--dry-run', 'print a unified diff, write nothing')
    .action(async (name: string, options: import('./commands/add-context.js').AddContextOptions) => {
      const { addContextCommand } = await import('./commands/add-context.js');
      await addContextCommand(name, options);
    });

  const rename = program
    .command('rename')
    .description('rename an endpoint, type, field, error or context: in kit.yaml, in your code (TypeScript\'s rename) and in the generated code')
    .addHelpText(
      'after',
      `
Each rename edits kit.yaml (comments kept) with every reference to the name, renames it in your code
with TypeScript's own rename (calls, types, properties, imports; bodies and comments untouched), then
brings the system up to date as generate does. A missing argument is asked for in a terminal.
Changes that callers outside the system see (a route, a JSON field, an rpc) are named, one a line.`,
    );
  const renameSubcommand = (kind: 'endpoint' | 'type' | 'field' | 'error' | 'context', description: string, args: [string, string][], examples: string[]) => {
    const command = rename.command(kind).description(description);
    for (const [name, about] of args) command.argument(`[${name}]`, about);
    command
      .option('--dry-run', 'print the whole change as a unified diff, write nothing')
      .addHelpText('after', `\nExamples:\n${examples.map((example) => `  $ create-kit-service rename ${kind} ${example}`).join('\n')}`)
      .action(async (...received: unknown[]) => {
        const values = received.slice(0, args.length) as (string | undefined)[];
        const options = received[args.length] as { dryRun?: boolean };
        const { renameCommand } = await import('./commands/rename.js');
        await renameCommand(kind, values, options);
      });
  };
  renameSubcommand('endpoint', 'rename an endpoint: its method and every call of it, its request and response types, the uses lists of its callers, a route made from its name', [['context', 'bounded context'], ['old', 'endpoint name now'], ['new', 'new endpoint name (camelCase)']], ['booking loadCargo fetchCargo', 'ordering placeOrder submitOrder --dry-run']);
  renameSubcommand('type', 'rename a type of a context: every use of it, in type expressions, translate maps, and translators (toPayer) of its callers', [['context', 'bounded context'], ['old', 'type name now'], ['new', 'new type name (PascalCase)']], ['booking Cargo Shipment', 'billing Payer Debtor']);
  renameSubcommand('field', 'rename a field of a type, or of an endpoint\'s request or response (<endpoint>.request): accesses, object literals, destructuring, path parameters', [['context', 'bounded context'], ['type', 'type name, or <endpoint>.request or <endpoint>.response'], ['old', 'field name now'], ['new', 'new field name']], ['booking Cargo weight mass', 'ordering placeOrder.request customerId buyerId']);
  renameSubcommand('error', 'rename a declared error: its class and every throw and catch of it, in every endpoint that lists it', [['context', 'bounded context'], ['old', 'error name now'], ['new', 'new error name']], ['ordering OutOfStock NotInStock']);
  renameSubcommand('context', 'rename a bounded context: services/<old> moves (git mv), its package, compose service and classes, and its callers\' clients, translators and <CONTEXT>_URL', [['old', 'context name now'], ['new', 'new context name (kebab-case)']], ['booking shipping', 'billing payments --dry-run']);

  return program;
}

/** Options of the default (create) command, as commander parses them. */
export interface CreateOptions {
  spec?: string;
  example?: boolean;
  name?: string;
  yes?: boolean;
  install: boolean;
  git: boolean;
  dryRun?: boolean;
  force?: boolean;
}
