/**
 * Stable field numbers for generated .proto messages. A field keeps its number while it keeps its
 * name and type; a removed or retyped field's number is reserved for good, so a client built
 * against an older .proto never has its field read as something else. The record lives in
 * `.kit/proto-numbers.json`, by context and message.
 */

/** What the record keeps of one message. */
export interface MessageNumbers {
  /** Proto field name -> its number and proto type. */
  fields: Record<string, { number: number; type: string }>;
  /** Numbers (with the name and type they had) that no field may take again. */
  reserved: { number: number; name: string; type: string }[];
}

/** Context -> message -> its numbers. */
export type ProtoNumbers = Record<string, Record<string, MessageNumbers>>;

/** A field of a message before numbering: its proto name and proto type (`repeated OrderLine` counts as `OrderLine[]`). */
export interface UnnumberedField {
  name: string;
  type: string;
}

/** Numbers 19000-19999 belong to the protobuf implementation. */
const IMPLEMENTATION_RESERVED = { from: 19_000, to: 19_999 };

/**
 * Numbers the fields of one message: known fields keep theirs, a field that comes back with its
 * old type gets its old number back, every other field gets the next number never used.
 */
export function numberProtoFields(previous: MessageNumbers | undefined, fields: readonly UnnumberedField[]): MessageNumbers {
  const known = previous?.fields ?? {};
  const reserved = [...(previous?.reserved ?? [])];
  let highest = Math.max(0, ...Object.values(known).map((field) => field.number), ...reserved.map((entry) => entry.number));
  const next = () => {
    highest += 1;
    if (highest >= IMPLEMENTATION_RESERVED.from && highest <= IMPLEMENTATION_RESERVED.to) highest = IMPLEMENTATION_RESERVED.to + 1;
    return highest;
  };
  const numbered: MessageNumbers['fields'] = {};
  for (const field of fields) {
    const before = known[field.name];
    if (before?.type === field.type) {
      numbered[field.name] = before;
      continue;
    }
    const revived = reserved.findIndex((entry) => entry.name === field.name && entry.type === field.type);
    if (revived >= 0) {
      numbered[field.name] = { number: reserved[revived]!.number, type: field.type };
      reserved.splice(revived, 1);
      continue;
    }
    numbered[field.name] = { number: next(), type: field.type };
  }
  // Gone, or still named but retyped: the old number is never used again.
  for (const [name, before] of Object.entries(known)) {
    if (numbered[name]?.number !== before.number) reserved.push({ number: before.number, name, type: before.type });
  }
  reserved.sort((a, b) => a.number - b.number);
  return { fields: numbered, reserved };
}
