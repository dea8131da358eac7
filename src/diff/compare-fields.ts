import { pascalCase } from '../naming.js';
import type { FieldModel, ProtoModel, ServiceModel } from '../model/system-model.js';
import type { PrimitiveName, TransportName } from '../spec/tables.js';
import { parseTypeExpression, type TypeExpression } from '../spec/type-expression.js';
import type { ChangeKind } from './api-change.js';

/** One side of the comparison: a version of the service, its types by name and its gRPC messages. */
export interface FieldsSide {
  fields: readonly FieldModel[];
  service: ServiceModel;
  /** The proto message holding `fields` (`PlaceOrderRequest`), when the service serves grpc. */
  message: string;
}

/** A change of one field of a request or a response, at its path (`lines[].quantity`). */
export interface FieldChange {
  kind: ChangeKind;
  path: string;
  detail: string;
  breaksOver: TransportName[];
}

/**
 * Built-in values each built-in type accepts besides its own: every integer is a number, every
 * uuid and every datetime a string. A request may widen (callers send what they always sent); a
 * response may narrow (callers read what they always read).
 */
const WIDER: Readonly<Partial<Record<PrimitiveName, readonly PrimitiveName[]>>> = {
  number: ['integer'],
  string: ['uuid', 'datetime'],
};

/**
 * The changes between the fields of a request (or a response) in two versions of an endpoint,
 * field by field and through the types they hold, as a caller built against the older one sees
 * them. `over` are the transports both versions serve: an incompatible change breaks callers over
 * each of them; over gRPC a change that gives a field a new number (a retyped field, a renamed
 * message type) breaks callers too, even when its JSON stays compatible.
 */
export function compareFields(direction: 'request' | 'response', before: FieldsSide, after: FieldsSide, over: readonly TransportName[]): FieldChange[] {
  const changes: FieldChange[] = [];
  /** The pairs of types being compared on the way down: a type that holds itself is compared once per path. */
  const inside = new Set<string>();
  const grpc = over.includes('grpc');
  const kind = (change: 'added' | 'removed' | 'retyped' | 'required' | 'optional') => `${direction}-field-${change}` as ChangeKind;
  const breaking = (isBreaking: boolean): TransportName[] => (isBreaking ? [...over] : []);

  const walk = (path: string, oldFields: readonly FieldModel[], newFields: readonly FieldModel[], oldMessage: string, newMessage: string) => {
    const at = (name: string) => (path ? `${path}.${name}` : name);
    for (const field of oldFields) {
      const next = newFields.find((candidate) => candidate.name === field.name);
      if (!next) {
        // A request field that goes is dropped from what callers still send (undeclared fields are
        // removed before validation); a response field that goes is missed by callers that read it,
        // unless it was optional and so never certain to come.
        const isBreaking = direction === 'response' && !field.optional;
        changes.push({ kind: kind('removed'), path: at(field.name), detail: describe(field), breaksOver: breaking(isBreaking) });
        continue;
      }
      const renumbered = grpc && protoNumber(before.service.grpc, oldMessage, field.name) !== protoNumber(after.service.grpc, newMessage, next.name);
      const shape = compareShapes(at(field.name), parse(field), parse(next));
      if (shape !== 'same') {
        const breaksOver = breaking(shape === 'breaking');
        if (renumbered && !breaksOver.includes('grpc')) breaksOver.push('grpc');
        // A type renamed with the same fields is invisible in JSON: worth a line only where it breaks.
        if (shape !== 'renamed' || breaksOver.length > 0) {
          changes.push({
            kind: kind('retyped'),
            path: at(field.name),
            detail: `${field.specType} -> ${next.specType}${renumbered ? ' (a new field number over gRPC)' : ''}`,
            breaksOver,
          });
        }
      }
      if (field.optional !== next.optional) {
        // A request field that becomes required is missing from older callers' requests; a response
        // field that becomes optional is missing from answers older callers rely on.
        const isBreaking = direction === 'request' ? !next.optional : next.optional;
        changes.push({ kind: kind(next.optional ? 'optional' : 'required'), path: at(field.name), detail: next.specType, breaksOver: breaking(isBreaking) });
      }
    }
    for (const field of newFields) {
      if (oldFields.some((candidate) => candidate.name === field.name)) continue;
      // Older callers do not send it (fine while it is optional) and do not read it.
      const isBreaking = direction === 'request' && !field.optional;
      changes.push({ kind: kind('added'), path: at(field.name), detail: describe(field), breaksOver: breaking(isBreaking) });
    }
  };

  /**
   * How the value of a field changed: not at all, only the name of its type (the same JSON), in a
   * way older callers survive, or not. Types of the context are compared field by field (their
   * changes are reported at their own paths), so a type renamed with the same fields is the same JSON.
   */
  const compareShapes = (path: string, from: TypeExpression, to: TypeExpression): 'same' | 'renamed' | 'compatible' | 'breaking' => {
    if (from.kind === 'list' && to.kind === 'list') return compareShapes(`${path}[]`, from.of, to.of);
    if (from.kind === 'ref' && to.kind === 'ref') {
      const [oldName, newName] = [pascalCase(from.name), pascalCase(to.name)];
      const pair = `${oldName}|${newName}`;
      // Every field holding the type shows its changes at its own path (callers meet them there),
      // except inside itself: a recursive type is compared at its outermost place.
      if (!inside.has(pair)) {
        inside.add(pair);
        walk(path, fieldsOf(before.service, oldName), fieldsOf(after.service, newName), oldName, newName);
        inside.delete(pair);
      }
      return oldName === newName ? 'same' : 'renamed';
    }
    if (from.kind === 'primitive' && to.kind === 'primitive') {
      if (from.name === to.name) return 'same';
      const [narrow, wide] = direction === 'request' ? [from.name, to.name] : [to.name, from.name];
      return WIDER[wide]?.includes(narrow) ? 'compatible' : 'breaking';
    }
    return 'breaking';
  };

  walk('', before.fields, after.fields, before.message, after.message);
  return changes;
}

function describe(field: FieldModel): string {
  return `${field.specType}, ${field.optional ? 'optional' : 'required'}`;
}

function parse(field: FieldModel): TypeExpression {
  // specType is how the spec wrote a type that validated.
  return parseTypeExpression(field.specType)!;
}

function fieldsOf(service: ServiceModel, typeName: string): readonly FieldModel[] {
  return service.types.find((type) => type.name === typeName)?.fields ?? [];
}

/** A field's number in a message of the service's .proto; undefined without gRPC. */
function protoNumber(proto: ProtoModel | undefined, message: string, specName: string): number | undefined {
  return proto?.messages.find((candidate) => candidate.name === message)?.fields.find((field) => field.specName === specName)?.number;
}
