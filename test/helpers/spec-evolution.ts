import fc from 'fast-check';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';

/**
 * Random evolution of a domain spec, for the property test of `generate`: a spec is a plain object
 * (written to kit.yaml as JSON, which is YAML), and an edit is a few random numbers that pick what
 * to change in whatever the spec holds at that moment, so fast-check can shrink a failing sequence.
 * Names come from small vocabularies with JavaScript keywords and CRUD words in them (`delete`,
 * `new`, `get`, `default`, `import`), so that names meet and come back.
 */

type Fields = Record<string, string>;
interface Endpoint {
  request?: Fields;
  response?: Fields;
  errors?: string[];
}
interface Use {
  endpoints: string[];
  via?: string;
  translate?: Record<string, string>;
}
interface Context {
  transports?: string[];
  types?: Record<string, Fields>;
  endpoints?: Record<string, Endpoint>;
  uses?: Record<string, Use>;
}
export interface Spec {
  name: string;
  contexts: Record<string, Context>;
}

const CONTEXT_NAMES = ['ordering', 'billing', 'delete', 'new', 'catalog', 't', 'default', 'import', 'reviews', 'get', 'stock', 'class'];
const ENDPOINT_NAMES = ['get', 'list', 'delete', 'new', 'default', 'import', 'placeOrder', 'getOrder', 'cancel', 'findItems', 'class', 'ping'];
const TYPE_NAMES = ['Item', 'Customer', 'Order', 'Line', 'Class', 'Default', 'Address'];
const FIELD_NAMES = ['id', 'name', 'note', 'qty', 'price', 'tags', 'when', 'new', 'default', 'class', 'item'];
const PRIMITIVE_TYPES = ['string', 'integer', 'number', 'boolean', 'datetime', 'uuid', '[string]'];
const ERROR_NAMES = ['NotFound', 'OutOfStock', 'Conflict', 'Delete', 'AlreadyShipped'];

/** The spec every sequence starts from: two contexts, one calling the other over gRPC through a translation; the upstream serves every transport (so the installed system has every dependency). */
export function initialSpec(): Spec {
  return {
    name: 'evolving',
    contexts: {
      ordering: {
        types: { Customer: { id: 'string', name: 'string', 'note?': 'string' }, Line: { sku: 'string', qty: 'integer' } },
        endpoints: {
          placeOrder: { request: { customer: 'Customer', lines: '[Line]' }, response: { orderId: 'uuid', total: 'number' }, errors: ['OutOfStock'] },
          getOrder: { request: { id: 'string' }, response: { customer: 'Customer', 'note?': 'string' }, errors: ['NotFound'] },
          delete: { request: { id: 'string' }, response: { ok: 'boolean' } },
        },
        uses: { billing: { endpoints: ['charge'], via: 'grpc', translate: { Payer: 'Customer' } } },
      },
      billing: {
        transports: ['http', 'grpc', 'nats'],
        types: { Payer: { id: 'string', name: 'string', iban: 'string' } },
        endpoints: {
          charge: { request: { payer: 'Payer', amount: 'number' }, response: { receiptId: 'string' }, errors: ['Declined'] },
          new: { request: { amount: 'number' }, response: { id: 'string' } },
        },
      },
    },
  };
}

/** One spec edit: what kind, and numbers that pick its targets among what exists. */
export interface SpecEdit {
  kind: number;
  picks: number[];
}

export const specEdit: fc.Arbitrary<SpecEdit> = fc.record({ kind: fc.nat(17), picks: fc.array(fc.nat(1000), { minLength: 6, maxLength: 6 }) });

/** The kinds of edit, by `kind`, each a change a spec can undergo. */
const EDITS: readonly ((spec: Spec, pick: Picker) => string)[] = [
  addEndpoint,
  removeEndpoint,
  renameEndpoint,
  addField,
  removeField,
  retypeField,
  addType,
  removeType,
  renameType,
  addError,
  removeError,
  addContext,
  removeContext,
  addUse,
  removeUse,
  changeUsedEndpoints,
  changeTransports,
  changeVia,
];

type Picker = <T>(items: readonly T[]) => T | undefined;

/**
 * Applies an edit to a copy of the spec. Returns the new spec and what it did in words, or
 * undefined when the edit had nothing to act on or would make the spec invalid (the validator of
 * the product decides), so that every sequence is one of valid specs.
 */
