import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustomize, type K8sObject } from '../helpers/kubernetes.js';
import { output, run } from '../helpers/run-command.js';
import { childEnv, freePort, within } from '../helpers/service-process.js';

/**
 * Issue "Kubernetes", what a cluster would do with deploy/k8s, without a cluster: the real binary
 * generates test/fixtures/specs/grpc.yaml (routing serves HTTP and gRPC, booking HTTP and is
 * public, tracking gRPC only) with npm install and builds it. Then each context runs as its pod
 * would: the Dockerfile's CMD in the Dockerfile's WORKDIR, with the environment of its ConfigMap
 * (the heap flag and the upstreams' cluster addresses included), on a read-only root file system
 * with a writable /tmp (a user and mount namespace: `/` remounted read-only, a tmpfs on /tmp, the
 * system's folder bound back read-only; no root needed where unprivileged user namespaces are on),
 * under strace. Checked:
 * - the startup, readiness and liveness probes of the Deployment answer on the ports they name
 *   (gRPC readiness through grpc.health.v1 with buf curl), and every port of the Service accepts;
 * - the service serves requests that way, and on SIGTERM drains and exits 0 within the grace period;
 * - nothing it ran tried to write anywhere but /tmp (strace: every open for writing, mkdir, rename,
 *   unlink, chmod, ... of the node process and its threads).
 *
 * Ports are free ports of 127.0.0.1 standing in for the container ports (a probe naming port
 * `http` reaches what the ConfigMap's PORT would be). Needs `npm run build` first, and kubectl,
 * strace and unshare (.ci/run installs the first two when missing). Processes are killed by pid.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/create-kit-service.js');
const BUF = join(root, 'node_modules/.bin/buf');
const work = mkdtempSync(join(tmpdir(), 'cks-k8s-pod-'));
const system = join(work, 'cargo');

let objects: K8sObject[] = [];
const running = new Map<number, ChildProcess>();

beforeAll(() => {
  const created = run(process.execPath, [bin, system, '--spec', join(root, 'test/fixtures/specs/grpc.yaml'), '--yes', '--no-git'], work, 600_000);
  if (created.status !== 0) throw new Error(`create failed\n${output(created)}`);
  const build = run('npm', ['run', 'build'], system, 300_000);
  if (build.status !== 0) throw new Error(`npm run build failed\n${output(build)}`);
  objects = kustomize(join(system, 'deploy/k8s/overlays/example'));
}, 900_000);

afterAll(() => {
  for (const child of running.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const find = (kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name) as K8sObject & { spec: any; data: Record<string, string> };

/** The syscalls through which a process changes a file system; opens count when their flags write. */
const WRITING_CALLS = ['open', 'openat', 'openat2', 'creat', 'mkdir', 'mkdirat', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'rmdir', 'link', 'linkat', 'symlink', 'symlinkat', 'truncate', 'chmod', 'fchmodat', 'chown', 'fchownat', 'lchown', 'utimensat', 'mknod', 'mknodat'];

/**
 * Runs `command` in `cwd` as a container with readOnlyRootFilesystem and an emptyDir on /tmp would:
 * in a new user and mount namespace, / is remounted read-only and /tmp is a fresh tmpfs; the
 * system's folder (which lives under the host's /tmp) is bound back at its path, read-only.
 * strace records the calls that write, from outside.
 */
