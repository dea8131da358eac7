import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build-model.js';
import { numberProtoFields } from '../../src/model/number-proto-fields.js';
import type { RawSpec } from '../../src/spec/spec-schema.js';

describe('numberProtoFields', () => {
  it('numbers new fields in order, from 1', () => {
    expect(numberProtoFields(undefined, [{ name: 'id', type: 'string' }, { name: 'lines', type: 'Line[]' }])).toEqual({
      fields: { id: { number: 1, type: 'string' }, lines: { number: 2, type: 'Line[]' } },
      reserved: [],
    });
  });

  it('keeps the numbers of fields that stay, wherever they move, and gives a new field the next number never used', () => {
    const before = numberProtoFields(undefined, [{ name: 'a', type: 'string' }, { name: 'b', type: 'int64' }, { name: 'c', type: 'bool' }]);
    const after = numberProtoFields(before, [{ name: 'c', type: 'bool' }, { name: 'd', type: 'double' }, { name: 'a', type: 'string' }]);
    expect(after).toEqual({
      fields: { c: { number: 3, type: 'bool' }, d: { number: 4, type: 'double' }, a: { number: 1, type: 'string' } },
      reserved: [{ number: 2, name: 'b', type: 'int64' }],
    });
  });

  it('never reuses a removed field\'s number, also after later changes', () => {
    let record = numberProtoFields(undefined, [{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }]);
    record = numberProtoFields(record, [{ name: 'a', type: 'string' }]);
    record = numberProtoFields(record, [{ name: 'a', type: 'string' }, { name: 'x', type: 'string' }]);
    expect(record.fields.x).toEqual({ number: 3, type: 'string' });
    expect(record.reserved).toEqual([{ number: 2, name: 'b', type: 'string' }]);
  });

  it('gives a retyped field a new number and reserves the old one: an old client\'s value is never read as the new type', () => {
    const before = numberProtoFields(undefined, [{ name: 'total', type: 'int64' }]);
    expect(numberProtoFields(before, [{ name: 'total', type: 'double' }])).toEqual({
      fields: { total: { number: 2, type: 'double' } },
      reserved: [{ number: 1, name: 'total', type: 'int64' }],
    });
  });

  it('gives a field that comes back with its old type its old number back', () => {
    const before = numberProtoFields(numberProtoFields(undefined, [{ name: 'a', type: 'string' }, { name: 'b', type: 'bool' }]), [{ name: 'a', type: 'string' }]);
    expect(numberProtoFields(before, [{ name: 'a', type: 'string' }, { name: 'b', type: 'bool' }])).toEqual({
      fields: { a: { number: 1, type: 'string' }, b: { number: 2, type: 'bool' } },
      reserved: [],
    });
  });

  it('skips the numbers the protobuf implementation reserves (19000-19999)', () => {
    const record = numberProtoFields({ fields: { a: { number: 18_999, type: 'string' } }, reserved: [] }, [{ name: 'a', type: 'string' }, { name: 'b', type: 'string' }]);
    expect(record.fields.b).toEqual({ number: 20_000, type: 'string' });
  });
});

describe('the .proto model of a context', () => {
  const spec = (request: Record<string, string>): RawSpec => ({
    name: 'my-shop',
    contexts: {
      orderDesk: {
        transports: ['grpc'],
        types: { Line: { sku: 'string' } },
        endpoints: { placeOrder: { request, response: { orderId: 'uuid' }, errors: undefined } },
      },
    },
  });

  it('names package, file and service in proto style, fields in lower_snake_case', () => {
    const proto = buildModel(spec({ customerId: 'string', 'lines?': '[Line]', 'note?': 'string', placedAt: 'datetime', count: 'integer' })).services[0]!.grpc!;
    expect([proto.package, proto.path, proto.fullServiceName]).toEqual(['my_shop.order_desk.v1', 'proto/my_shop/order_desk/v1/order_desk.proto', 'my_shop.order_desk.v1.OrderDeskService']);
    const request = proto.messages.find((message) => message.name === 'PlaceOrderRequest')!;
    expect(request.fields.map((field) => `${field.label}${field.type} ${field.name} = ${field.number}`)).toEqual([
      'string customer_id = 1',
      'repeated Line lines = 2',
      'optional string note = 3',
      'string placed_at = 4',
      'int64 count = 5',
    ]);
  });

  it('reserves the number and name of a field that left the spec, from the record of the last run', () => {
    const first = buildModel(spec({ customerId: 'string', note: 'string' }));
    const second = buildModel(spec({ customerId: 'string', total: 'number' }), first.protoNumbers);
    const request = second.services[0]!.grpc!.messages.find((message) => message.name === 'PlaceOrderRequest')!;
    expect(request.fields.map((field) => [field.name, field.number])).toEqual([['customer_id', 1], ['total', 3]]);
    expect([request.reservedNumbers, request.reservedNames]).toEqual(['2', '"note"']);
  });

  it('drops the record of a context that left the spec, and keeps one that stopped serving gRPC', () => {
    const first = buildModel(spec({ id: 'string' }));
    expect(Object.keys(buildModel({ name: 'my-shop', contexts: { other: {} } } as RawSpec, first.protoNumbers).protoNumbers)).toEqual([]);
    const httpOnly = spec({ id: 'string' });
    httpOnly.contexts.orderDesk!.transports = ['http'];
    expect(buildModel(httpOnly, first.protoNumbers).protoNumbers).toEqual(first.protoNumbers);
  });
});