export function applySpecEdit(spec: Spec, edit: SpecEdit): { spec: Spec; did: string } | undefined {
  const copy = structuredClone(spec);
  let at = 0;
  const pick: Picker = (items) => (items.length === 0 ? undefined : items[edit.picks[at++ % edit.picks.length]! % items.length]);
  const did = EDITS[edit.kind % EDITS.length]!(copy, pick);
  if (!did) return undefined;
  const { problems } = validateSpec(parseSpec('kit.yaml', specText(copy)));
  if (problems.some((problem) => problem.severity === 'error')) return undefined;
  return { spec: copy, did };
}

const contextNames = (spec: Spec) => Object.keys(spec.contexts);
const endpointsOf = (context: Context) => (context.endpoints ??= {});
const typesOf = (context: Context) => (context.types ??= {});

/** A field shape: primitive, list, or a type of the context; sometimes optional. */
function fieldEntry(context: Context, pick: Picker): [string, string] {
  const name = pick(FIELD_NAMES)!;
  const local = Object.keys(context.types ?? {});
  const type = pick([...PRIMITIVE_TYPES, ...local, ...local.map((type) => `[${type}]`)])!;
  return [pick([true, false]) ? `${name}?` : name, type];
}

/** Every field list of a context, with a label: its types' and its endpoints' requests and responses. */
function fieldLists(context: Context): [string, Fields][] {
  return [
    ...Object.entries(context.types ?? {}).map(([name, fields]) => [name, fields] as [string, Fields]),
    ...Object.entries(context.endpoints ?? {}).flatMap(([name, endpoint]) => [
      [`${name}.request`, (endpoint.request ??= {})] as [string, Fields],
      [`${name}.response`, (endpoint.response ??= {})] as [string, Fields],
    ]),
  ];
}

function addEndpoint(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const context = spec.contexts[contextName]!;
  const name = pick(ENDPOINT_NAMES.filter((candidate) => !(candidate in endpointsOf(context))));
  if (!name) return '';
  const [requestField, requestType] = fieldEntry(context, pick);
  const [responseField, responseType] = fieldEntry(context, pick);
  endpointsOf(context)[name] = { request: { [requestField]: requestType }, response: { [responseField]: responseType }, errors: [pick(ERROR_NAMES)!] };
  return `add endpoint ${contextName}.${name}`;
}

function removeEndpoint(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const name = pick(Object.keys(endpointsOf(spec.contexts[contextName]!)));
  if (!name) return '';
  delete spec.contexts[contextName]!.endpoints![name];
  for (const context of Object.values(spec.contexts)) {
    const use = context.uses?.[contextName];
    if (use) use.endpoints = use.endpoints.filter((endpoint) => endpoint !== name);
    if (use && use.endpoints.length === 0) delete context.uses![contextName];
  }
  return `remove endpoint ${contextName}.${name}`;
}

function renameEndpoint(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const endpoints = endpointsOf(spec.contexts[contextName]!);
  const name = pick(Object.keys(endpoints));
  const to = pick(ENDPOINT_NAMES.filter((candidate) => !(candidate in endpoints)));
  if (!name || !to) return '';
  endpoints[to] = endpoints[name]!;
  delete endpoints[name];
  for (const context of Object.values(spec.contexts)) {
    const use = context.uses?.[contextName];
    if (use) use.endpoints = use.endpoints.map((endpoint) => (endpoint === name ? to : endpoint));
  }
  return `rename endpoint ${contextName}.${name} -> ${to}`;
}

function addField(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const context = spec.contexts[contextName]!;
  const list = pick(fieldLists(context));
  if (!list) return '';
  const [field, type] = fieldEntry(context, pick);
  const bare = field.replace('?', '');
  if (bare in list[1] || `${bare}?` in list[1]) return '';
  list[1][field] = type;
  return `add field ${contextName}.${list[0]}.${field}: ${type}`;
}

function removeField(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const list = pick(fieldLists(spec.contexts[contextName]!).filter(([, fields]) => Object.keys(fields).length > 0));
  if (!list) return '';
  const field = pick(Object.keys(list[1]))!;
  delete list[1][field];
  return `remove field ${contextName}.${list[0]}.${field}`;
}

