import { diff3Merge } from 'node-diff3';

/** The outcome of merging a user's edit of a generated file with the generator's new version. */
export interface ThreeWayMerge {
  text: string;
  conflict: boolean;
}

/**
 * Merges line by line: `base` is what the generator wrote last time, `ours` what the file holds
 * now (with the user's edits), `theirs` what the generator writes now. Where both changed the same
 * lines differently, both versions stay, between git-style conflict markers; no line is dropped.
 */
export function mergeThreeWay(base: string, ours: string, theirs: string, path: string): ThreeWayMerge {
  const regions = diff3Merge(ours.split('\n'), base.split('\n'), theirs.split('\n'), { excludeFalseConflicts: true });
  const lines: string[] = [];
  let conflict = false;
  for (const region of regions) {
    if (region.ok) {
      lines.push(...region.ok);
    } else if (region.conflict) {
      conflict = true;
      lines.push(`<<<<<<< yours: ${path}`, ...region.conflict.a, '||||||| generated before', ...region.conflict.o, '=======', ...region.conflict.b, '>>>>>>> generated now');
    }
  }
  return { text: lines.join('\n'), conflict };
}
