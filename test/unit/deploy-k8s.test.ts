import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stageSystem } from '../../src/plan/stage-system.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';
import { memoryFileSystem } from '../../src/tree/memory-file-system.js';
import { VirtualTree } from '../../src/tree/virtual-tree.js';
import { admits, kustomize, schemaProblems, SCHEMA_VERSION, type K8sObject, type PodView } from '../helpers/kubernetes.js';

/**
 * deploy/k8s of every valid fixture spec, rendered by `kubectl kustomize` (base and overlay) and
 * checked as a cluster would check it: every object against the Kubernetes API schemas, and, read
 * from the spec itself rather than from the generator's model, that the pods run what the
 * Dockerfile says as its user, that probes reach ports the container serves, that Node's heap fits
 * the memory limit, that upstream addresses are the Services' DNS names under the names the
 * generated config reads, and that every NetworkPolicy admits exactly the callers of the context map.
 */

const work = mkdtempSync(join(tmpdir(), 'cks-k8s-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type RawSpec = { name: string; contexts: Record<string, RawContext | null> };
type RawContext = { port?: number; grpcPort?: number; transports?: string[]; public?: boolean; uses?: Record<string, { via?: string } | null>; resources?: { memory?: string; cpu?: string | number } };

/** Generates a spec into a folder on disk (the generator writes in memory; kubectl reads files). */
async function generateToDisk(name: string, specText: string): Promise<{ dir: string; spec: RawSpec }> {
  const { spec, problems } = validateSpec(parseSpec('kit.yaml', specText));
  expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  const tree = new VirtualTree('/system', memoryFileSystem());
  await stageSystem(tree, spec!);
  const dir = join(work, name);
  for (const change of tree.changes()) {
    if (change.after === undefined) continue;
    mkdirSync(dirname(join(dir, change.path)), { recursive: true });
    writeFileSync(join(dir, change.path), change.after);
  }
  return { dir, spec: parse(specText) as RawSpec };
}

const kebab = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase())
    .join('-');

/** The ports of each context as docs/spec.md defines them: port or 8080 + position; grpcPort or port + 1000. */
function portsOf(spec: RawSpec): Map<string, { http: number; grpc?: number }> {
  return new Map(
    Object.entries(spec.contexts).map(([name, context], index) => {
      const http = context?.port ?? 8081 + index;
      const grpc = (context?.transports ?? ['http']).includes('grpc') ? (context?.grpcPort ?? http + 1000) : undefined;
      return [name, { http, grpc }];
    }),
  );
}

/** Who may call whom, from `uses` alone: caller -> target -> the port its client calls (`via`, default http when served). */
function expectedCalls(spec: RawSpec): { caller: string; target: string; port: number }[] {
  const ports = portsOf(spec);
  return Object.entries(spec.contexts).flatMap(([caller, context]) =>
    Object.entries(context?.uses ?? {}).flatMap(([target, use]) => {
      const served = spec.contexts[target]?.transports ?? ['http'];
      const via = use?.via ?? ['http', 'grpc', 'nats'].find((transport) => served.includes(transport));
      // A NATS client talks to the NATS server, never to the upstream's pods.
      if (via === 'nats') return [];
      return [{ caller, target, port: via === 'grpc' ? ports.get(target)!.grpc! : ports.get(target)!.http }];
    }),
  );
}

const FIXTURES: [string, string][] = [
  ['example', 'templates/examples/kit.yaml'],
  ['context-map', 'test/fixtures/specs/context-map.yaml'],
  ['uses-cycle', 'test/fixtures/specs/uses-cycle.yaml'],
  ['grpc', 'test/fixtures/specs/grpc.yaml'],
  ['keyword-names', 'test/fixtures/specs/keyword-names.yaml'],
  ['odd-values', 'test/fixtures/specs/odd-values.yaml'],
  ['minimal', 'test/fixtures/specs/minimal.yaml'],
  ['nats', 'test/fixtures/specs/nats.yaml'],
];

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.filter((object) => object.kind === kind && object.metadata.name === name);
  expect(found, `one ${kind} ${name}`).toHaveLength(1);
  return found[0]! as K8sObject & { spec: any; data?: Record<string, string> };
};

