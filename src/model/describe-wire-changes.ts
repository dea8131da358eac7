import { pascalCase } from '../naming.js';
import { errorClassName } from '../spec/error-kind.js';
import type { ResolvedRename } from '../spec/rename-in-spec.js';
import type { EndpointModel, ServiceModel, SystemModel } from './system-model.js';

/** Something a rename changes that a caller of the context (or whoever deploys it) sees. */
export interface WireChange {
  /** The context whose callers see it, by its name before the rename. */
  context: string;
  /** What changes, old -> new: `POST /load-cargo -> POST /fetch-cargo`. */
  change: string;
  /**
   * True when a caller built against the old contract fails against the new one (a route, a JSON
   * field, an rpc, an error code); false for what keeps working (a gRPC field keeps its number) or
   * concerns deployment only (an environment variable, a compose service).
   */
  breaking: boolean;
}

/**
 * What a rename changes on the wire, from the models before and after it. The system's own
 * services are regenerated together, so they keep talking to each other; these are the changes
 * that callers outside the system (and anything deployed by hand) have to follow.
 */
export function describeWireChanges(before: SystemModel, after: SystemModel, rename: ResolvedRename): WireChange[] {
  const old = before.services.find((service) => service.specName === rename.context);
  const now = after.services.find((service) => service.specName === (rename.kind === 'context' ? rename.to : rename.context));
  if (!old || !now) return [];
  const changes: WireChange[] = [];
  const add = (change: string, breaking = true) => changes.push({ context: rename.context, change, breaking });
  const route = (endpoint: EndpointModel) => `${endpoint.method} ${endpoint.path}`;

  switch (rename.kind) {
    case 'endpoint': {
      const [from, to] = [endpointOf(old, rename.from), endpointOf(now, rename.to)];
      if (!from || !to) break;
      if (old.transports.http && route(from) !== route(to)) add(`${route(from)} -> ${route(to)}`);
      if (old.grpc && now.grpc) add(`gRPC ${old.grpc.fullServiceName}/${from.pascal} -> ${now.grpc.fullServiceName}/${to.pascal}`);
      if (old.transports.nats && now.transports.nats) add(`NATS subject ${from.natsSubject} -> ${to.natsSubject}`);
      break;
    }
    case 'field': {
      const { owner } = rename;
      const message = 'type' in owner ? now.types.find((type) => type.name === pascalCase(owner.type))?.name : endpointOf(now, owner.endpoint)?.[owner.part === 'request' ? 'requestType' : 'responseType'];
      if ('endpoint' in owner) {
        const endpoint = endpointOf(old, owner.endpoint);
        if (endpoint && old.transports.http) {
          const where = owner.part === 'response' ? 'response field' : endpoint.queryFields.includes(rename.from) ? 'query parameter' : endpoint.bodyFields.includes(rename.from) ? 'request field' : undefined;
          // A path parameter has no name on the wire: the URL stays as it was.
          if (where) add(`${route(endpoint)}: ${where} ${rename.from} -> ${rename.to}`);
        }
      } else if (old.transports.http) {
        const routes = old.httpEndpoints.filter((endpoint) => reaches(old, endpoint, pascalCase(owner.type))).map(route);
        if (routes.length > 0) add(`JSON field ${pascalCase(owner.type)}.${rename.from} -> ${rename.to} (${routes.slice(0, 3).join(', ')}${routes.length > 3 ? `, and ${routes.length - 3} more` : ''})`);
      }
      const field = now.grpc?.messages.find((candidate) => candidate.name === message)?.fields.find((candidate) => candidate.specName === rename.to);
      if (field && message) add(`gRPC field ${message}.${field.name} keeps its number ${field.number} (binary compatible; the .proto names it anew)`, false);
      break;
    }
    case 'error': {
      const from = old.errors.find((error) => error.className === errorClassName(rename.from));
      const to = now.errors.find((error) => error.className === errorClassName(rename.to));
      if (!from || !to) break;
      if (from.code !== to.code) add(`error code ${from.code} -> ${to.code}`);
      if (old.transports.http && from.status !== to.status) add(`HTTP status of ${to.code}: ${from.status} -> ${to.status}`);
      if (old.grpc && from.grpcStatus !== to.grpcStatus) add(`gRPC status of ${to.code}: ${from.grpcStatus} -> ${to.grpcStatus}`);
      break;
    }
    case 'type': {
      const [from, to] = [pascalCase(rename.from), pascalCase(rename.to)];
      if (old.grpc && from !== to) add(`gRPC message ${from} -> ${to} (field numbers kept; binary compatible)`, false);
      break;
    }
    case 'context': {
      if (old.grpc && now.grpc) add(`gRPC service ${old.grpc.fullServiceName} -> ${now.grpc.fullServiceName}`);
      if (old.transports.nats && now.transports.nats) add(`NATS subjects ${before.name}.${old.kebab}.* -> ${after.name}.${now.kebab}.*, queue group ${old.natsQueue} -> ${now.natsQueue}`);
      if (old.packageName !== now.packageName) add(`package ${old.packageName} -> ${now.packageName}; compose service ${old.kebab} -> ${now.kebab}`, false);
      for (const service of after.services) {
        const upstream = service.upstreams.find((candidate) => candidate.specName === rename.to);
        const previous = before.services.find((candidate) => candidate.specName === service.specName)?.upstreams.find((candidate) => candidate.specName === rename.from);
        if (upstream && previous && upstream.urlVariable !== previous.urlVariable) add(`${service.specName} reads ${upstream.urlVariable} instead of ${previous.urlVariable}`, false);
      }
      break;
    }
  }
  return changes;
}

function endpointOf(service: ServiceModel, specName: string): EndpointModel | undefined {
  return service.endpoints.find((endpoint) => endpoint.specName === specName);
}


/** Whether an endpoint's request or response holds a value of the type, at any depth. */
function reaches(service: ServiceModel, endpoint: EndpointModel, typeName: string): boolean {
  const seen = new Set<string>();
  const visit = (tsType: string): boolean => {
    const name = tsType.replace(/(\[\])+$/, '');
    if (name === typeName) return true;
    if (seen.has(name)) return false;
    seen.add(name);
    return service.types.find((type) => type.name === name)?.fields.some((field) => visit(field.tsType)) ?? false;
  };
  return [...endpoint.request, ...endpoint.response].some((field) => visit(field.tsType));
}
