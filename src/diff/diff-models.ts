import type { EndpointModel, ServiceModel, SystemModel } from '../model/system-model.js';
import { TRANSPORTS, type TransportName } from '../spec/tables.js';
import type { ApiChange, ChangeKind } from './api-change.js';
import { compareFields } from './compare-fields.js';
import { compareProtoNumbers } from './compare-proto-numbers.js';
import { findConsumers } from './find-consumers.js';

/** A change before its consumers are looked up: what it reaches of its context. */
interface Draft {
  kind: ChangeKind;
  context: string;
  endpoint?: EndpointModel;
  subject: string;
  detail: string;
  breaksOver: TransportName[];
  /** The endpoints (camelCase) whose callers see it, or every caller of the context. */
  reaches: string[] | 'all';
}

/**
 * Every API change between two models of a system, context by context (older contexts first, in
 * their order, then new ones), each marked breaking or compatible for a caller built against the
 * older one, with the contexts of the older spec that it breaks. Both models must number their
 * gRPC fields from the same record (as generate would), so a number that moved is a real move.
 * Pure: the same two models always give the same list.
 */
export function diffModels(before: SystemModel, after: SystemModel): ApiChange[] {
  const drafts: Draft[] = [];
  for (const old of before.services) {
    const next = after.services.find((service) => service.specName === old.specName);
    if (!next) {
      drafts.push({ kind: 'context-removed', context: old.specName, subject: old.specName, detail: describeService(old), breaksOver: served(old), reaches: 'all' });
      continue;
    }
    drafts.push(...compareService(old, next));
  }
  for (const next of after.services) {
    if (before.services.some((service) => service.specName === next.specName)) continue;
    drafts.push({ kind: 'context-added', context: next.specName, subject: next.specName, detail: describeService(next), breaksOver: [], reaches: 'all' });
  }
  return drafts.map((draft) => {
    const consumers = draft.breaksOver.length > 0 ? findConsumers(before, draft.context, draft.reaches, draft.breaksOver) : [];
    return {
      kind: draft.kind,
      context: draft.context,
      ...(draft.endpoint ? { endpoint: draft.endpoint.specName } : {}),
      subject: draft.subject,
      detail: draft.detail,
      breaking: draft.breaksOver.length > 0,
      breaksOver: draft.breaksOver,
      consumers,
      external: draft.breaksOver.length > 0,
    };
  });
}

const served = (service: ServiceModel) => (Object.keys(TRANSPORTS) as TransportName[]).filter((transport) => service.transports[transport]);

function describeService(service: ServiceModel): string {
  const transports = served(service).map((transport) => (transport === 'grpc' ? `grpc :${service.grpcPort}` : `${transport} :${service.port}`));
  return `${transports.join(', ')}; ${service.endpoints.length} endpoint${service.endpoints.length === 1 ? '' : 's'}`;
}

function compareService(old: ServiceModel, next: ServiceModel): Draft[] {
  const drafts: Draft[] = [];
  const context = old.specName;
  const whole = (kind: ChangeKind, subject: string, detail: string, breaksOver: TransportName[]): Draft => ({ kind, context, subject, detail, breaksOver, reaches: 'all' });
  for (const transport of Object.keys(TRANSPORTS) as TransportName[]) {
    const port = (service: ServiceModel) => (transport === 'grpc' ? service.grpcPort : service.port);
    if (old.transports[transport] && !next.transports[transport]) drafts.push(whole('transport-removed', transport, `port ${port(old)}`, [transport]));
    if (!old.transports[transport] && next.transports[transport]) drafts.push(whole('transport-added', transport, `port ${port(next)}`, []));
    // Callers find the service at its port: a port that moves (also a default one, when a context
    // before it was added or removed) loses every caller that has the old one configured.
    if (old.transports[transport] && next.transports[transport] && port(old) !== port(next)) {
      drafts.push(whole('port-changed', transport, `${port(old)} -> ${port(next)}`, [transport]));
    }
  }
  // Endpoint changes are seen over the transports both versions serve; the others are covered above.
  const over = served(old).filter((transport) => next.transports[transport]);
  if (over.length === 0) return drafts;
  const change = (kind: ChangeKind, endpoint: EndpointModel, subject: string, detail: string, breaksOver: TransportName[]): Draft => ({
    kind,
    context,
    endpoint,
    subject,
    detail,
    breaksOver,
    reaches: [endpoint.camel],
  });
  for (const endpoint of old.endpoints) {
    const counterpart = next.endpoints.find((candidate) => candidate.camel === endpoint.camel);
    if (!counterpart) {
      drafts.push(change('endpoint-removed', endpoint, endpoint.specName, describeEndpoint(endpoint, over), [...over]));
      continue;
    }
    drafts.push(...compareEndpoint(old, next, endpoint, counterpart, over).map((draft) => ({ ...draft, context, endpoint, reaches: [endpoint.camel] })));
  }
  for (const endpoint of next.endpoints) {
    if (old.endpoints.some((candidate) => candidate.camel === endpoint.camel)) continue;
    drafts.push(change('endpoint-added', endpoint, endpoint.specName, describeEndpoint(endpoint, served(next)), []));
  }
  if (old.grpc && next.grpc && over.includes('grpc')) {
    for (const moved of compareProtoNumbers(old.grpc, next.grpc)) {
      drafts.push({ kind: moved.kind, context, subject: `message ${moved.message}`, detail: moved.detail, breaksOver: ['grpc'], reaches: moved.rpcs });
    }
  }
  return drafts;
}