/** Dockerfile instructions by keyword, last one wins (as docker takes USER, CMD, WORKDIR). */
function dockerfile(text: string): Record<string, string[]> {
  const instructions: Record<string, string[]> = {};
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const match = /^([A-Z]+)\s+(.*)$/.exec(line.trim());
    if (match) (instructions[match[1]!] ??= []).push(match[2]!);
  }
  return instructions;
}

describe.each(FIXTURES)('deploy/k8s of %s', (name, specFile) => {
  let generated: Promise<{ dir: string; spec: RawSpec; base: K8sObject[]; overlay: K8sObject[] }> | undefined;
  const setup = () =>
    (generated ??= generateToDisk(name, readFileSync(specFile, 'utf8')).then(({ dir, spec }) => ({
      dir,
      spec,
      base: kustomize(join(dir, 'deploy/k8s/base')),
      overlay: kustomize(join(dir, 'deploy/k8s/overlays/example')),
    })));

  it(`renders with kubectl kustomize, base and overlay, every object valid against the Kubernetes ${SCHEMA_VERSION} API schemas`, async () => {
    const { spec, base, overlay } = await setup();
    const contexts = Object.keys(spec.contexts).map(kebab);
    const kinds = ['ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget', 'HorizontalPodAutoscaler', 'NetworkPolicy'];
    expect(base.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual(contexts.flatMap((context) => kinds.map((kind) => `${kind}/${context}`)).sort());
    expect(base.every((object) => object.metadata.namespace === spec.name)).toBe(true);
    // The overlay adds the namespace and tags every image; `kustomize edit set image <system>-<context>=...` finds each by that name.
    expect(overlay.filter((object) => object.kind === 'Namespace').map((object) => object.metadata.name)).toEqual([spec.name]);
    expect(overlay.length).toBe(base.length + 1);
    for (const context of contexts) {
      expect(find(base, 'Deployment', context).spec.template.spec.containers[0].image).toBe(`${spec.name}-${context}`);
      expect(find(overlay, 'Deployment', context).spec.template.spec.containers[0].image).toBe(`${spec.name}-${context}:0.1.0`);
    }
    expect(schemaProblems(overlay)).toEqual([]);
  });

  it('takes a registry and tag for an image in the form `kustomize edit set image` writes', async () => {
    const { dir, spec } = await setup();
    const context = kebab(Object.keys(spec.contexts)[0]!);
    const overlay = join(dir, 'deploy/k8s/overlays/example/kustomization.yaml');
    const text = readFileSync(overlay, 'utf8');
    const entry = `  - name: ${spec.name}-${context}\n    newTag: "0.1.0"\n`;
    expect(text).toContain(entry);
    const edited = join(dir, 'deploy/k8s/overlays/edited');
    mkdirSync(edited, { recursive: true });
    writeFileSync(join(edited, 'namespace.yaml'), readFileSync(join(dir, 'deploy/k8s/overlays/example/namespace.yaml')));
    writeFileSync(join(edited, 'kustomization.yaml'), text.replace(entry, `  - name: ${spec.name}-${context}\n    newName: registry.example.com/team/${spec.name}-${context}\n    newTag: 1.2.3\n`));
    const objects = kustomize(edited);
    expect(find(objects, 'Deployment', context).spec.template.spec.containers[0].image).toBe(`registry.example.com/team/${spec.name}-${context}:1.2.3`);
  });

  it('runs what the Dockerfile says, as its user, read-only, with every capability dropped', async () => {
    const { dir, spec, base } = await setup();
    for (const context of Object.keys(spec.contexts).map(kebab)) {
      const docker = dockerfile(readFileSync(join(dir, 'services', context, 'Dockerfile'), 'utf8'));
      const deployment = find(base, 'Deployment', context);
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      // No command or args: the image's CMD runs (the e2e test runs that CMD on a read-only root).
      expect(container.command).toBeUndefined();
      expect(container.args).toBeUndefined();
      expect(docker.CMD!.at(-1)).toBe('["node", "dist/src/main.js"]');
      const [uid, gid] = docker.USER!.at(-1)!.split(':').map(Number);
      expect(uid).toBeGreaterThan(0);
      expect({ runAsNonRoot: pod.securityContext.runAsNonRoot, runAsUser: pod.securityContext.runAsUser, runAsGroup: pod.securityContext.runAsGroup }).toEqual({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
      expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      // /tmp is the one writable place.
      const tmp = container.volumeMounts.find((mount: { mountPath: string }) => mount.mountPath === '/tmp');
      expect(pod.volumes.find((volume: { name: string }) => volume.name === tmp.name).emptyDir).toBeDefined();
      // The ports the image exposes are the container's, and the ConfigMap sets the ports the image defaults to.
      const exposed = docker.EXPOSE!.at(-1)!.split(/\s+/).map(Number);
      expect(container.ports.map((port: { containerPort: number }) => port.containerPort)).toEqual(exposed);
      const env = find(base, 'ConfigMap', container.envFrom[0].configMapRef.name).data!;
      for (const setting of docker.ENV!.filter((line) => /^(PORT|GRPC_PORT)=/.test(line))) {
        const [key, value] = setting.split('=');
        expect(env[key!], key).toBe(value);
      }
      expect(deployment.spec.replicas).toBe(2);
      expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    }
  });

  it('probes ports the container serves; drains within the grace period after a preStop pause the image can run', async () => {
    const { dir, spec, base } = await setup();
    const ports = portsOf(spec);
    for (const [specName, context] of Object.keys(spec.contexts).map((key) => [key, kebab(key)] as const)) {
      const pod = find(base, 'Deployment', context).spec.template.spec;
      const container = pod.containers[0];
      const named = Object.fromEntries(container.ports.map((port: { name: string; containerPort: number }) => [port.name, port.containerPort]));
      expect(named).toEqual({ http: ports.get(specName)!.http, ...(ports.get(specName)!.grpc ? { grpc: ports.get(specName)!.grpc } : {}) });
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const check = container[probe];
        expect(check, probe).toBeDefined();
        if (check.grpc) {
          expect(check.grpc.port, `${context} ${probe}`).toBe(named.grpc);
        } else {
          // Readiness is GET /health (it may say 503 while a dependency such as NATS is down); startup
          // and liveness only ask whether the process serves, so an outage never restarts the pod.
          expect(check.httpGet.path, `${context} ${probe}`).toBe(probe === 'readinessProbe' ? '/health' : '/health/live');
          expect(named[check.httpGet.port] ?? check.httpGet.port, `${context} ${probe}`).toBe(named.http);
        }
      }
      // The Service forwards every port the context serves to the container's port of the same name.
      const service = find(base, 'Service', context);
      expect(service.spec.ports.map((port: { name: string; port: number; targetPort: string }) => [port.port, named[port.targetPort]])).toEqual(Object.values(named).map((port) => [port, port]));
      const env = find(base, 'ConfigMap', context).data!;
      const sleep = container.lifecycle.preStop.exec.command;
      expect(sleep[0]).toBe('sleep');
      // sleep is busybox's, in the Alpine base image.
      expect(dockerfile(readFileSync(join(dir, 'services', context, 'Dockerfile'), 'utf8')).FROM!.at(-1)).toMatch(/^node:[\w.-]*alpine[\w.-]*$/);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Number(sleep[1]) + Number(env.SHUTDOWN_TIMEOUT_MS) / 1000);
      const config = readFileSync(join(dir, 'services', context, 'src/config.ts'), 'utf8');
      expect(config).toContain("integer(env, 'SHUTDOWN_TIMEOUT_MS'");
      // Prometheus finds /metrics on the HTTP port.
      expect(find(base, 'Deployment', context).spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(named.http), 'prometheus.io/path': '/metrics' });
    }
  });

  it("keeps Node's whole heap at about 75% of the memory limit, with the same numbers in docker compose", async () => {
    const { dir, spec, base } = await setup();
    const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { mem_limit: string; cpus: number; environment: Record<string, string> }> };
    for (const [specName, context] of Object.keys(spec.contexts).map((key) => [key, kebab(key)] as const)) {
      const container = find(base, 'Deployment', context).spec.template.spec.containers[0];
      const { requests, limits } = container.resources;
      expect(requests).toEqual(limits);
      const limitMiB = Number(/^(\d+)Mi$/.exec(limits.memory)?.[1]);
      const declared = spec.contexts[specName]?.resources;
      if (declared?.memory) expect(limitMiB).toBe(Number(/^(\d+)/.exec(declared.memory)![1]) * (declared.memory.endsWith('Gi') ? 1024 : 1));
      const nodeOptions = find(base, 'ConfigMap', context).data!.NODE_OPTIONS!;
      expect(nodeOptions).toMatch(/^--max-old-space-size=\d+$/);
      // What V8 makes of the flag on this Node: its whole heap limit (old and young generations).
      const measured = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'], { env: { ...process.env, NODE_OPTIONS: nodeOptions }, encoding: 'utf8' });
      const heapMiB = Number(measured.stdout) / 1_048_576;
      expect(heapMiB, `${context}: V8's heap limit under ${nodeOptions}`).toBeLessThanOrEqual(limitMiB * 0.75 + 1);
      expect(heapMiB).toBeGreaterThanOrEqual(limitMiB * 0.75 - 16);
      const composed = compose.services[context]!;
      expect(composed.mem_limit).toBe(`${limitMiB}m`);
      expect(composed.cpus * 1000).toBe(Number(/^(\d+)m$/.exec(limits.cpu)![1]));
      expect(composed.environment.NODE_OPTIONS).toBe(nodeOptions);
    }
  });

  it("gives each context its upstreams' Service DNS names, under the names its config reads", async () => {
    const { dir, spec, base } = await setup();
    const ports = portsOf(spec);
    const calls = expectedCalls(spec);
    for (const [specName, context] of Object.keys(spec.contexts).map((key) => [key, kebab(key)] as const)) {
      const env = find(base, 'ConfigMap', context).data!;
      const config = readFileSync(join(dir, 'services', context, 'src/config.ts'), 'utf8');
      const read = [...config.matchAll(/(?:url|servers)\(env, '([A-Z0-9_]+)'/g)].map((match) => match[1]!);
      expect(Object.keys(env).filter((key) => key.endsWith('_URL')).sort()).toEqual(read.sort());
      // NATS_URL names the namespace's nats Service; the others, the upstreams' Services.
      if (read.includes('NATS_URL')) expect(env.NATS_URL).toBe(`nats://nats.${spec.name}.svc:4222`);
      const urls = Object.keys(env).filter((key) => key.endsWith('_URL') && key !== 'NATS_URL');
      const expected = calls.filter((call) => call.caller === specName).map((call) => `http://${kebab(call.target)}.${spec.name}.svc:${call.port}`);
      expect(urls.map((key) => env[key]).sort()).toEqual(expected.sort());
      for (const key of urls) {
        const url = new URL(env[key]!);
        const upstream = find(base, 'Service', url.hostname.split('.')[0]!);
        expect(upstream.spec.ports.map((port: { port: number }) => port.port)).toContain(Number(url.port));
      }
      expect(ports.has(specName)).toBe(true);
    }
  });

  it('admits exactly the callers of the context map (on the port each calls), the metrics scraper and, when public, the ingress', async () => {
    const { spec, overlay } = await setup();
    expectPoliciesFollowUses(spec, overlay);
  });
});

