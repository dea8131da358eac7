import { pascalCase, snakeCase } from '../naming.js';
import type { PrimitiveName } from '../spec/tables.js';
import type { TypeExpression } from '../spec/type-expression.js';
import { numberProtoFields, type MessageNumbers } from './number-proto-fields.js';
import type { ProtoMessageModel, ProtoModel } from './system-model.js';
import { tsLiteral } from './ts-literal.js';

/**
 * Proto scalar of each built-in type. `integer` is int64 (JSON numbers are not limited to 32
 * bits); `datetime` stays the RFC 3339 string HTTP carries, so both transports validate and hand
 * over the same text, offset included (a Timestamp would drop it).
 */
const PROTO_SCALARS: Readonly<Record<PrimitiveName, string>> = {
  string: 'string',
  integer: 'int64',
  number: 'double',
  boolean: 'bool',
  datetime: 'string',
  uuid: 'string',
};

/** A message before numbering: its name, what it is for, and its fields in the spec's order. */
export interface MessageSource {
  name: string;
  comment: string;
  fields: { name: string; optional: boolean; type: TypeExpression }[];
}

/** An endpoint as an rpc. */
export interface RpcSource {
  specName: string;
  camel: string;
  pascal: string;
  comment: string;
  request: MessageSource;
  response: MessageSource;
}

/**
 * The gRPC contract of one context: package `<system>.<context>.v1`, one rpc per endpoint, a
 * message per type and per request and response, with field numbers from the record (`numbers`,
 * updated in place).
 */
export function buildProto(system: string, context: string, types: MessageSource[], rpcs: RpcSource[], numbers: Record<string, MessageNumbers>): ProtoModel {
  const pkg = [snakeCase(system), snakeCase(context), 'v1'];
  const serviceName = `${pascalCase(context)}Service`;
  const sources = [...rpcs.flatMap((rpc) => [rpc.request, rpc.response]), ...types];
  const messages = sources.map((source) => buildMessage(source, numbers));
  // Messages that left the spec leave the record: nothing refers to them any more.
  for (const name of Object.keys(numbers)) if (!sources.some((source) => source.name === name)) delete numbers[name];
  const importPath = `${pkg.join('/')}/${snakeCase(context)}.proto`;
  return {
    package: pkg.join('.'),
    importPath,
    path: `proto/${importPath}`,
    serviceName,
    fullServiceName: `${pkg.join('.')}.${serviceName}`,
    messages,
    rpcs: rpcs.map((rpc) => ({ name: rpc.pascal, camel: rpc.camel, specName: rpc.specName, comment: rpc.comment, request: rpc.request.name, response: rpc.response.name })),
    codecJson: tsLiteral(Object.fromEntries(messages.map((message) => [message.name, message.fields.map((field) => (field.message ? [field.specName, field.name, field.message] : [field.specName, field.name]))]))),
  };
}

function buildMessage(source: MessageSource, numbers: Record<string, MessageNumbers>): ProtoMessageModel {
  const fields = source.fields.map((field) => {
    const element = field.type.kind === 'list' ? field.type.of : field.type;
    const type = element.kind === 'primitive' ? PROTO_SCALARS[element.name] : element.kind === 'ref' ? pascalCase(element.name) : 'unsupported';
    return { field, name: snakeCase(field.name), type, repeated: field.type.kind === 'list', message: element.kind === 'ref' ? type : undefined };
  });
  const record = numberProtoFields(numbers[source.name], fields.map((field) => ({ name: field.name, type: field.repeated ? `${field.type}[]` : field.type })));
  numbers[source.name] = record;
  const inUse = new Set(fields.map((field) => field.name));
  return {
    name: source.name,
    comment: source.comment,
    fields: fields.map(({ field, name, type, repeated, message }) => ({
      name,
      specName: field.name,
      number: record.fields[name]!.number,
      // A list has no presence of its own; every other optional field says whether it was sent.
      label: repeated ? 'repeated ' : field.optional ? 'optional ' : '',
      type,
      message,
    })),
    reservedNumbers: record.reserved.map((entry) => entry.number).join(', '),
    reservedNames: [...new Set(record.reserved.map((entry) => entry.name))].filter((name) => !inUse.has(name)).map((name) => `"${name}"`).join(', '),
  };
}
