import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { round, sample, timeProcess, type Sampled } from './measure.js';
import { CLI, ROOT } from './paths.js';
import { syntheticSpec } from './synthetic-spec.js';
import { table, verdict } from './table.js';

/** The targets of issue "Regenerate" and "add endpoint". */
export const REGENERATION_TARGETS = { noopExampleMs: 400, noopExampleBytes: 0, addEndpointMs: 500 };

export interface RegenerationRow extends Sampled {
  name: string;
  bytesWritten?: number;
  ratioToNode?: number;
  targetMs?: number;
  pass?: boolean;
}

const ENV = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };

/**
 * Days-after commands on generated systems (no install needed): `generate` with nothing to change
 * on the example and on the 50x20 synthetic spec, `add endpoint` on a service that already has
 * 50 endpoints (a fresh copy each run, as generated and with service.ts edited), and `rename
 * endpoint` of the method the user wrote in that service, against `node -e 0` in the same run.
 */
export function regeneration(work: string, runs: number, warmups: number): RegenerationRow[] {
  const create = (name: string, specArgs: string[]) => {
    const dir = join(work, name);
    timeProcess(process.execPath, [CLI, dir, ...specArgs, '--yes', '--no-install', '--no-git'], { cwd: work, env: ENV });
    return dir;
  };
  const noop = (name: string, dir: string, targetMs?: number): RegenerationRow => {
    let bytesWritten = 0;
    const stats = sample(runs, warmups, () => {
      const run = timeProcess(process.execPath, [CLI, 'generate'], { cwd: dir, env: ENV });
      const bytes = /(\d+) bytes/.exec(run.stderr);
      bytesWritten = Math.max(bytesWritten, bytes ? Number(bytes[1]) : 0);
      return run.ms;
    });
    return { name, bytesWritten, targetMs, pass: targetMs === undefined ? undefined : stats.medianMs <= targetMs && bytesWritten === 0, ...stats };
  };

  const node = sample(runs, warmups, () => timeProcess(process.execPath, ['-e', '0']).ms);
  const example = create('regen-example', ['--example']);
  const largeSpec = join(work, 'regen-50x20.yaml');
  writeFileSync(largeSpec, syntheticSpec(50, 20));
  const large = create('regen-50x20', ['--spec', largeSpec]);
  const wideSpec = join(work, 'regen-1x50.yaml');
  writeFileSync(wideSpec, syntheticSpec(1, 50));
  const wide = create('regen-1x50', ['--spec', wideSpec]);
  const context = /^ {2}([a-z][a-z0-9-]*):$/m.exec(syntheticSpec(1, 50))![1]!;

  // The same command on a fresh copy each run: as generated (the user-owned files are re-rendered),
  // and with a method of service.ts written by the user (the new method is merged in by ts-morph).
  let copy = 0;
  const addEndpoint = (userEdit?: (dir: string) => void) =>
    sample(runs, warmups, () => {
      const dir = join(work, `regen-add-${copy++}`);
      cpSync(wide, dir, { recursive: true });
      userEdit?.(dir);
      const run = timeProcess(
        process.execPath,
        [CLI, 'add', 'endpoint', context, 'benchAdded', '--http', 'POST /bench-added/{id}', '--request', 'id:string,quantity:integer,note:string?', '--response', 'ok:boolean', '--errors', 'BenchRejected'],
        { cwd: dir, env: ENV },
      ).ms;
      rmSync(dir, { recursive: true, force: true });
      return run;
    });
  const addToGenerated = addEndpoint();
  const editService = (dir: string) => {
    const service = join(dir, 'services', context, 'src', 'service.ts');
    writeFileSync(service, readFileSync(service, 'utf8').replace(/throw new NotImplementedError\((.*?)\);/, 'return Promise.reject(new Error($1)); // written by the user'));
  };
  const addToEdited = addEndpoint(editService);
  // rename endpoint on the same service, the method the user wrote (the first one): kit.yaml, the
  // user's code renamed by TypeScript's rename, the record, then the apply step of generate. Once as
  // generated (no TypeScript installed: no lib files, no fit check, as the add endpoint rows), and
  // once with the system's TypeScript and Node's types in place (linked from this package), as on an
  // installed system: the rename reads the lib files, and the fit check type-checks the service after.
  const firstEndpoint = /^ {6}([A-Za-z0-9]+):$/m.exec(syntheticSpec(1, 50).split('    endpoints:\n')[1]!)![1]!;
  const renameEndpoint = (installed: boolean) =>
    sample(runs, warmups, () => {
      const dir = join(work, `regen-rename-${copy++}`);
      cpSync(wide, dir, { recursive: true });
      editService(dir);
      if (installed) {
        mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
        symlinkSync(join(ROOT, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'), 'dir');
        symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'), 'dir');
      }
      const run = timeProcess(process.execPath, [CLI, 'rename', 'endpoint', context, firstEndpoint, `${firstEndpoint}Renamed`], { cwd: dir, env: ENV });
      if (!run.stderr.includes(`R rename   services/${context}/src/service.ts`)) throw new Error(`rename endpoint did not rename the user's method:\n${run.stderr}`);
      rmSync(dir, { recursive: true, force: true });
      return run.ms;
    });
  const renameInEdited = renameEndpoint(false);
  const renameInstalled = renameEndpoint(true);
  // What the merge cannot do without, for reference: node, loading the bundled ts-morph (code
  // cache in place), and parsing the user's service.ts and its fresh version.
  const service = join(wide, 'services', context, 'src', 'service.ts');
  const tsMorphAlone = sample(runs, warmups, () =>
    timeProcess(process.execPath, [
      '--input-type=module',
      '-e',
      `import { readFileSync } from 'node:fs';
       import { loadTsMorph } from ${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'src', 'ast', 'load-ts-morph.js')).href)};
       const { Project } = loadTsMorph();
       const text = readFileSync(${JSON.stringify(service)}, 'utf8');
       const project = new Project({ useInMemoryFileSystem: true, skipFileDependencyResolution: true, skipLoadingLibFiles: true });
       project.createSourceFile('/user/service.ts', text).getClasses();
       project.createSourceFile('/fresh/service.ts', text).getClasses();`,
    ]).ms,
  );
  const addRow = (name: string, stats: Sampled): RegenerationRow => ({ name, ...stats, targetMs: REGENERATION_TARGETS.addEndpointMs, pass: stats.medianMs <= REGENERATION_TARGETS.addEndpointMs });

  const rows: RegenerationRow[] = [
    { name: 'node -e 0', ...node, ratioToNode: 1 },
    noop('generate, nothing to change: example', example, REGENERATION_TARGETS.noopExampleMs),
    noop('generate, nothing to change: 50x20', large),
    addRow('add endpoint (service with 50 endpoints, as generated)', addToGenerated),
    addRow('add endpoint (the same, service.ts edited: ts-morph merge)', addToEdited),
    { name: 'rename endpoint (the same, service.ts edited: ts-morph rename)', ...renameInEdited },
    { name: 'rename endpoint (the same, with TypeScript installed: lib files, fit check)', ...renameInstalled },
    { name: 'for reference: node, load ts-morph, parse service.ts twice', ...tsMorphAlone },
  ];
  for (const row of rows) row.ratioToNode = round(row.medianMs / node.medianMs, 2);
  console.log(
    table(
      ['command', 'median ms', 'min ms', 'max ms', 'x node -e 0', 'bytes written', 'target'],
      rows.map((row) => [
        row.name,
        row.medianMs,
        row.minMs,
        row.maxMs,
        `${row.ratioToNode}x`,
        row.bytesWritten ?? '',
        row.targetMs === undefined ? '' : `<= ${row.targetMs} ms${row.bytesWritten !== undefined ? ', 0 bytes' : ''} ${verdict(Boolean(row.pass))}`,
      ]),
    ),
  );
  return rows;
}
