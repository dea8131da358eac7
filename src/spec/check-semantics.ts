import {
  camelCase,
  FIELD_NAME,
  kebabCase,
  looksLikePath,
  pascalCase,
  RESERVED_FIELD_NAMES,
  PROTOTYPE_KEYS,
  SPEC_NAME,
  snakeCase,
} from '../naming.js';
import type { SpecPath } from './load-spec.js';
import { errorClassName, BUILT_IN_ERRORS } from './error-kind.js';
import { parseRoute } from './parse-route.js';
import { parseCpu, parseMemory } from './quantity.js';
import { BASE_PORT, BUILT_IN_ROUTES, GRPC_PORT_OFFSET, isPrimitive, NATS_COMPOSE_SERVICE, NATS_PORT, PRIMITIVES, QUERY_METHODS } from './tables.js';
import { elementType, parseTypeExpression, showTypeExpression } from './type-expression.js';

/** A problem found in the spec, located by path; validate-spec turns the path into a line and column. */
export interface Finding {
  severity: 'error' | 'warning';
  path: SpecPath;
  /** Point at the key naming the value rather than at the value. */
  key?: boolean;
  message: string;
  hint: string;
}

type Dict = Record<string, unknown>;
const isDict = (value: unknown): value is Dict => typeof value === 'object' && value !== null && !Array.isArray(value);
const entriesOf = (value: unknown): [string, unknown][] => (isDict(value) ? Object.entries(value) : []);
const stringsOf = (value: unknown): [number, string][] =>
  Array.isArray(value) ? value.flatMap((item, index) => (typeof item === 'string' ? [[index, item] as [number, string]] : [])) : [];

const PRIMITIVE_LIST = Object.keys(PRIMITIVES).join(', ');
/** Kubernetes object names of a context (a Service's is a DNS label) and label values stop here. */
const KUBERNETES_NAME_MAX = 63;
/** A field name as Protocol Buffers' style guide (and buf lint) wants it. */
const PROTO_FIELD_NAME = /^[a-z][a-z0-9_]*$/;

/** What is wrong with one value, and how to fix it: a finding without its place. */
export interface NameProblem {
  message: string;
  hint: string;
}

/**
 * The rule for the system name (kebab-case), as validate applies it; undefined when the name is
 * fine. Exported so that prompts check an answer with the same rule and words.
 */
export function systemNameProblem(name: string): NameProblem | undefined {
  if (/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) return undefined;
  return { message: `system name "${name}" is not kebab-case`, hint: `use lower-case words joined by "-", e.g. "${kebabCase(name) || 'my-system'}"` };
}

/**
 * The rule for a name that becomes generated files and identifiers (`what`: context, type,
 * endpoint, error), as validate applies it; undefined when the name is usable. Collisions between
 * names need the whole spec and stay in checkSemantics.
 */
export function nameProblem(name: string, what: string): NameProblem | undefined {
  if (looksLikePath(name)) {
    return { message: `${what} name "${name}" looks like a path and could escape the output folder`, hint: 'use letters, digits, "-" and "_" only' };
  }
  if (!SPEC_NAME.test(name)) {
    return { message: `${what} name "${name}" is not an identifier`, hint: 'start with a letter; then use letters, digits, "-" or "_"' };
  }
  if (PROTOTYPE_KEYS.has(name) || PROTOTYPE_KEYS.has(camelCase(name))) {
    return {
      message: `${what} name "${name}" is a property every JavaScript object has`,
      hint: `it would replace or reach into the object prototype; choose another name, e.g. "${name}Item"`,
    };
  }
  return undefined;
}

/**
 * The rules that need more than one value at a time: names, collisions, references, routes, ports
 * and the context map. Works on whatever YAML gave, skipping parts whose shape is wrong (the
 * structural check reports those), so that every problem is reported in one run.
 */
