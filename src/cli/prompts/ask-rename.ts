import { input, select } from '@inquirer/prompts';
import { KitError } from '../../errors.js';
import { errorClassName } from '../../spec/error-kind.js';
import type { SpecSource } from '../../spec/load-spec.js';
import { renameInSpec, type RenameKind, type RenameRequest } from '../../spec/rename-in-spec.js';

/** The parts of a rename given on the command line; the rest is asked. */
export interface GivenRename {
  context?: string;
  owner?: string;
  from?: string;
  to?: string;
}

type Dict = Record<string, unknown>;
const dict = (value: unknown): Dict => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Dict) : {});

/**
 * Asks for what a rename lacks: the context, the field's owner and the name to rename are picked
 * from the spec's own names; the new name is typed, and checked on the spot by doing the rename in
 * memory, so a name that is taken or invalid is refused with the validator's words and asked again.
 */
export async function askRename(kind: RenameKind, given: GivenRename, source: SpecSource): Promise<RenameRequest> {
  const contexts = dict(dict(source.value).contexts);
  const pick = async (message: string, names: string[], what: string): Promise<string> => {
    if (names.length === 0) throw new KitError('INVALID_INPUT', `there is no ${what} to rename`, { hint: 'add one to kit.yaml first' });
    return select({ message, choices: names.map((name) => ({ value: name, name })), pageSize: 15 });
  };
  const names = (value: unknown) => Object.keys(dict(value));

  const withNames: Record<RenameKind, (context: Dict) => string[]> = {
    context: () => [],
    endpoint: (context) => names(context.endpoints),
    type: (context) => names(context.types),
    error: (context) => {
      const all = Object.values(dict(context.endpoints)).flatMap((endpoint) => {
        const errors = dict(endpoint).errors;
        return Array.isArray(errors) ? errors.filter((name): name is string => typeof name === 'string') : [];
      });
      // One entry per error class: OutOfStock and OutOfStockError are one error.
      return all.filter((name, index) => all.findIndex((other) => errorClassName(other) === errorClassName(name)) === index);
    },
    field: () => [],
  };

  const contextNames = Object.keys(contexts).filter((name) => kind === 'context' || kind === 'field' || withNames[kind](dict(contexts[name])).length > 0);
  const context = given.context ?? (await pick(kind === 'context' ? 'Which context do you rename?' : `In which context is the ${kind}?`, contextNames, kind === 'context' ? 'context' : `context with a ${kind}`));
  const spec = dict(contexts[context]);
  let owner = given.owner;
  let from = kind === 'context' ? context : given.from;
  if (kind === 'field') {
    const owners = [
      ...names(spec.types).filter((type) => names(dict(spec.types)[type]).length > 0),
      ...names(spec.endpoints).flatMap((endpoint) => (['request', 'response'] as const).filter((part) => names(dict(dict(spec.endpoints)[endpoint])[part]).length > 0).map((part) => `${endpoint}.${part}`)),
    ];
    owner ??= await pick(`Which type (or endpoint request or response) of ${context} holds the field?`, owners, `type with fields in ${context}`);
    const [endpoint, part] = owner.split('.');
    const fields = names(part ? dict(dict(spec.endpoints)[endpoint!])[part] : dict(spec.types)[owner]).map((name) => name.replace(/\?$/, ''));
    from ??= await pick(`Which field of ${owner}?`, fields, `field in ${owner}`);
  } else {
    from ??= await pick(`Which ${kind} of ${context}?`, withNames[kind](spec), `${kind} in ${context}`);
  }
  const to =
    given.to ??
    (
      await input({
        message: `New name of ${kind} ${from}`,
        validate: (value) => {
          try {
            renameInSpec(source, { kind, context, owner, from: from!, to: value.trim() });
            return true;
          } catch (error) {
            if (!(error instanceof KitError)) throw error;
            const first = error.problems[0];
            return first ? `${first.message} (hint: ${first.hint})` : `${error.message}${error.hint ? ` (hint: ${error.hint})` : ''}`;
          }
        },
      })
    ).trim();
  return { kind, context, owner, from, to };
}
