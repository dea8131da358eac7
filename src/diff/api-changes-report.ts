import type { ApiChange } from './api-change.js';

/** What `diff --json` prints: a stable shape for CI, documented in docs/spec.md. */
export interface ApiChangesReport {
  /** The older spec: `HEAD:kit.yaml`, `main:kit.yaml` or a file. */
  against: string;
  breaking: number;
  compatible: number;
  changes: ApiChange[];
}

/** The report of a comparison, counts first, changes in the order of the table. */
export function apiChangesReport(changes: readonly ApiChange[], against: string): ApiChangesReport {
  const breaking = changes.filter((change) => change.breaking).length;
  return { against, breaking, compatible: changes.length - breaking, changes: [...changes] };
}
