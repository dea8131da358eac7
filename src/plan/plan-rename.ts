import type { ServiceRenames } from '../ast/rename-symbols.js';
import type { ServiceModel, SystemModel, UpstreamModel } from '../model/system-model.js';
import { pascalCase } from '../naming.js';
import { errorClassName } from '../spec/error-kind.js';
import type { ResolvedRename } from '../spec/rename-in-spec.js';
import type { PathMove } from '../tree/moved-file-system.js';

/** One service whose TypeScript a rename changes. */
export interface ServiceRenamePlan {
  /** Its folder before and after the rename (`services/booking`, `services/shipping`). */
  before: string;
  after: string;
  code: ServiceRenames;
}

/** Everything a rename changes besides kit.yaml and what generate re-renders. */
export interface RenamePlan {
  /** Folders and files that move on disk (with git mv), relative to the system. */
  moves: PathMove[];
  services: ServiceRenamePlan[];
  /**
   * The generator's symbols in user-owned files that take the new name (the manifest records them
   * to tell the generator's methods and functions from the user's), by file path after the rename.
   */
  symbols: { file: string; from: string; to: string }[];
}

/**
 * Which generated names a rename changes, and in which files of which services: the models of the
 * system before and after it give every name both ways (`LoadCargoRequest` becomes
 * `FetchCargoRequest`, `BookingApi` becomes `ShippingApi`), and the templates' layout says where
 * each is declared. The user's code is renamed from these declarations (see rename-symbols.ts):
 * in the context itself, and in every context that calls it through its client and translators.
 */