function retypeField(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const context = spec.contexts[contextName]!;
  const list = pick(fieldLists(context).filter(([, fields]) => Object.keys(fields).length > 0));
  if (!list) return '';
  const field = pick(Object.keys(list[1]))!;
  const [, type] = fieldEntry(context, pick);
  if (list[1][field] === type) return '';
  list[1][field] = type;
  return `retype field ${contextName}.${list[0]}.${field}: ${type}`;
}

function addType(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const types = typesOf(spec.contexts[contextName]!);
  const name = pick(TYPE_NAMES.filter((candidate) => !(candidate in types)));
  if (!name) return '';
  types[name] = { id: 'string', [`${pick(FIELD_NAMES)!}?`]: pick(PRIMITIVE_TYPES)! };
  return `add type ${contextName}.${name}`;
}

/** Every place a context's spec names a type: (fields, key) pairs. */
function typeReferences(context: Context): [Fields, string][] {
  return fieldLists(context).flatMap(([, fields]) => Object.keys(fields).map((key) => [fields, key] as [Fields, string]));
}

function removeType(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const context = spec.contexts[contextName]!;
  const name = pick(Object.keys(typesOf(context)));
  if (!name) return '';
  delete context.types![name];
  // Fields of that type go with it, and translations of it.
  for (const [fields, key] of typeReferences(context)) if (fields[key] === name || fields[key] === `[${name}]`) delete fields[key];
  for (const other of Object.values(spec.contexts)) {
    for (const [upstream, use] of Object.entries(other.uses ?? {})) {
      for (const [upstreamType, localType] of Object.entries(use.translate ?? {})) {
        if ((other === context && localType === name) || (upstream === contextName && upstreamType === name)) delete use.translate![upstreamType];
      }
    }
  }
  return `remove type ${contextName}.${name}`;
}

function renameType(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const context = spec.contexts[contextName]!;
  const types = typesOf(context);
  const name = pick(Object.keys(types));
  const to = pick(TYPE_NAMES.filter((candidate) => !(candidate in types)));
  if (!name || !to) return '';
  types[to] = types[name]!;
  delete types[name];
  for (const [fields, key] of typeReferences(context)) {
    if (fields[key] === name) fields[key] = to;
    if (fields[key] === `[${name}]`) fields[key] = `[${to}]`;
  }
  for (const other of Object.values(spec.contexts)) {
    for (const [upstream, use] of Object.entries(other.uses ?? {})) {
      if (!use.translate) continue;
      use.translate = Object.fromEntries(
        Object.entries(use.translate).map(([upstreamType, localType]) => [
          upstream === contextName && upstreamType === name ? to : upstreamType,
          other === context && localType === name ? to : localType,
        ]),
      );
    }
  }
  return `rename type ${contextName}.${name} -> ${to}`;
}

function addError(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const endpoints = endpointsOf(spec.contexts[contextName]!);
  const name = pick(Object.keys(endpoints));
  if (!name) return '';
  const error = pick(ERROR_NAMES)!;
  const errors = (endpoints[name]!.errors ??= []);
  if (errors.includes(error)) return '';
  errors.push(error);
  return `add error ${contextName}.${name}: ${error}`;
}

function removeError(spec: Spec, pick: Picker): string {
  const contextName = pick(contextNames(spec))!;
  const endpoint = pick(Object.values(endpointsOf(spec.contexts[contextName]!)).filter((candidate) => (candidate.errors ?? []).length > 0));
  if (!endpoint) return '';
  const error = pick(endpoint.errors!)!;
  endpoint.errors = endpoint.errors!.filter((candidate) => candidate !== error);
  return `remove error ${contextName}: ${error}`;
}

/** Contexts get names never used before in the sequence (the spec remembers them), so a removed context's kept files never meet a new one. */
function addContext(spec: Spec, pick: Picker): string {
  const used = new Set([...contextNames(spec), ...((spec as Spec & { retired?: string[] }).retired ?? [])]);
  const name = pick(CONTEXT_NAMES.filter((candidate) => !used.has(candidate)));
  if (!name) return '';
  spec.contexts[name] = { types: { Item: { id: 'string', 'name?': 'string' } }, endpoints: { [pick(ENDPOINT_NAMES)!]: { request: { id: 'string' }, response: { item: 'Item' } } } };
  return `add context ${name}`;
}

