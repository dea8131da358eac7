import type { SystemModel } from '../model/system-model.js';
import type { TransportName } from '../spec/tables.js';
import type { Consumer } from './api-change.js';

/**
 * The contexts of `before` that call `context` over one of `over` and reach what changed: one of
 * the endpoints in `reaches` (by camelCase name), or anything (`'all'`: the context, a transport or
 * a port changed). The older spec is the one that says who calls, since its consumers are the ones
 * running while the newer upstream rolls out. A `uses` entry without endpoints may call anything of
 * the upstream, so it is counted as a consumer of every part of it.
 */
export function findConsumers(before: SystemModel, context: string, reaches: readonly string[] | 'all', over: readonly TransportName[]): Consumer[] {
  const consumers: Consumer[] = [];
  for (const service of before.services) {
    const upstream = service.upstreams.find((candidate) => candidate.specName === context);
    if (!upstream || !over.includes(upstream.via)) continue;
    if (upstream.endpoints.length === 0) {
      consumers.push({ context: service.specName, via: upstream.via, calls: [context] });
      continue;
    }
    const called = upstream.endpoints.filter((endpoint) => reaches === 'all' || reaches.includes(endpoint.camel));
    if (called.length > 0) consumers.push({ context: service.specName, via: upstream.via, calls: called.map((endpoint) => `${context}.${endpoint.specName}`) });
  }
  return consumers;
}