function startPod(cwd: string, command: string[], env: Record<string, string>, trace: string): ChildProcess {
  const script = [
    'set -e',
    'mount -t tmpfs -o size=16m tmpfs /tmp',
    // The shell's working directory still is the system's folder that the tmpfs now hides.
    'mkdir -p "$SYSTEM"',
    'mount -c --bind /proc/self/cwd "$SYSTEM"',
    'mount -o remount,bind,ro "$SYSTEM"',
    'mount -o remount,bind,ro /',
    'cd "$WORKDIR"',
    'exec "$@"',
  ].join('\n');
  const child = spawn(
    'strace',
    ['-f', '-qq', '--seccomp-bpf', '-o', trace, '-e', `trace=execve,clone,clone3,fork,vfork,${WRITING_CALLS.join(',')}`, 'unshare', '--user', '--map-root-user', '--mount', '--propagation', 'private', 'sh', '-c', script, 'pod', ...command],
    { cwd: system, env: childEnv({ ...env, SYSTEM: system, WORKDIR: cwd }), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error('could not start strace');
  running.set(child.pid, child);
  child.on('exit', () => running.delete(child.pid!));
  return child;
}

/**
 * The node process of a trace (the first that exec'd node) and what it and its threads did to the
 * file system: every traced line after that exec (the sandbox's own mounts come before it, and
 * nothing else runs after it). strace writes the path and flags of a call in its first part, also
 * when another thread interrupts the line (`<unfinished ...>`).
 */
function readTrace(trace: string): { nodePid?: number; writes: string[]; threads: number } {
  let nodePid: number | undefined;
  const writes: string[] = [];
  let threads = 0;
  for (const line of readFileSync(trace, 'utf8').split('\n')) {
    const match = /^(\d+)\s+(\w+)\((.*)$/.exec(line);
    if (!match) continue;
    const [, pid, call, rest] = match;
    if (nodePid === undefined) {
      if (call === 'execve' && rest!.startsWith(`"${process.execPath}"`) && / = 0$/.test(rest!)) nodePid = Number(pid);
      continue;
    }
    if (call!.startsWith('clone')) threads++;
    if (!WRITING_CALLS.includes(call!)) continue;
    if (call!.startsWith('open') && !/O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/.test(rest!)) continue;
    writes.push(`${call}(${rest}`);
  }
  return { nodePid, writes, threads };
}

/** Whether a write is one a pod may do: inside /tmp (the emptyDir), outside the system's folder, or /dev/null. */
function allowed(write: string): boolean {
  const path = /"([^"]*)"/.exec(write)?.[1];
  if (path === undefined) return false;
  if (path === '/dev/null') return true;
  return path.startsWith('/tmp/') && !path.startsWith(`${system}/`);
}

/** Polls an HTTP probe as the kubelet does (a new connection each time) until it answers 2xx or 3xx, bounded. */
async function httpProbe(port: number, path: string, deadline: number): Promise<number> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000), headers: { connection: 'close' } });
      await response.arrayBuffer();
      if (response.status >= 200 && response.status < 400) return response.status;
      last = `status ${response.status}`;
    } catch (error) {
      last = String((error as Error).cause ?? error);
    }
    await sleep(200);
  }
  throw new Error(`probe GET ${path} on ${port}: ${last}`);
}