function describeEndpoint(endpoint: EndpointModel, transports: readonly TransportName[]): string {
  return transports.map((transport) => (transport === 'grpc' ? `rpc ${endpoint.pascal}` : `${endpoint.method} ${endpoint.path}`)).join(', ');
}

type EndpointDraft = Pick<Draft, 'kind' | 'subject' | 'detail' | 'breaksOver'>;

function compareEndpoint(old: ServiceModel, next: ServiceModel, before: EndpointModel, after: EndpointModel, over: TransportName[]): EndpointDraft[] {
  const drafts: EndpointDraft[] = [];
  const name = before.specName;
  // The route as callers use it: parameter names are not on the wire.
  const route = (endpoint: EndpointModel) => `${endpoint.method} ${endpoint.path.replace(/\{[^}]+\}/g, '{}')}`;
  if (over.includes('http') && route(before) !== route(after)) {
    drafts.push({ kind: 'route-changed', subject: name, detail: `${before.method} ${before.path} -> ${after.method} ${after.path}`, breaksOver: ['http'] });
  }
  // A path parameter renamed in place (`/receipts/{receiptId}` -> `/receipts/{id}`) is the same
  // URL: over HTTP its old and new field are one field; over gRPC the name is on the wire.
  const renamed = new Map<string, string>();
  if (over.includes('http') && route(before) === route(after)) {
    before.pathFields.forEach((param, index) => {
      const now = after.pathFields[index];
      if (now !== undefined && now !== param) renamed.set(param, now);
    });
  }
  const httpOnly = !over.includes('grpc');
  for (const direction of ['request', 'response'] as const) {
    const side = (service: ServiceModel, endpoint: EndpointModel, rename: boolean) => ({
      fields: rename ? endpoint[direction].map((field) => ({ ...field, name: renamed.get(field.name) ?? field.name })) : endpoint[direction],
      service,
      message: direction === 'request' ? endpoint.requestType : endpoint.responseType,
    });
    const rename = direction === 'request' && httpOnly && renamed.size > 0;
    for (const field of compareFields(direction, side(old, before, rename), side(next, after, false), over)) {
      const param = direction === 'request' && [...renamed].some(([from, to]) => field.path === from || field.path === to);
      const breaksOver = param ? field.breaksOver.filter((transport) => transport !== 'http') : field.breaksOver;
      drafts.push({ kind: field.kind, subject: `${name} ${direction}.${field.path}`, detail: field.detail, breaksOver });
    }
  }
  for (const error of before.errors) {
    const counterpart = after.errors.find((candidate) => candidate.code === error.code);
    const status = (kind: string, http: number, grpc: string) => `${kind} (${over.includes('http') ? `HTTP ${http}` : `gRPC ${grpc}`})`;
    if (!counterpart) {
      // Callers that handle it are not hurt when it no longer comes.
      drafts.push({ kind: 'error-removed', subject: name, detail: `${error.specName} (${error.code})`, breaksOver: [] });
    } else if (counterpart.kind !== error.kind) {
      drafts.push({
        kind: 'error-kind-changed',
        subject: name,
        detail: `${error.code}: ${status(error.kind, error.status, error.grpcStatus)} -> ${status(counterpart.kind, counterpart.status, counterpart.grpcStatus)}`,
        breaksOver: [...over],
      });
    }
  }
  for (const error of after.errors) {
    if (before.errors.some((candidate) => candidate.code === error.code)) continue;
    // A caller meets an error it does not know by its status, as it meets any other failure.
    drafts.push({ kind: 'error-added', subject: name, detail: `${error.specName} (${error.code}, ${error.kind})`, breaksOver: [] });
  }
  return drafts;
}