function removeContext(spec: Spec, pick: Picker): string {
  const names = contextNames(spec);
  if (names.length <= 1) return '';
  const name = pick(names)!;
  delete spec.contexts[name];
  for (const context of Object.values(spec.contexts)) if (context.uses) delete context.uses[name];
  retire(spec, name);
  return `remove context ${name}`;
}

function addUse(spec: Spec, pick: Picker): string {
  const [downstream, upstream] = [pick(contextNames(spec))!, pick(contextNames(spec))!];
  const context = spec.contexts[downstream]!;
  if (downstream === upstream || context.uses?.[upstream]) return '';
  const endpoint = pick(Object.keys(spec.contexts[upstream]!.endpoints ?? {}));
  if (!endpoint) return '';
  const use: Use = { endpoints: [endpoint] };
  const [upstreamType, localType] = [pick(Object.keys(spec.contexts[upstream]!.types ?? {})), pick(Object.keys(context.types ?? {}))];
  if (upstreamType && localType && pick([true, false])) use.translate = { [upstreamType]: localType };
  (context.uses ??= {})[upstream] = use;
  return `${downstream} uses ${upstream}${use.translate ? ' with a translation' : ''}`;
}

function removeUse(spec: Spec, pick: Picker): string {
  const downstream = pick(contextNames(spec).filter((name) => Object.keys(spec.contexts[name]!.uses ?? {}).length > 0));
  if (!downstream) return '';
  const upstream = pick(Object.keys(spec.contexts[downstream]!.uses!))!;
  delete spec.contexts[downstream]!.uses![upstream];
  return `${downstream} no longer uses ${upstream}`;
}

function changeUsedEndpoints(spec: Spec, pick: Picker): string {
  const downstream = pick(contextNames(spec).filter((name) => Object.keys(spec.contexts[name]!.uses ?? {}).length > 0));
  if (!downstream) return '';
  const upstream = pick(Object.keys(spec.contexts[downstream]!.uses!))!;
  const endpoint = pick(Object.keys(spec.contexts[upstream]?.endpoints ?? {}));
  if (!endpoint) return '';
  const use = spec.contexts[downstream]!.uses![upstream]!;
  use.endpoints = use.endpoints.includes(endpoint) ? use.endpoints.filter((name) => name !== endpoint) : [...use.endpoints, endpoint];
  if (use.endpoints.length === 0) return '';
  return `${downstream} now calls ${upstream}: ${use.endpoints.join(', ') || 'nothing'}`;
}

/** Serves gRPC or NATS as well, or no longer (a client over a transport it drops moves to one it serves), or only those. */
function changeTransports(spec: Spec, pick: Picker): string {
  const name = pick(contextNames(spec))!;
  const context = spec.contexts[name]!;
  const transports = pick([['http'], ['http', 'grpc'], ['grpc'], ['http', 'nats'], ['nats'], ['grpc', 'nats'], ['http', 'grpc', 'nats']])!;
  if (JSON.stringify(transports) === JSON.stringify(context.transports ?? ['http'])) return '';
  context.transports = transports;
  for (const other of Object.values(spec.contexts)) {
    const use = other.uses?.[name];
    if (use?.via && !transports.includes(use.via)) use.via = transports[0];
  }
  return `${name} serves ${transports.join(' and ')}`;
}

/** A client changes transport, among those its upstream serves. */
function changeVia(spec: Spec, pick: Picker): string {
  const downstream = pick(contextNames(spec).filter((name) => Object.keys(spec.contexts[name]!.uses ?? {}).length > 0));
  if (!downstream) return '';
  const upstream = pick(Object.keys(spec.contexts[downstream]!.uses!))!;
  const use = spec.contexts[downstream]!.uses![upstream]!;
  const via = pick(spec.contexts[upstream]!.transports ?? ['http'])!;
  if (via === (use.via ?? 'http')) return '';
  use.via = via;
  return `${downstream} calls ${upstream} over ${via}`;
}

function retire(spec: Spec, name: string): void {
  const withRetired = spec as Spec & { retired?: string[] };
  (withRetired.retired ??= []).push(name);
}

/** The spec as kit.yaml holds it (without the test's own bookkeeping). */
export function specText(spec: Spec): string {
  const { retired: _retired, ...written } = spec as Spec & { retired?: string[] };
  return `${JSON.stringify(written, null, 2)}\n`;
}
