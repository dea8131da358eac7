import { join, relative } from 'node:path';
import { loadSpec } from '../../spec/load-spec.js';
import { applySpec } from '../apply-spec.js';
import { findSystemRoot } from '../find-system-root.js';

export interface GenerateOptions {
  dryRun?: boolean;
  check?: boolean;
}

/**
 * `generate`: brings the system around ./kit.yaml (or the nearest one above) up to date with it.
 * The whole change is computed in memory first; `--dry-run` prints it, `--check` only says whether
 * there is one, and otherwise it is written in one step.
 */
export async function generateCommand(options: GenerateOptions): Promise<void> {
  const root = findSystemRoot(process.cwd());
  const source = await loadSpec(relative(process.cwd(), join(root, 'kit.yaml')) || 'kit.yaml');
  await applySpec(root, source, options);
}