/** Every pair of contexts, every port: a NetworkPolicy admits the pair where `uses` says so, and nowhere else. */
function expectPoliciesFollowUses(spec: RawSpec, objects: K8sObject[]): void {
  const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
  const namespace = spec.name;
  const namespaceLabels = { 'kubernetes.io/metadata.name': namespace };
  const pods = new Map(
    Object.keys(spec.contexts).map((name) => {
      const template = find(objects, 'Deployment', kebab(name)).spec.template;
      const ports = Object.fromEntries(template.spec.containers[0].ports.map((port: { name: string; containerPort: number }) => [port.name, port.containerPort]));
      return [name, { namespace, namespaceLabels, labels: template.metadata.labels, ports } satisfies PodView];
    }),
  );
  const ports = portsOf(spec);
  const calls = expectedCalls(spec);
  const scraper: PodView = { namespace: 'monitoring', namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' }, labels: { 'app.kubernetes.io/name': 'prometheus' } };
  const ingress: PodView = { namespace: 'ingress-nginx', namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' }, labels: { 'create-kit-service/ingress': 'true' } };
  const stranger: PodView = { namespace, namespaceLabels, labels: { app: 'debug-shell' } };
  const elsewhere = (pod: PodView): PodView => ({ ...pod, namespace: 'other', namespaceLabels: { 'kubernetes.io/metadata.name': 'other' } });
  for (const [target, pod] of pods) {
    const served = [ports.get(target)!.http, ...(ports.get(target)!.grpc ? [ports.get(target)!.grpc!] : [])];
    for (const port of served) {
      for (const [source, from] of pods) {
        const expected = calls.some((call) => call.caller === source && call.target === target && call.port === port);
        expect(admits(policies, pod, from, port), `${source} -> ${target}:${port}`).toBe(expected);
        expect(admits(policies, pod, elsewhere(from), port), `${source} of another namespace -> ${target}:${port}`).toBe(false);
      }
      expect(admits(policies, pod, scraper, port), `scraper -> ${target}:${port}`).toBe(port === ports.get(target)!.http);
      expect(admits(policies, pod, ingress, port), `ingress -> ${target}:${port}`).toBe(spec.contexts[target]?.public === true);
      expect(admits(policies, pod, stranger, port), `another pod -> ${target}:${port}`).toBe(false);
    }
  }
}

describe('NetworkPolicy follows uses', () => {
  it('changing uses changes who may call whom (context-map with the call reversed, and a cycle added)', async () => {
    const original = readFileSync('test/fixtures/specs/context-map.yaml', 'utf8');
    const reversed = original
      .replace(/    uses:\n      billing:\n        endpoints: \[charge, findReceipt\]\n        translate: \{ Payer: Customer, Receipt: Receipt \}\n/, '')
      .replace(/(      refund:\n        request: \{ receiptId: string \}\n        response: \{ ok: boolean \}\n)/, '$1    uses:\n      checkout: { endpoints: [pay] }\n');
    expect(reversed).not.toBe(original);
    const { dir, spec } = await generateToDisk('context-map-reversed', reversed);
    const objects = kustomize(join(dir, 'deploy/k8s/overlays/example'));
    expect(expectedCalls(spec)).toEqual([{ caller: 'billing', target: 'checkout', port: 8081 }]);
    expectPoliciesFollowUses(spec, objects);
    const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
    const pod = (name: string): PodView => ({ namespace: 'payments', namespaceLabels: {}, labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'payments' } });
    expect(admits(policies, pod('billing'), pod('checkout'), 8082)).toBe(false);
    expect(admits(policies, pod('checkout'), pod('billing'), 8081)).toBe(true);
  });
});
