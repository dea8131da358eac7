import { checkbox, input } from '@inquirer/prompts';
import { nameProblem } from '../../spec/check-semantics.js';
import { parseFieldList } from '../../spec/edit-spec.js';
import type { DraftContext, DraftSpec } from '../../spec/render-spec.js';
import { BASE_PORT, DEFAULT_MIDDLEWARE, DEFAULT_TRANSPORTS, MIDDLEWARE, TRANSPORTS, type MiddlewareName, type TransportName } from '../../spec/tables.js';
import { out } from '../output.js';
import { askEndpoint, parseFieldAnswer } from './ask-endpoint.js';
import { problemAdded, showProblem } from './spec-problems.js';

/** A route no endpoint can have, so that checking a new endpoint's name never trips over its default route. */
const NAME_CHECK_ROUTE = 'POST /__name-check__';

/**
 * "Define it now": asks for the bounded contexts one by one (name, description, transports and
 * middleware from the tables, types, endpoints), then which contexts each one calls. Every answer
 * is checked against the spec defined so far with the validator's rules, and asked again when it
 * is wrong. Returns the contexts with their ports set (8080 + position, as the default would be).
 */
export async function askContexts(): Promise<DraftSpec['contexts']> {
  const contexts: Record<string, DraftContext> = {};
  const draft = (change: (copy: Record<string, DraftContext>) => void = () => {}): DraftSpec => {
    const copy = structuredClone(contexts);
    change(copy);
    return { name: 'draft', contexts: copy };
  };
  out.line('A bounded context becomes one service. Define them one at a time; leave a name empty when you are done.');

  for (;;) {
    const first = Object.keys(contexts).length === 0;
    const name = (
      await input({
        message: first ? 'Name of the first bounded context (e.g. ordering)' : 'Name of the next bounded context (Enter when done)',
        validate: (raw) => {
          const value = raw.trim();
          if (!value) return first ? 'a system needs at least one bounded context (hint: name it after what it does, e.g. ordering)' : true;
          const problem = nameProblem(value, 'context');
          if (problem) return showProblem(problem);
          if (Object.hasOwn(contexts, value)) return `context "${value}" is already defined (hint: choose another name)`;
          return problemAdded(draft(), draft((copy) => void (copy[value] = {}))) ?? true;
        },
      })
    ).trim();
    if (!name) break;
    const context: DraftContext = {};
    contexts[name] = context;

    const description = (await input({ message: `Description of ${name} (optional)`, default: '' })).trim();
    if (description) context.description = description;
    context.transports = await checkbox<TransportName>({
      message: `Transports of ${name}`,
      choices: (Object.keys(TRANSPORTS) as TransportName[]).map((key) => ({
        value: key,
        name: key,
        description: TRANSPORTS[key].summary,
        checked: DEFAULT_TRANSPORTS.includes(key),
      })),
      validate: (chosen) => chosen.length > 0 || 'a service needs at least one transport (hint: select http)',
    });
    // The defaults first, in the order the example writes them; the chain order is the table's anyway.
    const middleware = [...DEFAULT_MIDDLEWARE, ...(Object.keys(MIDDLEWARE) as MiddlewareName[]).filter((key) => !DEFAULT_MIDDLEWARE.includes(key))];
    context.middleware = await checkbox<MiddlewareName>({
      message: `Middleware of ${name}`,
      choices: middleware.map((key) => ({ value: key, name: key, description: MIDDLEWARE[key].summary, checked: DEFAULT_MIDDLEWARE.includes(key) })),
    });

    await askTypes(name, context, draft);
    await askEndpoints(name, context, draft);
  }

  const names = Object.keys(contexts);
  if (names.length > 1) {
    for (const name of names) {
      const called = await checkbox<string>({
        message: `Which contexts does ${name} call?`,
        choices: names.filter((other) => other !== name).map((other) => ({ value: other, name: other, description: contexts[other]!.description })),
      });
      if (called.length === 0) continue;
      // A client for every endpoint of the upstream; the spec's uses.<context>.endpoints narrows it.
      contexts[name]!.uses = Object.fromEntries(
        called.map((upstream) => {
          const endpoints = Object.keys(contexts[upstream]!.endpoints ?? {});
          return [upstream, endpoints.length > 0 ? { endpoints } : {}];
        }),
      );
    }
  }
  names.forEach((name, index) => {
    contexts[name]!.port = BASE_PORT + index + 1;
  });
  // Keys in the order the documentation writes them.
  return Object.fromEntries(
    names.map((name) => {
      const { description, port, transports, middleware, types, endpoints, uses } = contexts[name]!;
      return [name, { description, port, transports, middleware, types, endpoints, uses }];
    }),
  );
}

type Draft = (change?: (copy: Record<string, DraftContext>) => void) => DraftSpec;

/** The context's own model: type names, then their fields. */
async function askTypes(name: string, context: DraftContext, draft: Draft): Promise<void> {
  for (;;) {
    const types = (context.types ??= {});
    const first = Object.keys(types).length === 0;
    const typeName = (
      await input({
        message: first
          ? `A type of ${name}'s own model (e.g. Customer; Enter for none)`
          : `Next type of ${name} (Enter when done)`,
        validate: (raw) => {
          const value = raw.trim();
          if (!value) return true;
          const problem = nameProblem(value, 'type');
          if (problem) return showProblem(problem);
          if (Object.hasOwn(types, value)) return `type "${value}" is already defined in ${name} (hint: choose another name)`;
          return problemAdded(draft(), draft((copy) => void (copy[name]!.types![value] = {}))) ?? true;
        },
      })
    ).trim();
    if (!typeName) break;
    types[typeName] = {};
    const fields = await input({
      message: `Fields of ${typeName} (name:type, comma-separated; "?" optional, [T] list)`,
      validate: (raw) => {
        const parsed = parseFieldAnswer('fields', raw);
        if (typeof parsed === 'string') return parsed;
        return problemAdded(draft(), draft((copy) => void (copy[name]!.types![typeName] = parsed))) ?? true;
      },
    });
    types[typeName] = parseFieldList('fields', fields);
  }
  if (context.types && Object.keys(context.types).length === 0) delete context.types;
}

/** The context's endpoints, each through the endpoint conversation that `add endpoint` uses. */
async function askEndpoints(name: string, context: DraftContext, draft: Draft): Promise<void> {
  for (;;) {
    const endpoints = (context.endpoints ??= {});
    const first = Object.keys(endpoints).length === 0;
    const endpointName = (
      await input({
        message: first ? `Name of an endpoint of ${name} (e.g. placeOrder; Enter for none)` : `Next endpoint of ${name} (Enter when done)`,
        validate: (raw) => {
          const value = raw.trim();
          if (!value) return true;
          const problem = nameProblem(value, 'endpoint');
          if (problem) return showProblem(problem);
          if (Object.hasOwn(endpoints, value)) return `endpoint "${value}" is already defined in ${name} (hint: choose another name)`;
          // Its route is asked next: only the name itself is in question here.
          return problemAdded(draft(), draft((copy) => void (copy[name]!.endpoints![value] = { http: NAME_CHECK_ROUTE }))) ?? true;
        },
      })
    ).trim();
    if (!endpointName) break;
    endpoints[endpointName] = await askEndpoint(endpointName, {
      check: (edit) => problemAdded(draft(), draft((copy) => void (copy[name]!.endpoints![endpointName] = edit))),
    });
  }
  if (context.endpoints && Object.keys(context.endpoints).length === 0) delete context.endpoints;
}
