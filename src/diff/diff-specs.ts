import { buildModel } from '../model/build-model.js';
import type { ProtoNumbers } from '../model/number-proto-fields.js';
import type { RawSpec } from '../spec/spec-schema.js';
import type { ApiChange } from './api-change.js';
import { diffModels } from './diff-models.js';

/**
 * The API changes from an older spec to a newer one (both valid), through their models. gRPC field
 * numbers come from the records (`.kit/proto-numbers.json`) as generate uses them:
 * - the older spec from the record that went with it, else from the current one, which still holds
 *   every number it gave out (removed and retyped fields stay reserved with their names and types,
 *   so an older field gets its old number back);
 * - the newer spec from the current record, as the next generate numbers it; without one, from
 *   nothing when the older spec had a record (generate would start again: the record was lost), and
 *   otherwise from the older spec's numbers, as if the record had been kept all along.
 */
export function diffSpecs(older: RawSpec, newer: RawSpec, numbers: { older?: ProtoNumbers; newer?: ProtoNumbers } = {}): ApiChange[] {
  const before = buildModel(older, numbers.older ?? numbers.newer ?? {});
  return diffModels(before, buildModel(newer, numbers.newer ?? (numbers.older ? {} : before.protoNumbers)));
}
