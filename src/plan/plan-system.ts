import type { ServiceModel, SystemModel, UpstreamModel } from '../model/system-model.js';
import type { Renderer } from '../render/create-renderer.js';
import type { MiddlewareName } from '../spec/tables.js';
import { DEPENDENCY_VERSIONS } from './dependency-versions.js';

/** Who may change a file: the generator rewrites its own files; a user's file is only added to. */
export type Owner = 'generator' | 'user';

/** A file the system should contain. */
export interface PlannedFile {
  path: string;
  owner: Owner;
  content: string;
  /** For user-owned files: the methods and functions the generator puts in (see merge-user-file). */
  symbols?: string[];
}

/** Service files that belong to the user once written (relative to the service folder). */
const USER_OWNED: ReadonlySet<string> = new Set(['src/service.ts', 'test/service.test.ts', 'src/translators/__upstream__.ts']);

const hasMiddleware = (name: MiddlewareName) => (service: ServiceModel) => service.middleware.some((middleware) => middleware.name === name);
const hasUpstreams = (service: ServiceModel) => service.hasUpstreams;

/** Templates rendered only when a service asks for what they hold. */
const CONDITIONS: Readonly<Record<string, (service: ServiceModel) => boolean>> = {
  'src/middleware/logging.ts': hasMiddleware('logging'),
  'src/middleware/metrics.ts': hasMiddleware('metrics'),
  'src/middleware/ratelimit.ts': hasMiddleware('ratelimit'),
  'src/middleware/tracing.ts': hasMiddleware('tracing'),
  'src/clients/upstream.ts': hasUpstreams,
  'src/dependencies.ts': hasUpstreams,
  'test/fakes.ts': hasUpstreams,
  'buf.yaml': (service) => service.protos.length > 0,
  'src/transport/grpc.ts': (service) => service.transports.grpc,
  'src/transport/grpc-details.ts': (service) => service.transports.grpc,
  'src/transport/grpc-reflection.ts': (service) => service.transports.grpc,
  'src/transport/grpc-codec.ts': (service) => service.protos.length > 0,
  'test/grpc.test.ts': (service) => service.transports.grpc,
  'src/clients/http-transport.ts': (service) => service.clientTransports.http,
  'src/clients/grpc-transport.ts': (service) => service.clientTransports.grpc,
  'src/transport/nats.ts': (service) => service.transports.nats,
  'test/nats.test.ts': (service) => service.transports.nats,
  'src/nats-connection.ts': (service) => service.connectsToNats,
  'src/clients/nats-transport.ts': (service) => service.clientTransports.nats,
};

/** Templates rendered once per upstream context (the path token `__upstream__`), when it applies. */
const UPSTREAM_CONDITIONS: Readonly<Record<string, (upstream: UpstreamModel) => boolean>> = {
  'src/translators/__upstream__.ts': (upstream) => upstream.hasTranslations,
};

/** npm leaves dot-files out of a package, so templates of dot-files drop their dot. */
const DOT_FILES: Readonly<Record<string, string>> = { gitignore: '.gitignore', dockerignore: '.dockerignore' };

/** Every file of the system the model describes, rendered, with its owner. Output paths mirror template paths. */
export function planSystem(model: SystemModel, renderer: Renderer): PlannedFile[] {
  const files: PlannedFile[] = [];
  const base = { system: model, versions: DEPENDENCY_VERSIONS };
  const render = (template: string, data: object) => renderer.render(template, data);
  const under = (root: string) => renderer.templates.filter((name) => name.startsWith(`${root}/`)).map((name) => name.slice(root.length + 1));
  for (const template of under('system')) {
    const path = outputPath(template);
    // One file per context in the system's folders (deploy/k8s/base/<context>.yaml).
    if (path.includes('__context__')) {
      for (const service of model.services) {
        files.push({ path: path.replace('__context__', service.kebab), owner: 'generator', content: render(`system/${template}`, { ...base, service }) });
      }
      continue;
    }
    files.push({ path, owner: 'generator', content: render(`system/${template}`, base) });
  }
  const serviceTemplates = under('service');
  for (const service of model.services) {
    for (const template of serviceTemplates) {
      const path = outputPath(template);
      const owner = USER_OWNED.has(path) ? 'user' : 'generator';
      if (path.includes('__upstream__')) {
        for (const upstream of service.upstreams) {
          if (UPSTREAM_CONDITIONS[path] && !UPSTREAM_CONDITIONS[path](upstream)) continue;
          files.push({
            path: `services/${service.kebab}/${path.replace('__upstream__', upstream.kebab)}`,
            owner,
            content: render(`service/${template}`, { ...base, service, upstream }),
            symbols: owner === 'user' ? upstream.translations.flatMap((pair) => [pair.toName, pair.fromName]) : undefined,
          });
        }
        continue;
      }
      if (path.includes('__contract__')) {
        for (const proto of service.protos) {
          files.push({ path: `services/${service.kebab}/${proto.path}`, owner, content: render(`service/${template}`, { ...base, service, proto }) });
        }
        continue;
      }
      if (CONDITIONS[path] && !CONDITIONS[path](service)) continue;
      files.push({
        path: `services/${service.kebab}/${path}`,
        owner,
        content: render(`service/${template}`, { ...base, service }),
        symbols: owner === 'user' ? [...service.endpoints.map((endpoint) => endpoint.camel), ...(service.hasUpstreams && path === 'src/service.ts' ? ['constructor'] : [])] : undefined,
      });
    }
  }
  return files;
}

function outputPath(template: string): string {
  const path = template.replace(/\.hbs$/, '');
  const name = path.split('/').at(-1)!;
  return DOT_FILES[name] ? path.replace(/[^/]*$/, DOT_FILES[name]) : path;
}