export function checkSemantics(spec: unknown): Finding[] {
  const findings: Finding[] = [];
  const error = (path: SpecPath, message: string, hint: string, key = false) =>
    findings.push({ severity: 'error', path, key, message, hint });
  const warn = (path: SpecPath, message: string, hint: string, key = false) =>
    findings.push({ severity: 'warning', path, key, message, hint });
  if (!isDict(spec)) return findings;

  if (typeof spec.name === 'string') {
    const problem = systemNameProblem(spec.name);
    if (problem) error(['name'], problem.message, problem.hint);
    else if (spec.name.length > KUBERNETES_NAME_MAX) error(['name'], `system name "${spec.name}" is longer than ${KUBERNETES_NAME_MAX} characters`, `Kubernetes labels (app.kubernetes.io/part-of) and namespaces take at most ${KUBERNETES_NAME_MAX}; shorten it`);
  }

  /** Checks a name used for generated files and identifiers; returns false when it is unusable. */
  const checkName = (path: SpecPath, name: string, what: string): boolean => {
    const problem = nameProblem(name, what);
    if (problem) error(path, problem.message, problem.hint, true);
    return problem === undefined;
  };

  /** Reports names that differ in the spec but become one identifier once converted. */
  const checkCollisions = (items: [SpecPath, string][], convert: (name: string) => string, what: string) => {
    const seen = new Map<string, string>();
    for (const [path, name] of items) {
      const converted = convert(name);
      const first = seen.get(converted);
      if (first !== undefined && first !== name) {
        error(path, `${what} "${name}" collides with "${first}": both become "${converted}"`, 'rename one of them', true);
      } else if (first === undefined) {
        seen.set(converted, name);
      }
    }
  };

  const contexts = entriesOf(spec.contexts);
  if (isDict(spec.contexts) && contexts.length === 0) {
    error(['contexts'], 'the spec has no contexts', 'add at least one bounded context under "contexts:"', true);
  }
  const contextNames = new Set(contexts.map(([name]) => name));
  const validContexts = contexts.filter(([name]) => checkName(['contexts', name], name, 'context'));
  // PascalCase is the strictest form a context name takes (`order2` and `order-2` meet there).
  checkCollisions(validContexts.map(([name]) => [['contexts', name], name]), pascalCase, 'context');

  // A system that serves over NATS gets a NATS server in docker compose, under a name and a port of its own.
  const usesNats = contexts.some(([, context]) => isDict(context) && Array.isArray(context.transports) && context.transports.includes('nats'));
  if (usesNats) {
    for (const [name] of validContexts) {
      if (kebabCase(name) === NATS_COMPOSE_SERVICE) {
        error(['contexts', name], `context "${name}" would take the name of the NATS server's service in docker compose`, 'rename the context', true);
      }
    }
  }

  // Ports: HTTP explicit or 8080 + position (1-based); gRPC explicit or the HTTP port + 1000; never shared.
  const portOwners = new Map<number, string>(usesNats ? [[NATS_PORT, 'the NATS server (docker compose)']] : []);
  const claimPort = (port: number, owner: string, path: SpecPath, defaulted: boolean, hint: string) => {
    const taken = portOwners.get(port);
    if (taken === undefined) return void portOwners.set(port, owner);
    error(path, `port ${port} of ${owner} is already used by ${taken}`, defaulted ? hint : 'give each context and gRPC server its own port', defaulted);
  };
  contexts.forEach(([name, context], index) => {
    if (!isDict(context)) return;
    const explicit = typeof context.port === 'number' ? context.port : undefined;
    const port = explicit ?? BASE_PORT + index + 1;
    claimPort(port, `context "${name}"`, explicit !== undefined ? ['contexts', name, 'port'] : ['contexts', name], explicit === undefined, `the default port is ${BASE_PORT} + position; set "port:" explicitly`);
    const servesGrpc = Array.isArray(context.transports) && context.transports.includes('grpc');
    const explicitGrpc = typeof context.grpcPort === 'number' ? context.grpcPort : undefined;
    if (!servesGrpc) {
      if (explicitGrpc !== undefined) warn(['contexts', name, 'grpcPort'], `context "${name}" sets grpcPort but does not serve grpc`, 'add grpc to its transports, or remove grpcPort');
      return;
    }
    const grpcPort = explicitGrpc ?? port + GRPC_PORT_OFFSET;
    const grpcPath: SpecPath = explicitGrpc !== undefined ? ['contexts', name, 'grpcPort'] : ['contexts', name];
    if (grpcPort > 65535) error(grpcPath, `the gRPC port of context "${name}" would be ${grpcPort}, above 65535`, 'set "grpcPort:" explicitly', true);
    else claimPort(grpcPort, `the gRPC server of context "${name}"`, grpcPath, explicitGrpc === undefined, `the default gRPC port is the HTTP port + ${GRPC_PORT_OFFSET}; set "grpcPort:" explicitly`);
  });

  const typesByContext = new Map<string, Set<string>>();
  for (const [contextName, context] of contexts) {
    typesByContext.set(contextName, new Set(entriesOf(isDict(context) ? context.types : undefined).map(([name]) => name)));
  }

  for (const [contextName, context] of contexts) {
    if (!isDict(context)) continue;
    const base: SpecPath = ['contexts', contextName];
    const localTypes = typesByContext.get(contextName) ?? new Set<string>();
    if (kebabCase(contextName).length > KUBERNETES_NAME_MAX) {
      error(base, `context name "${contextName}" is longer than ${KUBERNETES_NAME_MAX} characters once in kebab-case`, `it names the context's Kubernetes Service (a DNS label); shorten it`, true);
    }
    // resources: the structural check has made sure of strings (and numbers for cpu); their form is checked here.
    if (isDict(context.resources)) {
      const { memory, cpu } = context.resources;
      const memoryProblem = typeof memory === 'string' ? parseMemory(memory) : undefined;
      if (memoryProblem && 'problem' in memoryProblem) error([...base, 'resources', 'memory'], memoryProblem.problem, memoryProblem.hint);
      const cpuProblem = typeof cpu === 'string' || typeof cpu === 'number' ? parseCpu(cpu) : undefined;
      if (cpuProblem && 'problem' in cpuProblem) error([...base, 'resources', 'cpu'], cpuProblem.problem, cpuProblem.hint);
    }
    const endpoints = entriesOf(context.endpoints);

    // Generated names that a type must not take.
    const generated = new Map<string, string>();
    for (const [endpointName] of endpoints) {
      generated.set(`${pascalCase(endpointName)}Request`, `the request type of endpoint "${endpointName}"`);
      generated.set(`${pascalCase(endpointName)}Response`, `the response type of endpoint "${endpointName}"`);
    }

    const servesGrpc = Array.isArray(context.transports) && context.transports.includes('grpc');
    const checkFields = (path: SpecPath, fields: unknown, owner: string) => {
      const names = new Map<string, string>();
      // gRPC fields are lower_snake_case: two names may meet there (orderId, order_id).
      const protoNames = new Map<string, string>();
      for (const [rawName, rawType] of entriesOf(fields)) {
        const fieldPath = [...path, rawName];
        const name = rawName.endsWith('?') ? rawName.slice(0, -1) : rawName;
        if (!FIELD_NAME.test(name)) {
          error(fieldPath, `field name "${rawName}" of ${owner} is not an identifier`, 'use letters, digits and "_", starting with a letter; add "?" to make it optional', true);
        } else if (RESERVED_FIELD_NAMES.has(name)) {
          error(fieldPath, `field name "${name}" of ${owner} is reserved`, 'it would reach into the object prototype; choose another name', true);
        } else if (names.has(name)) {
          error(fieldPath, `field "${name}" of ${owner} is declared twice`, 'keep one of "name" and "name?"', true);
        }
        names.set(name, rawName);
        const type = parseTypeExpression(rawType);
        if (servesGrpc) {
          const protoName = snakeCase(name);
          const other = protoNames.get(protoName);
          if (!PROTO_FIELD_NAME.test(protoName)) {
            error(fieldPath, `field name "${name}" of ${owner} has no gRPC form (it becomes "${protoName}")`, 'start it with a letter', true);
          } else if (other !== undefined && other !== name) {
            error(fieldPath, `field "${name}" of ${owner} collides with "${other}" over gRPC: both become "${protoName}"`, 'rename one of them', true);
          }
          protoNames.set(protoName, name);
          if (type?.kind === 'list' && type.of.kind === 'list') {
            error(fieldPath, `field "${name}" of ${owner} is a list of lists, which gRPC cannot carry`, 'make the inner list a field of a type of its own', true);
          }
        }
        if (!type) {
          error(fieldPath, `"${formatRaw(rawType)}" is not a field type`, `use ${PRIMITIVE_LIST}, a type of context "${contextName}", or [T] for a list`);
          continue;
        }
        const element = elementType(type);
        if (element.kind === 'ref' && !localTypes.has(element.name)) {
          const suggestion = closest(element.name, [...localTypes, ...Object.keys(PRIMITIVES)]);
          error(
            fieldPath,
            `unknown type "${element.name}" in ${owner}`,
            suggestion
              ? `did you mean "${suggestion}"?`
              : `declare it under contexts.${contextName}.types, or use ${PRIMITIVE_LIST}`,
          );
        }
      }
    };

    // Types: names, collisions, fields, and cycles of required fields (no value could exist).
    const types = entriesOf(context.types);
    const validTypes = types.filter(([typeName]) => checkName([...base, 'types', typeName], typeName, 'type'));
    for (const [typeName] of validTypes) {
      const path = [...base, 'types', typeName];
      if (isPrimitive(typeName)) {
        error(path, `type name "${typeName}" is a built-in field type`, `choose another name, e.g. "${pascalCase(typeName)}Value"`, true);
      } else if (generated.has(pascalCase(typeName))) {
        error(path, `type "${typeName}" collides with ${generated.get(pascalCase(typeName))}`, 'rename the type', true);
      }
    }
    checkCollisions(validTypes.map(([name]) => [[...base, 'types', name], name]), pascalCase, 'type');
    for (const [typeName, fields] of types) checkFields([...base, 'types', typeName], fields, `type "${typeName}"`);
    for (const cycle of requiredCycles(types)) {
      error([...base, 'types', cycle[0]!], `types ${cycle.join(' -> ')} require each other, so no value of them can exist`, 'make one of the fields optional ("field?") or a list', true);
    }

    // Endpoints: names, routes, fields, errors.
    const validEndpoints = endpoints.filter(([name]) => checkName([...base, 'endpoints', name], name, 'endpoint'));
    checkCollisions(validEndpoints.map(([name]) => [[...base, 'endpoints', name], name]), camelCase, 'endpoint');
    const routes = new Map<string, string>(BUILT_IN_ROUTES.map((route) => [route, 'the built-in route']));
    const errorNames: [SpecPath, string][] = [];
    for (const [endpointName, endpoint] of endpoints) {
      if (!isDict(endpoint)) continue;
      const path = [...base, 'endpoints', endpointName];
      const owner = `endpoint "${endpointName}"`;
      checkFields([...path, 'request'], endpoint.request, `the request of ${owner}`);
      checkFields([...path, 'response'], endpoint.response, `the response of ${owner}`);

      const route = parseRoute(typeof endpoint.http === 'string' ? endpoint.http : undefined, endpointName);
      const routePath = endpoint.http === undefined ? path : [...path, 'http'];
      if ('problem' in route) {
        error(routePath, route.problem, route.hint, endpoint.http === undefined);
        continue;
      }
      const requestFields = new Map(entriesOf(endpoint.request).map(([name, type]) => [name, type] as const));
      for (const param of route.params) {
        const fieldType = requestFields.has(param) ? parseTypeExpression(requestFields.get(param)) : undefined;
        if (requestFields.has(`${param}?`)) {
          error(routePath, `path parameter "{${param}}" is optional in the request of ${owner}`, `a path always carries it: declare "${param}" without "?"`);
        } else if (!requestFields.has(param)) {
          error(routePath, `path parameter "{${param}}" is not a field of the request of ${owner}`, `add "${param}: string" (or another built-in type) to its request`);
        } else if (fieldType && fieldType.kind !== 'primitive') {
          error([...path, 'request', param], `path parameter "${param}" has type ${showTypeExpression(fieldType)}`, `a path segment carries one value: use ${PRIMITIVE_LIST}`);
        }
      }
      if (QUERY_METHODS.has(route.method)) {
        for (const [rawName, rawType] of requestFields) {
          const type = parseTypeExpression(rawType);
          if (!type || route.params.includes(rawName)) continue;
          if (elementType(type).kind === 'ref' || (type.kind === 'list' && type.of.kind === 'list')) {
            error([...path, 'request', rawName], `field "${rawName.replace(/\?$/, '')}" of ${owner} has type ${showTypeExpression(type)}, but ${route.method} requests carry fields in the query string`, `use a built-in type or a list of one, or make the endpoint POST, PUT or PATCH`);
          }
        }
      }
      const taken = routes.get(route.key);
      if (taken !== undefined) {
        error(routePath, `route ${route.method} ${route.path} of ${owner} is already taken by ${taken}`, 'change the method or the path of one of them', endpoint.http === undefined);
      } else {
        routes.set(route.key, owner);
      }
      const declared = new Set<string>();
      for (const [index, errorName] of stringsOf(endpoint.errors)) {
        const errorPath = [...path, 'errors', index];
        if (declared.has(errorName)) {
          error(errorPath, `error "${errorName}" is listed twice for ${owner}`, 'list each error once');
          continue;
        }
        declared.add(errorName);
        if (!checkName(errorPath, errorName, 'error')) continue;
        errorNames.push([errorPath, errorName]);
        const className = errorClassName(errorName);
        if (BUILT_IN_ERRORS.has(className)) {
          error(errorPath, `error "${errorName}" collides with the built-in ${className}`, 'every service already has it; remove it from "errors" or rename it');
        } else if (validTypes.some(([typeName]) => pascalCase(typeName) === className)) {
          error(errorPath, `error "${errorName}" becomes class ${className}, which a type already takes`, 'rename the error or the type');
        }
      }
    }
    checkCollisions(errorNames, errorClassName, 'error');

    // The context map.
    for (const [upstreamName, use] of entriesOf(context.uses)) {
      const path = [...base, 'uses', upstreamName];
      if (upstreamName === contextName) {
        error(path, `context "${contextName}" uses itself`, 'a context calls its own service directly; remove this entry', true);
        continue;
      }
      if (!contextNames.has(upstreamName)) {
        const suggestion = closest(upstreamName, [...contextNames]);
        error(path, `context "${contextName}" uses unknown context "${upstreamName}"`, suggestion ? `did you mean "${suggestion}"?` : `declare "${upstreamName}" under contexts`, true);
        continue;
      }
      if (!isDict(use)) continue;
      const upstream = (spec.contexts as Dict)[upstreamName];
      const upstreamEndpoints = new Set(entriesOf(isDict(upstream) ? upstream.endpoints : undefined).map(([name]) => name));
      for (const [index, endpointName] of stringsOf(use.endpoints)) {
        if (!upstreamEndpoints.has(endpointName)) {
          const suggestion = closest(endpointName, [...upstreamEndpoints]);
          error([...path, 'endpoints', index], `context "${upstreamName}" has no endpoint "${endpointName}"`, suggestion ? `did you mean "${suggestion}"?` : `its endpoints: ${[...upstreamEndpoints].join(', ') || 'none'}`);
        }
      }
      const served = isDict(upstream) && Array.isArray(upstream.transports) ? upstream.transports.filter((name) => typeof name === 'string') : ['http'];
      if (typeof use.via === 'string' && served.length > 0 && !served.includes(use.via)) {
        error([...path, 'via'], `context "${upstreamName}" does not serve ${use.via}`, `add ${use.via} to contexts.${upstreamName}.transports, or use via: ${served[0]}`);
      }
      const upstreamTypes = typesByContext.get(upstreamName) ?? new Set<string>();
      for (const [upstreamType, localType] of entriesOf(use.translate)) {
        if (!upstreamTypes.has(upstreamType)) {
          error([...path, 'translate', upstreamType], `context "${upstreamName}" has no type "${upstreamType}"`, `translate maps a type of "${upstreamName}" (left) to a type of "${contextName}" (right)`, true);
        }
        if (typeof localType === 'string' && !localTypes.has(localType)) {
          error([...path, 'translate', upstreamType], `context "${contextName}" has no type "${localType}"`, `translate maps a type of "${upstreamName}" (left) to a type of "${contextName}" (right)`);
        }
      }
    }
  }

  for (const cycle of usesCycles(contexts)) {
    findings.push({
      severity: 'warning',
      path: ['contexts', cycle[0]!, 'uses'],
      key: true,
      message: `contexts call each other in a cycle: ${cycle.join(' -> ')}`,
      hint: 'allowed, but a failure can travel round it; consider events or one upstream',
    });
  }
  return findings;
}

