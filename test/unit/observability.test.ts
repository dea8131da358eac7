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

/**
 * deploy/observability of every valid fixture: Prometheus' own checker (promtool, from Debian's
 * prometheus package, installed by .ci/run) accepts prometheus.yml, which scrapes every service at
 * its compose name and HTTP port; the compose profile "observability" adds Prometheus and Jaeger,
 * and its env file points every service's traces at Jaeger while the plain `up` sends none.
 */
const work = mkdtempSync(join(tmpdir(), 'cks-observability-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FIXTURES = ['templates/examples/kit.yaml', 'test/fixtures/specs/context-map.yaml', 'test/fixtures/specs/grpc.yaml', 'test/fixtures/specs/nats.yaml', 'test/fixtures/specs/keyword-names.yaml'];

function promtool(): string {
  for (const candidate of ['/usr/bin/promtool', '/usr/local/bin/promtool']) if (spawnSync(candidate, ['--version']).status === 0) return candidate;
  throw new Error('promtool is not installed: .ci/run installs it (Debian package prometheus)');
}

async function generate(specFile: string): Promise<{ dir: string; services: { name: string; port: number }[] }> {
  const { spec, problems } = validateSpec(parseSpec('kit.yaml', readFileSync(specFile, 'utf8')));
  expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  const tree = new VirtualTree('/system', memoryFileSystem());
  await stageSystem(tree, spec!);
  const dir = join(work, specFile.replace(/\W+/g, '-'));
  for (const change of tree.changes()) {
    if (change.after === undefined) continue;
    mkdirSync(dirname(join(dir, change.path)), { recursive: true });
    writeFileSync(join(dir, change.path), change.after);
  }
  // The ports as the generated services read them: their own config's default PORT.
  const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { environment?: Record<string, string>; profiles?: string[] }> };
  const services = Object.entries(compose.services)
    .filter(([, service]) => service.environment?.PORT !== undefined)
    .map(([name, service]) => ({ name, port: Number(service.environment!.PORT) }));
  return { dir, services };
}

describe.each(FIXTURES)('deploy/observability of %s', (specFile) => {
  it('has a prometheus.yml that promtool accepts, scraping every service at its compose name and port', async () => {
    const { dir, services } = await generate(specFile);
    const file = join(dir, 'deploy/observability/prometheus.yml');
    const checked = spawnSync(promtool(), ['check', 'config', file], { encoding: 'utf8' });
    expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    const config = parse(readFileSync(file, 'utf8')) as { scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[] };
    expect(config.scrape_configs.map((job) => [job.job_name, job.metrics_path, job.static_configs.flatMap((target) => target.targets)])).toEqual(
      services.map((service) => [service.name, '/metrics', [`${service.name}:${service.port}`]]),
    );
  });

  it('runs Prometheus and Jaeger only in the profile, and sends traces to Jaeger only with its env file', async () => {
    const { dir, services } = await generate(specFile);
    const compose = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { profiles?: string[]; environment?: Record<string, string>; volumes?: string[] }> };
    expect(compose.services.prometheus?.profiles).toEqual(['observability']);
    expect(compose.services.jaeger?.profiles).toEqual(['observability']);
    expect(compose.services.prometheus?.volumes).toEqual(['./deploy/observability/prometheus.yml:/etc/prometheus/prometheus.yml:ro']);
    for (const service of services) {
      expect(compose.services[service.name]!.profiles, service.name).toBeUndefined();
      // Empty (tracing off) unless the variable is set, as the env file sets it.
      expect(compose.services[service.name]!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('${OTEL_EXPORTER_OTLP_ENDPOINT:-}');
    }
    const env = Object.fromEntries(
      readFileSync(join(dir, 'deploy/observability/observability.env'), 'utf8')
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'))
        .map((line) => line.split('=') as [string, string]),
    );
    expect(env).toEqual({ COMPOSE_PROFILES: 'observability', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' });
  });
});