function grpcProbe(port: number): { status: number | null; stdout: string; stderr: string } {
  return run(BUF, ['curl', '--protocol', 'grpc', '--http2-prior-knowledge', '-d', '{"service":""}', `http://127.0.0.1:${port}/grpc.health.v1.Health/Check`], work, 30_000);
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 2_000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe.each([['routing'], ['booking'], ['tracking']])('the %s pod', (context) => {
  it('starts from its Dockerfile CMD on a read-only root, answers its probes and Service ports, drains on SIGTERM, writes nothing outside /tmp', async () => {
    const deployment = find('Deployment', context);
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];
    const config = find('ConfigMap', container.envFrom[0].configMapRef.name).data;
    const dockerfile = readFileSync(join(system, 'services', context, 'Dockerfile'), 'utf8');
    const command = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    const workdir = [...dockerfile.matchAll(/^WORKDIR (\S+)$/gm)].at(-1)![1]!;
    expect(workdir).toBe(`/app/services/${context}`);
    expect(command[0]).toBe('node');

    // Each container port gets a free port of 127.0.0.1; the ConfigMap's settings of those ports follow.
    const ports: Record<string, number> = {};
    const actual = new Map<number, number>();
    for (const port of container.ports as { name: string; containerPort: number }[]) {
      ports[port.name] = await freePort();
      actual.set(port.containerPort, ports[port.name]!);
    }
    expect(Number(config.PORT)).toBe(container.ports.find((port: { name: string }) => port.name === 'http').containerPort);
    const env: Record<string, string> = { ...config, HOST: '127.0.0.1', PORT: String(ports.http) };
    if (config.GRPC_PORT) env.GRPC_PORT = String(actual.get(Number(config.GRPC_PORT)));
    expect(env.NODE_OPTIONS).toMatch(/^--max-old-space-size=\d+$/);

    const trace = join(work, `${context}.trace`);
    const child = startPod(join(system, 'services', context), [process.execPath, ...command.slice(1)], env, trace);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const resolvePort = (port: string | number) => (typeof port === 'number' ? actual.get(port)! : ports[port]!);
      // The startup probe has periodSeconds x failureThreshold to succeed.
      const startup = container.startupProbe;
      await httpProbe(resolvePort(startup.httpGet.port), startup.httpGet.path, Date.now() + startup.periodSeconds * startup.failureThreshold * 1000).catch((error: Error) => {
        throw new Error(`${error.message}\n${out}`);
      });
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        if (probe.grpc) {
          const health = grpcProbe(actual.get(probe.grpc.port)!);
          expect(health.status, health.stderr).toBe(0);
          expect(JSON.parse(health.stdout)).toEqual({ status: 'SERVING' });
        } else {
          expect(await httpProbe(resolvePort(probe.httpGet.port), probe.httpGet.path, Date.now() + 5_000)).toBe(200);
        }
      }
      for (const port of find('Service', context).spec.ports as { targetPort: string; port: number }[]) {
        expect(await tcpAccepts(resolvePort(port.targetPort)), `Service port ${port.port}`).toBe(true);
      }
      // It serves requests on the read-only root: metrics, and (routing) a stub over HTTP and gRPC.
      const metrics = await fetch(`http://127.0.0.1:${ports.http}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('nodejs_heap_size_total_bytes');
      if (context === 'routing') {
        const stub = await fetch(`http://127.0.0.1:${ports.http}/legs/3f2b8c1e-8d4a-4c6b-9e1f-2a3b4c5d6e7f`);
        expect(stub.status).toBe(501);
      }

      // The kubelet's stop: SIGTERM to the container's process; it must be gone within the grace period.
      const { nodePid } = readTrace(trace);
      expect(nodePid, 'the node process in the trace').toBeDefined();
      process.kill(nodePid!, 'SIGTERM');
      const code = await within(exited, pod.terminationGracePeriodSeconds * 1000, 'exit after SIGTERM');
      expect(code, out).toBe(0);
      expect(out).toContain('"msg":"stopped"');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const { writes, threads } = readTrace(trace);
    // The trace followed node: it saw the threads node starts (libuv's pool, V8's workers).
    expect(threads).toBeGreaterThan(0);
    expect(writes.filter((write) => !allowed(write)), 'writes outside /tmp').toEqual([]);
  }, 120_000);
});

describe('the sandbox of these tests', () => {
  it('does stop writes outside /tmp (so that a service that wrote would fail above)', async () => {
    const trace = join(work, 'sandbox.trace');
    const child = startPod(join(system, 'services/routing'), [process.execPath, '-e', "require('fs').writeFileSync('/tmp/ok', 'x'); require('fs').writeFileSync('dist/written', 'x')"], {}, trace);
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const code = await within(new Promise<number | null>((resolve) => child.on('exit', resolve)), 30_000, 'the sandbox check');
    expect(code).not.toBe(0);
    expect(err).toContain('EROFS');
    const { writes } = readTrace(trace);
    expect(writes.filter((write) => !allowed(write)).join('\n')).toContain('dist/written');
    expect(writes.filter(allowed).join('\n')).toContain('/tmp/ok');
    expect(spawnSync('test', ['-e', join(system, 'services/routing/dist/written')]).status).toBe(1);
  });
});