function formatRaw(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Cycles through required, non-list fields of a context's types. */
function requiredCycles(types: [string, unknown][]): string[][] {
  const edges = new Map<string, string[]>();
  for (const [typeName, fields] of types) {
    const targets: string[] = [];
    for (const [fieldName, rawType] of entriesOf(fields)) {
      const type = parseTypeExpression(rawType);
      if (!fieldName.endsWith('?') && type?.kind === 'ref') targets.push(type.name);
    }
    edges.set(typeName, targets);
  }
  return findCycles(edges);
}

function usesCycles(contexts: [string, unknown][]): string[][] {
  const edges = new Map<string, string[]>();
  for (const [name, context] of contexts) edges.set(name, entriesOf(isDict(context) ? context.uses : undefined).map(([upstream]) => upstream).filter((upstream) => upstream !== name));
  return findCycles(edges);
}

/** Each elementary cycle once, reported from its first node in declaration order. */
function findCycles(edges: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const order = [...edges.keys()];
  const seen = new Set<string>();
  for (const start of order) {
    const walk = (node: string, trail: string[]) => {
      for (const next of edges.get(node) ?? []) {
        if (next === start) cycles.push([...trail, start]);
        else if (!trail.includes(next) && !seen.has(next) && edges.has(next)) walk(next, [...trail, next]);
      }
    };
    walk(start, [start]);
    seen.add(start);
  }
  return cycles;
}

/** The candidate nearest to `name` by edit distance, when it is near enough to be a typo. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