export function planRename(before: SystemModel, after: SystemModel, rename: ResolvedRename): RenamePlan {
  const plan: RenamePlan = { moves: [], services: [], symbols: [] };
  const folder = (service: ServiceModel) => `services/${service.kebab}`;
  const entry = (old: ServiceModel, now: ServiceModel): ServiceRenames => {
    let found = plan.services.find((candidate) => candidate.before === folder(old));
    if (!found) plan.services.push((found = { before: folder(old), after: folder(now), code: { renames: [], moves: [], testTitles: [] } }));
    return found.code;
  };
  const add = (code: ServiceRenames, file: string, symbol: string[], to: string) => {
    if (symbol.at(-1) !== to) code.renames.push({ file, symbol, to });
  };
  const old = before.services.find((service) => service.specName === rename.context);
  const now = after.services.find((service) => service.specName === (rename.kind === 'context' ? rename.to : rename.context));
  if (!old || !now) return plan;
  const own = entry(old, now);
  /** Every other service that calls the context: its upstream model before and after. */
  const callers = before.services.flatMap((service) => {
    const upstream = service.upstreams.find((candidate) => candidate.specName === rename.context);
    const serviceNow = after.services.find((candidate) => candidate.specName === service.specName);
    const upstreamNow = serviceNow?.upstreams.find((candidate) => candidate.specName === now.specName);
    return upstream && serviceNow && upstreamNow ? [{ service, serviceNow, upstream, upstreamNow }] : [];
  });
  const clientTypes = (upstream: UpstreamModel) => `src/clients/${upstream.kebab}-types.ts`;

  switch (rename.kind) {
    case 'endpoint': {
      const from = old.endpoints.find((endpoint) => endpoint.specName === rename.from);
      const to = now.endpoints.find((endpoint) => endpoint.specName === rename.to);
      if (!from || !to) break;
      // The interface's method: TypeScript renames the class's implementation with it. The class's
      // method is named too, for a class whose `implements` clause the user dropped.
      add(own, 'src/service-interface.ts', [old.interfaceName, from.camel], to.camel);
      add(own, 'src/service.ts', [old.className, from.camel], to.camel);
      add(own, 'src/types.ts', [from.requestType], to.requestType);
      add(own, 'src/types.ts', [from.responseType], to.responseType);
      if (from.camel !== to.camel) {
        own.testTitles.push({ from: from.camel, to: to.camel });
        for (const file of ['src/service.ts', 'test/service.test.ts']) plan.symbols.push({ file: `${folder(now)}/${file}`, from: from.camel, to: to.camel });
      }
      for (const { service, serviceNow, upstream } of callers) {
        if (!upstream.endpointNames.includes(from.camel)) continue;
        const code = entry(service, serviceNow);
        add(code, `src/clients/${upstream.kebab}.ts`, [upstream.apiName, from.camel], to.camel);
        add(code, clientTypes(upstream), [from.requestType], to.requestType);
        add(code, clientTypes(upstream), [from.responseType], to.responseType);
      }
      break;
    }
    case 'type': {
      const [from, to] = [pascalCase(rename.from), pascalCase(rename.to)];
      add(own, 'src/types.ts', [from], to);
      for (const { service, serviceNow, upstream, upstreamNow } of callers) {
        const code = entry(service, serviceNow);
        if (upstream.types.some((type) => type.name === from)) add(code, clientTypes(upstream), [from], to);
        // Translators are named after the upstream's type: toPayer, fromPayer.
        const translation = upstream.translations.find((pair) => pair.upstream === from);
        const translationNow = upstreamNow.translations.find((pair) => pair.upstream === to);
        if (!translation || !translationNow) continue;
        const file = `src/translators/${upstream.kebab}.ts`;
        for (const [a, b] of [[translation.toName, translationNow.toName], [translation.fromName, translationNow.fromName]] as const) {
          add(code, file, [a], b);
          if (a !== b) plan.symbols.push({ file: `services/${serviceNow.kebab}/${file}`, from: a, to: b });
        }
      }
      break;
    }
    case 'field': {
      const { owner } = rename;
      const endpoint = 'endpoint' in owner ? old.endpoints.find((candidate) => candidate.specName === owner.endpoint) : undefined;
      const holder = 'type' in owner ? pascalCase(owner.type) : endpoint && (owner.part === 'request' ? endpoint.requestType : endpoint.responseType);
      if (!holder) break;
      add(own, 'src/types.ts', [holder, rename.from], rename.to);
      for (const { service, serviceNow, upstream } of callers) {
        const seen = endpoint ? upstream.endpointNames.includes(endpoint.camel) : upstream.types.some((type) => type.name === holder);
        if (seen) add(entry(service, serviceNow), clientTypes(upstream), [holder, rename.from], rename.to);
      }
      break;
    }
    case 'error':
      add(own, 'src/errors.ts', [errorClassName(rename.from)], errorClassName(rename.to));
      break;
    case 'context': {
      if (folder(old) !== folder(now)) plan.moves.push({ from: folder(old), to: folder(now) });
      add(own, 'src/service-interface.ts', [old.interfaceName], now.interfaceName);
      add(own, 'src/service.ts', [old.className], now.className);
      if (old.hasUpstreams) {
        add(own, 'src/dependencies.ts', [old.depsName], now.depsName);
        add(own, 'test/fakes.ts', [`fake${old.depsName}`], `fake${now.depsName}`);
      }
      for (const { service, serviceNow, upstream, upstreamNow } of callers) {
        const code = entry(service, serviceNow);
        const files: [string, string][] = [
          [`src/clients/${upstream.kebab}.ts`, `src/clients/${upstreamNow.kebab}.ts`],
          [clientTypes(upstream), clientTypes(upstreamNow)],
          ...(upstream.hasTranslations ? [[`src/translators/${upstream.kebab}.ts`, `src/translators/${upstreamNow.kebab}.ts`] as [string, string]] : []),
        ];
        for (const [from, to] of files) {
          if (from === to) continue;
          code.moves.push({ from, to });
          plan.moves.push({ from: `${folder(service)}/${from}`, to: `${folder(service)}/${to}` });
        }
        add(code, `src/clients/${upstream.kebab}.ts`, [upstream.apiName], upstreamNow.apiName);
        add(code, `src/clients/${upstream.kebab}.ts`, [upstream.factory], upstreamNow.factory);
        add(code, 'src/dependencies.ts', [service.depsName, upstream.camel], upstreamNow.camel);
        if (upstream.hasTranslations) {
          add(code, 'src/dependencies.ts', [service.depsName, upstream.translatorsName], upstreamNow.translatorsName);
          // The translators' namespace of the upstream's types is named after it (`Billing.Payer`).
          add(code, `src/translators/${upstream.kebab}.ts`, [`* as ${upstream.pascal}`], upstreamNow.pascal);
        }
      }
      break;
    }
  }
  plan.services = plan.services.filter((service) => service.code.renames.length + service.code.moves.length + service.code.testTitles.length > 0 || service.before !== service.after);
  return plan;
}
