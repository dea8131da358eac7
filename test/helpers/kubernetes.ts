import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';

/**
 * What a cluster would check of deploy/k8s, without a cluster: kustomize's rendering (kubectl's
 * own), the API schemas of one Kubernetes version (kubernetes-models 4.5: Kubernetes 1.33) with
 * unknown fields refused as `kubectl apply` refuses them, and NetworkPolicy's rules.
 */

/** A Kubernetes object as kustomize renders it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** The Kubernetes version whose API schemas the objects are validated against. */
export const SCHEMA_VERSION = '1.33';

/** `kubectl kustomize <dir>`: every object of a kustomization, in kustomize's order; throws with kubectl's words. */
export function kustomize(dir: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`kubectl could not run (${result.error.message}); .ci/run installs it, or install Debian's kubernetes-client`);
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => {
    if (document.errors.length > 0) throw new Error(`kustomize printed invalid YAML: ${document.errors[0]!.message}`);
    return document.toJS() as K8sObject;
  });
}

/** The kubernetes-models class and the TypeScript interface (module, name) of each kind the generator writes. */
const KINDS: Record<string, { model: new (data: never) => { validate(): void }; module: string; type: string }> = {
  'v1/Namespace': { model: core.Namespace as never, module: 'kubernetes-models/v1/Namespace', type: 'INamespace' },
  'v1/ConfigMap': { model: core.ConfigMap as never, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Service': { model: core.Service as never, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'apps/v1/Deployment': { model: apps.Deployment as never, module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'policy/v1/PodDisruptionBudget': { model: policy.PodDisruptionBudget as never, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    model: autoscaling.HorizontalPodAutoscaler as never,
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    type: 'IHorizontalPodAutoscaler',
  },
  'networking.k8s.io/v1/NetworkPolicy': { model: networking.NetworkPolicy as never, module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy', type: 'INetworkPolicy' },
};

/**
 * Every schema problem of the objects, as `Kind/name: problem` lines; empty when all are valid.
 * Two checks: the JSON Schemas of the API (types, required fields, enums, formats), and (since
 * those schemas allow any extra field, where `kubectl apply` refuses an unknown one) TypeScript's
 * excess-property check of each object against the package's interface of its kind.
 */
export function schemaProblems(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const checked: { object: K8sObject; index: number }[] = [];
  objects.forEach((object, index) => {
    const name = `${object.kind}/${object.metadata?.name}`;
    const kind = KINDS[`${object.apiVersion}/${object.kind}`];
    if (!kind) return void problems.push(`${name}: ${object.apiVersion} ${object.kind} is not a kind this check knows`);
    try {
      new kind.model(object as never).validate();
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
    checked.push({ object, index });
  });
  problems.push(...unknownFields(checked));
  return problems;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Type-checks each object as an object literal of its kind's interface; answers the diagnostics, naming the object. */
function unknownFields(objects: { object: K8sObject; index: number }[]): string[] {
  const file = `${root}test/.k8s-objects-${process.pid}.ts`;
  const imports = [...new Set(objects.map(({ object }) => `${object.apiVersion}/${object.kind}`))].map((key) => `import type { ${KINDS[key]!.type} } from '${KINDS[key]!.module}';`);
  const declarations = objects.map(({ object, index }) => `export const object${index}: ${KINDS[`${object.apiVersion}/${object.kind}`]!.type} = ${JSON.stringify(object)};`);
  const source = [...imports, ...declarations].join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, types: [], module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022 };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (path) => (path === file ? source : readFile(path));
  host.fileExists = ((exists) => (path: string) => path === file || exists(path))(host.fileExists.bind(host));
  host.getSourceFile = (path, language, onError, create) => (path === file ? ts.createSourceFile(path, source, language) : getSourceFile(path, language, onError, create));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) return `TypeScript: ${message}`;
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const object = objects[line - imports.length]?.object;
    return `${object ? `${object.kind}/${object.metadata.name}` : 'objects'}: ${message}`;
  });
}

/** A pod as a NetworkPolicy sees it: its namespace (and that namespace's labels), its labels, its container ports by name. */
export interface PodView {
  namespace: string;
  namespaceLabels: Record<string, string>;
  labels: Record<string, string>;
  ports?: Record<string, number>;
}

type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
type Peer = { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: unknown };
type PolicyPort = { protocol?: string; port?: number | string; endPort?: number };
type NetworkPolicySpec = { podSelector: LabelSelector; policyTypes?: string[]; ingress?: { from?: Peer[]; ports?: PolicyPort[] }[] };

function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (selector?.matchExpressions?.length) throw new Error('matchExpressions: not evaluated by this check');
  return Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

/**
 * Whether the ingress traffic from `source` to TCP `port` of `target` is allowed, by Kubernetes'
 * rules: a pod that no policy selects for Ingress admits everything; one that some do admits what
 * any rule of any of them admits. A rule admits a peer that any `from` entry matches (an entry with
 * only a podSelector means the policy's namespace; with both selectors, both must match) on any
 * of its ports (none listed: every port; a named port is the target container's port of that name).
 */
export function admits(policies: readonly K8sObject[], target: PodView, source: PodView, port: number): boolean {
  const applying = policies.filter((policy) => {
    const spec = policy.spec as NetworkPolicySpec;
    const types = spec.policyTypes ?? ['Ingress'];
    return policy.metadata.namespace === target.namespace && types.includes('Ingress') && selects(spec.podSelector, target.labels);
  });
  if (applying.length === 0) return true;
  return applying.some((policy) =>
    ((policy.spec as NetworkPolicySpec).ingress ?? []).some((rule) => {
      const fromMatches =
        rule.from === undefined ||
        rule.from.length === 0 ||
        rule.from.some((peer) => {
          if (peer.ipBlock) throw new Error('ipBlock: not evaluated by this check');
          const namespaceMatches = peer.namespaceSelector ? selects(peer.namespaceSelector, source.namespaceLabels) : source.namespace === policy.metadata.namespace;
          const podMatches = peer.podSelector ? selects(peer.podSelector, source.labels) : true;
          return namespaceMatches && podMatches;
        });
      const portMatches =
        rule.ports === undefined ||
        rule.ports.length === 0 ||
        rule.ports.some((entry) => {
          if ((entry.protocol ?? 'TCP') !== 'TCP') return false;
          if (entry.port === undefined) return true;
          const number = typeof entry.port === 'number' ? entry.port : target.ports?.[entry.port];
          return number !== undefined && port >= number && port <= (entry.endPort ?? number);
        });
      return fromMatches && portMatches;
    }),
  );
}
