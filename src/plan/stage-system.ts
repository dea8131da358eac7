import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from '../model/build-model.js';
import { packageRoot } from '../package-root.js';
import { createRenderer } from '../render/create-renderer.js';
import type { RawSpec } from '../spec/spec-schema.js';
import type { VirtualTree } from '../tree/virtual-tree.js';
import { planSystem, type PlannedFile } from './plan-system.js';

export const TEMPLATES_DIR = join(packageRoot, 'templates');
export const SCHEMA_PATH = '.kit/kit.schema.json';

/**
 * Renders the whole system a valid spec describes into the tree: generator-owned files are
 * (re)written, user-owned files only created when missing. Nothing touches the disk until the tree
 * is committed.
 */
export async function stageSystem(tree: VirtualTree, spec: RawSpec): Promise<PlannedFile[]> {
  const planned = planSystem(buildModel(spec), await createRenderer(TEMPLATES_DIR));
  tree.write(SCHEMA_PATH, readFileSync(join(packageRoot, 'schema', 'kit.schema.json'), 'utf8'));
  for (const file of planned) {
    if (file.owner === 'user' && tree.exists(file.path)) continue;
    tree.write(file.path, file.content);
  }
  return planned;
}
