import type { ProtoFieldModel, ProtoModel } from '../model/system-model.js';

/** A field number of a message that now means something else to a gRPC client built against the older .proto. */
export interface NumberChange {
  kind: 'proto-number-reused' | 'proto-number-changed';
  message: string;
  detail: string;
  /** The rpcs (camelCase endpoint names) whose request or response holds the message. */
  rpcs: string[];
}

/**
 * Field numbers of the messages both versions of a context's .proto have, compared: a number that
 * another field (or the same name with another type) held before is reused, so an older client's
 * value is read as the wrong field; a field with its name and type whose number moved is renumbered,
 * so an older client's value is ignored. `.kit/proto-numbers.json` keeps numbers stable, so neither
 * happens while that record is kept; both show a lost or edited record. A field retyped on purpose
 * gets a new number by design and is reported as retyped, not here.
 */
export function compareProtoNumbers(before: ProtoModel, after: ProtoModel): NumberChange[] {
  const changes: NumberChange[] = [];
  for (const message of after.messages) {
    const older = before.messages.find((candidate) => candidate.name === message.name);
    if (!older) continue;
    const rpcs = rpcsHolding(after, message.name);
    for (const field of message.fields) {
      const previous = older.fields.find((candidate) => candidate.number === field.number);
      if (previous && (previous.name !== field.name || wireType(previous) !== wireType(field))) {
        changes.push({
          kind: 'proto-number-reused',
          message: message.name,
          detail: `${field.number} was ${previous.name} (${wireType(previous)}), now ${field.name} (${wireType(field)})`,
          rpcs,
        });
      }
      const same = older.fields.find((candidate) => candidate.name === field.name && wireType(candidate) === wireType(field));
      if (same && same.number !== field.number) {
        changes.push({ kind: 'proto-number-changed', message: message.name, detail: `${field.name}: ${same.number} -> ${field.number}`, rpcs });
      }
    }
  }
  return changes;
}

/** What the number record keys a field by besides its name: its type, repeated or not (`optional` keeps the number). */
function wireType(field: ProtoFieldModel): string {
  return `${field.label === 'repeated ' ? 'repeated ' : ''}${field.type}`;
}

/** The rpcs whose request or response message reaches `message`, directly or through fields. */
function rpcsHolding(proto: ProtoModel, message: string): string[] {
  const byName = new Map(proto.messages.map((candidate) => [candidate.name, candidate]));
  const reaches = (from: string, seen = new Set<string>()): boolean => {
    if (from === message) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    return (byName.get(from)?.fields ?? []).some((field) => field.message !== undefined && reaches(field.message, seen));
  };
  return proto.rpcs.filter((rpc) => reaches(rpc.request) || reaches(rpc.response)).map((rpc) => rpc.camel);
}
