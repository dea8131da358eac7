import type { RawSpec } from '../spec/spec-schema.js';
import { parseCpu, parseMemory } from '../spec/quantity.js';
import { DEFAULT_RESOURCES, HEAP_SHARE, NATS_COMPOSE_SERVICE, NATS_PORT, YOUNG_GENERATION_MIB, type TransportName } from '../spec/tables.js';
import type { CallerModel, ServiceDeployModel, ServiceModel, SystemDeployModel } from './system-model.js';

/**
 * The deployment's fixed choices, in one place (docs/deploy.md explains each). The image's user is
 * the `node` user of the official Node images (uid and gid 1000), written numerically in the
 * Dockerfile so that the kubelet can check runAsNonRoot against the image.
 */
export const DEPLOYMENT = {
  uid: 1000,
  gid: 1000,
  preStopSeconds: 5,
  /** The generated config's default SHUTDOWN_TIMEOUT_MS, set explicitly in every ConfigMap. */
  shutdownTimeoutMs: 10_000,
  /** Between the drain's timeout and the kubelet's SIGKILL: the drain's exit and the last log lines. */
  graceMarginSeconds: 5,
  scraper: { namespace: 'monitoring', labelKey: 'app.kubernetes.io/name', labelValue: 'prometheus' },
  ingressLabel: { key: 'create-kit-service/ingress', value: 'true' },
} as const;

/** The settings every context of the system shares. */
export function buildSystemDeploy(spec: RawSpec): SystemDeployModel {
  return {
    namespace: spec.name,
    uid: DEPLOYMENT.uid,
    gid: DEPLOYMENT.gid,
    preStopSeconds: DEPLOYMENT.preStopSeconds,
    shutdownTimeoutMs: DEPLOYMENT.shutdownTimeoutMs,
    terminationGracePeriodSeconds: DEPLOYMENT.preStopSeconds + Math.ceil(DEPLOYMENT.shutdownTimeoutMs / 1000) + DEPLOYMENT.graceMarginSeconds,
    scraper: { ...DEPLOYMENT.scraper },
    ingressLabel: { ...DEPLOYMENT.ingressLabel },
    natsClusterUrl: `nats://${NATS_COMPOSE_SERVICE}.${spec.name}.svc:${NATS_PORT}`,
  };
}

type RawContext = RawSpec['contexts'][string];

/**
 * A context's resources, ports and exposure; its callers are filled in once every context's
 * upstreams are known (fillCallers). Assumes validateSpec accepted the quantities.
 */
export function buildServiceDeploy(context: RawContext, port: number, grpcPort: number | undefined): ServiceDeployModel {
  const memory = parseMemory(context.resources?.memory ?? DEFAULT_RESOURCES.memory);
  const cpu = parseCpu(context.resources?.cpu ?? DEFAULT_RESOURCES.cpu);
  if ('problem' in memory || 'problem' in cpu) throw new Error('unvalidated resources');
  return {
    memory: `${memory.mib}Mi`,
    memoryMiB: memory.mib,
    heapMiB: Math.floor(memory.mib * HEAP_SHARE),
    oldSpaceMiB: Math.floor(memory.mib * HEAP_SHARE) - YOUNG_GENERATION_MIB,
    cpu: `${cpu.millis}m`,
    composeMemLimit: `${memory.mib}m`,
    composeCpus: String(cpu.millis / 1000),
    public: context.public ?? false,
    // Set once the service's clients are known (buildModel).
    grpcReadiness: false,
    ports: [
      { name: 'http', port, appProtocol: 'http' },
      // Plaintext HTTP/2, as Kubernetes names it for proxies and meshes.
      ...(grpcPort !== undefined ? [{ name: 'grpc', port: grpcPort, appProtocol: 'kubernetes.io/h2c' }] : []),
    ],
    callers: [],
    hasCallers: false,
  };
}

/**
 * The port of the upstream that a client over each transport connects to; undefined for a
 * transport whose calls do not reach the upstream's pods directly (a broker in between).
 */
const CALLED_PORT: Readonly<Record<TransportName, (upstream: ServiceModel) => number | undefined>> = {
  http: (upstream) => upstream.port,
  grpc: (upstream) => upstream.grpcPort,
  // NATS clients reach the NATS server, which reaches the upstream's pods over their own connection.
  nats: () => undefined,
};

/** The context map read backwards: who calls each context, and on which port (its client's `via`). */
export function fillCallers(services: ServiceModel[]): void {
  const byName = new Map(services.map((service) => [service.specName, service]));
  for (const downstream of services) {
    for (const upstream of downstream.upstreams) {
      const target = byName.get(upstream.specName)!;
      const port = CALLED_PORT[upstream.via](target);
      if (port === undefined) continue;
      const caller: CallerModel = { specName: downstream.specName, kebab: downstream.kebab, portName: upstream.via, port };
      target.deploy.callers.push(caller);
    }
  }
  for (const service of services) service.deploy.hasCallers = service.deploy.callers.length > 0;
}
