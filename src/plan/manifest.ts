import { createHash } from 'node:crypto';
import type { Owner } from './plan-system.js';

export const MANIFEST_PATH = '.kit/manifest.json';
/** Where the content the generator last wrote is kept, as the base of three-way merges. */
export const BASE_DIR = '.kit/base';

/** One file the generator wrote: its owner, the hash of what it wrote, the symbols it put in. */
export interface ManifestEntry {
  owner: Owner;
  sha256: string;
  /** For user-owned files: the methods and functions the generator added, to tell them from the user's own. */
  symbols?: string[];
}

/** The generator's record of a system (`.kit/manifest.json`), committed with the code. */
export interface Manifest {
  generator: 'create-kit-service';
  files: Record<string, ManifestEntry>;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Reads the manifest; undefined when there is none (a system made by hand, or .kit/ removed). */
export function parseManifest(text: string | undefined): Manifest | undefined {
  if (text === undefined) return undefined;
  const parsed = JSON.parse(text) as Manifest;
  return parsed && typeof parsed.files === 'object' ? parsed : undefined;
}

export function renderManifest(files: Record<string, ManifestEntry>): string {
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${JSON.stringify({ generator: 'create-kit-service', files: sorted } satisfies Manifest, null, 2)}\n`;
}
