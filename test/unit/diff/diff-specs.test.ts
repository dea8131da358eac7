import { describe, expect, it } from 'vitest';
import type { ApiChange, ChangeKind, Consumer } from '../../../src/diff/api-change.js';
import { apiChangesReport } from '../../../src/diff/api-changes-report.js';
import { diffSpecs } from '../../../src/diff/diff-specs.js';
import { formatApiChanges } from '../../../src/diff/format-api-changes.js';
import { summarizeBreakingChanges } from '../../../src/diff/summarize-breaking-changes.js';
import { buildModel } from '../../../src/model/build-model.js';
import type { ProtoNumbers } from '../../../src/model/number-proto-fields.js';
import { parseSpec } from '../../../src/spec/load-spec.js';
import type { RawSpec } from '../../../src/spec/spec-schema.js';
import type { TransportName } from '../../../src/spec/tables.js';
import { validateSpec } from '../../../src/spec/validate-spec.js';

/**
 * Every kind of API change between two specs, breaking and compatible, with the exact table `diff`
 * prints and the exact changes `diff --json` reports. The older spec: billing (called by ordering
 * for charge, and by audit, whose uses lists no endpoints), ordering, audit, and routing over HTTP
 * and gRPC (called by booking over gRPC). Ports are explicit, so that only the port case moves one.
 */
const base = () => ({
  name: 'shop',
  contexts: {
    billing: {
      port: 8101,
      types: { Payer: { id: 'string', iban: 'string' }, Receipt: { receiptId: 'string', amount: 'number', 'note?': 'string' } } as Record<string, Record<string, unknown>>,
      endpoints: {
        charge: {
          request: { payer: 'Payer', amount: 'number', 'reference?': 'string' } as Record<string, unknown>,
          response: { receipt: 'Receipt', 'fee?': 'number' } as Record<string, unknown>,
          errors: ['PaymentDeclined', 'PayerMissing'],
        },
        getReceipt: { http: 'GET /receipts/{receiptId}', request: { receiptId: 'string' } as Record<string, unknown>, response: { receipt: 'Receipt' } },
      } as Record<string, any>,
    } as Record<string, any>,
    ordering: {
      port: 8102,
      endpoints: { placeOrder: { request: { sku: 'string', 'qty?': 'integer' } as Record<string, unknown>, response: { orderId: 'uuid' } as Record<string, unknown> } },
      uses: { billing: { endpoints: ['charge'] } } as Record<string, any> | undefined,
    },
    audit: { port: 8103, uses: { billing: {} } as Record<string, any> | undefined },
    routing: {
      port: 8104,
      transports: ['http', 'grpc'],
      types: { Leg: { from: 'string', to: 'string' } } as Record<string, any>,
      endpoints: { getLeg: { http: 'GET /legs/{voyageId}', request: { voyageId: 'string', 'count?': 'integer' } as Record<string, unknown>, response: { leg: 'Leg', days: 'integer' } as Record<string, unknown> } },
    },
    booking: { port: 8105, uses: { routing: { via: 'grpc', endpoints: ['getLeg'] } } as Record<string, any> },
  } as Record<string, any>,
});
type Spec = ReturnType<typeof base>;

function load(value: object): RawSpec {
  const { spec, problems } = validateSpec(parseSpec('kit.yaml', JSON.stringify(value)));
  expect(problems.filter((problem) => problem.severity === 'error')).toEqual([]);
  return spec!;
}

function diff(change: (spec: Spec) => void, numbers?: { older?: ProtoNumbers; newer?: ProtoNumbers }): ApiChange[] {
  const next = base();
  change(next);
  return diffSpecs(load(base()), load(next), numbers);
}

const table = (changes: ApiChange[]) => formatApiChanges(changes, { against: 'HEAD:kit.yaml' });

/** One change as `diff --json` reports it. */
function change(kind: ChangeKind, context: string, subject: string, detail: string, options: { endpoint?: string; over?: TransportName[]; consumers?: Consumer[] } = {}): ApiChange {
  const over = options.over ?? [];
  return {
    kind,
    context,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    subject,
    detail,
    breaking: over.length > 0,
    breaksOver: over,
    consumers: options.consumers ?? [],
    external: over.length > 0,
  };
}

const ORDERING: Consumer = { context: 'ordering', via: 'http', calls: ['billing.charge'] };
const AUDIT: Consumer = { context: 'audit', via: 'http', calls: ['billing'] };
const BOOKING: Consumer = { context: 'booking', via: 'grpc', calls: ['routing.getLeg'] };

describe('diff: contexts, transports and ports', () => {
  it('nothing changed: no changes', () => {
    expect(diff(() => {})).toEqual([]);
    expect(table([])).toBe('no API changes against HEAD:kit.yaml\n');
  });

  it('a context removed is breaking for every context of the older spec that calls it (those still run), and for any outside caller', () => {
    const changes = diff((spec) => {
      delete spec.contexts.billing;
      delete spec.contexts.ordering.uses;
      delete spec.contexts.audit.uses;
    });
    expect(table(changes)).toBe(`billing
  breaking    context removed  billing  http :8101; 2 endpoints
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)

1 change against HEAD:kit.yaml: 1 breaking, 0 compatible
`);
    expect(changes).toEqual([change('context-removed', 'billing', 'billing', 'http :8101; 2 endpoints', { over: ['http'], consumers: [ORDERING, AUDIT] })]);
  });

  it('a context added is compatible', () => {
    const changes = diff((spec) => {
      spec.contexts.shipping = { port: 8106, endpoints: { ship: { request: { orderId: 'string' }, response: { ok: 'boolean' } } } };
    });
    expect(table(changes)).toBe(`shipping
  compatible  context added  shipping  http :8106; 1 endpoint

1 change against HEAD:kit.yaml: 0 breaking, 1 compatible
`);
    expect(changes).toEqual([change('context-added', 'shipping', 'shipping', 'http :8106; 1 endpoint')]);
  });

  it('a transport removed breaks the consumers that call over it; one added is compatible', () => {
    const changes = diff((spec) => {
      spec.contexts.routing.transports = ['http'];
      spec.contexts.booking.uses.routing.via = 'http';
      spec.contexts.billing.transports = ['http', 'grpc'];
    });
    expect(table(changes)).toBe(`billing
  compatible  transport added    grpc  port 9101

routing
  breaking    transport removed  grpc  port 9104
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over grpc)

2 changes against HEAD:kit.yaml: 1 breaking, 1 compatible
`);
    expect(changes).toEqual([
      change('transport-added', 'billing', 'grpc', 'port 9101'),
      change('transport-removed', 'routing', 'grpc', 'port 9104', { over: ['grpc'], consumers: [BOOKING] }),
    ]);
  });

  it('a port that moves breaks every caller over it, also a default port moved by a context before it', () => {
    const changes = diff((spec) => {
      spec.contexts.billing.port = 8201;
      delete spec.contexts.routing.port;
    });
    expect(table(changes)).toBe(`billing
  breaking    port changed  http  8101 -> 8201
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)

routing
  breaking    port changed  http  8104 -> 8084
              breaks any caller outside kit.yaml (over http)
  breaking    port changed  grpc  9104 -> 9084
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over grpc)

3 changes against HEAD:kit.yaml: 3 breaking, 0 compatible
`);
    expect(changes).toEqual([
      change('port-changed', 'billing', 'http', '8101 -> 8201', { over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('port-changed', 'routing', 'http', '8104 -> 8084', { over: ['http'] }),
      change('port-changed', 'routing', 'grpc', '9104 -> 9084', { over: ['grpc'], consumers: [BOOKING] }),
    ]);
  });
});

describe('diff: endpoints and routes', () => {
  it('an endpoint removed breaks only the consumers that call it (or the whole context); one added is compatible', () => {
    const changes = diff((spec) => {
      delete spec.contexts.billing.endpoints.getReceipt;
      spec.contexts.billing.endpoints.refund = { http: 'POST /refunds/{receiptId}', request: { receiptId: 'string' }, response: { ok: 'boolean' } };
    });
    expect(table(changes)).toBe(`billing
  breaking    endpoint removed  getReceipt  GET /receipts/{receiptId}
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)
  compatible  endpoint added    refund      POST /refunds/{receiptId}

2 changes against HEAD:kit.yaml: 1 breaking, 1 compatible
`);
    expect(changes).toEqual([
      change('endpoint-removed', 'billing', 'getReceipt', 'GET /receipts/{receiptId}', { endpoint: 'getReceipt', over: ['http'], consumers: [AUDIT] }),
      change('endpoint-added', 'billing', 'refund', 'POST /refunds/{receiptId}', { endpoint: 'refund' }),
    ]);
  });

  it('an rpc removed names its gRPC consumers', () => {
    const changes = diff((spec) => {
      spec.contexts.routing.endpoints = {};
      spec.contexts.booking.uses.routing.endpoints = [];
    });
    expect(table(changes)).toBe(`routing
  breaking    endpoint removed  getLeg  GET /legs/{voyageId}, rpc GetLeg
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over http, grpc)

1 change against HEAD:kit.yaml: 1 breaking, 0 compatible
`);
    expect(changes).toEqual([change('endpoint-removed', 'routing', 'getLeg', 'GET /legs/{voyageId}, rpc GetLeg', { endpoint: 'getLeg', over: ['http', 'grpc'], consumers: [BOOKING] })]);
  });

  it('a method or a path that changes is breaking; a path parameter renamed in place is the same URL', () => {
    const changes = diff((spec) => {
      spec.contexts.billing.endpoints.charge.http = 'PUT /charge';
      spec.contexts.billing.endpoints.getReceipt.http = 'GET /receipt/{receiptId}';
      spec.contexts.routing.endpoints.getLeg.http = 'GET /legs/{id}';
      spec.contexts.routing.endpoints.getLeg.request = { id: 'string', 'count?': 'integer' };
    });
    expect(table(changes)).toBe(`billing
  breaking    route changed          charge                   POST /charge -> PUT /charge
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)
  breaking    route changed          getReceipt               GET /receipts/{receiptId} -> GET /receipt/{receiptId}
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)

routing
  compatible  request field removed  getLeg request.voyageId  string, required
  breaking    request field added    getLeg request.id        string, required
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over grpc)

4 changes against HEAD:kit.yaml: 3 breaking, 1 compatible
`);
    expect(changes).toEqual([
      change('route-changed', 'billing', 'charge', 'POST /charge -> PUT /charge', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('route-changed', 'billing', 'getReceipt', 'GET /receipts/{receiptId} -> GET /receipt/{receiptId}', { endpoint: 'getReceipt', over: ['http'], consumers: [AUDIT] }),
      change('request-field-removed', 'routing', 'getLeg request.voyageId', 'string, required', { endpoint: 'getLeg' }),
      change('request-field-added', 'routing', 'getLeg request.id', 'string, required', { endpoint: 'getLeg', over: ['grpc'], consumers: [BOOKING] }),
    ]);
  });

  it('over HTTP alone, a path parameter renamed in place changes nothing for callers', () => {
    expect(
      diff((spec) => {
        spec.contexts.billing.endpoints.getReceipt.http = 'GET /receipts/{id}';
        spec.contexts.billing.endpoints.getReceipt.request = { id: 'string' };
      }),
    ).toEqual([]);
  });
});

describe('diff: request fields', () => {
  it('a field added as required is breaking, as optional compatible; a field removed is compatible (what older callers send is dropped)', () => {
    const changes = diff((spec) => {
      const request = spec.contexts.billing.endpoints.charge.request;
      request.coupon = 'string';
      request['note?'] = 'string';
      delete request['reference?'];
    });
    expect(table(changes)).toBe(`billing
  compatible  request field removed  charge request.reference  string, optional
  breaking    request field added    charge request.coupon     string, required
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)
  compatible  request field added    charge request.note       string, optional

3 changes against HEAD:kit.yaml: 1 breaking, 2 compatible
`);
    expect(changes).toEqual([
      change('request-field-removed', 'billing', 'charge request.reference', 'string, optional', { endpoint: 'charge' }),
      change('request-field-added', 'billing', 'charge request.coupon', 'string, required', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('request-field-added', 'billing', 'charge request.note', 'string, optional', { endpoint: 'charge' }),
    ]);
  });

  it('an optional field made required is breaking; a required one made optional is compatible', () => {
    const changes = diff((spec) => {
      const request = spec.contexts.billing.endpoints.charge.request;
      delete request['reference?'];
      request.reference = 'string';
      delete request.amount;
      request['amount?'] = 'number';
    });
    expect(table(changes)).toBe(`billing
  compatible  request field now optional  charge request.amount     number
  breaking    request field now required  charge request.reference  string
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)

2 changes against HEAD:kit.yaml: 1 breaking, 1 compatible
`);
    expect(changes).toEqual([
      change('request-field-optional', 'billing', 'charge request.amount', 'number', { endpoint: 'charge' }),
      change('request-field-required', 'billing', 'charge request.reference', 'string', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
    ]);
  });

  it('a field retyped is breaking when older values no longer fit (also inside a type, and into a list); widened is compatible over HTTP', () => {
    const changes = diff((spec) => {
      spec.contexts.billing.endpoints.charge.request.amount = 'integer';
      spec.contexts.billing.types.Payer.iban = 'uuid';
      spec.contexts.ordering.endpoints.placeOrder.request.sku = ['string'];
      spec.contexts.ordering.endpoints.placeOrder.request['qty?'] = 'number';
    });
    expect(table(changes)).toBe(`billing
  breaking    request field retyped  charge request.payer.iban  string -> uuid
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)
  breaking    request field retyped  charge request.amount      number -> integer
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)

ordering
  breaking    request field retyped  placeOrder request.sku     string -> [string]
              breaks any caller outside kit.yaml (over http)
  compatible  request field retyped  placeOrder request.qty     integer -> number

4 changes against HEAD:kit.yaml: 3 breaking, 1 compatible
`);
    expect(changes).toEqual([
      change('request-field-retyped', 'billing', 'charge request.payer.iban', 'string -> uuid', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('request-field-retyped', 'billing', 'charge request.amount', 'number -> integer', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('request-field-retyped', 'ordering', 'placeOrder request.sku', 'string -> [string]', { endpoint: 'placeOrder', over: ['http'] }),
      change('request-field-retyped', 'ordering', 'placeOrder request.qty', 'integer -> number', { endpoint: 'placeOrder' }),
    ]);
  });

  it('over gRPC a widened field is breaking too: it gets a new field number, which older clients do not send', () => {
    const changes = diff((spec) => {
      spec.contexts.routing.endpoints.getLeg.request['count?'] = 'number';
    });
    expect(table(changes)).toBe(`routing
  breaking    request field retyped  getLeg request.count  integer -> number (a new field number over gRPC)
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over grpc)

1 change against HEAD:kit.yaml: 1 breaking, 0 compatible
`);
    expect(changes).toEqual([change('request-field-retyped', 'routing', 'getLeg request.count', 'integer -> number (a new field number over gRPC)', { endpoint: 'getLeg', over: ['grpc'], consumers: [BOOKING] })]);
  });

  it('a field added to a type of the request is seen at its path', () => {
    const changes = diff((spec) => {
      spec.contexts.billing.types.Payer.bic = 'string';
      spec.contexts.billing.types.Payer['name?'] = 'string';
    });
    expect(table(changes)).toBe(`billing
  breaking    request field added  charge request.payer.bic   string, required
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)
  compatible  request field added  charge request.payer.name  string, optional

2 changes against HEAD:kit.yaml: 1 breaking, 1 compatible
`);
    expect(changes).toEqual([
      change('request-field-added', 'billing', 'charge request.payer.bic', 'string, required', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('request-field-added', 'billing', 'charge request.payer.name', 'string, optional', { endpoint: 'charge' }),
    ]);
  });
});

describe('diff: types held by fields', () => {
  it('a type held by two fields shows its change at both paths; a type that holds itself is compared once per path, and ends', () => {
    const older = {
      name: 'shop',
      contexts: {
        tree: {
          types: { Node: { name: 'string', 'children?': ['Node'] }, Address: { street: 'string' } } as Record<string, Record<string, unknown>>,
          endpoints: { put: { request: { root: 'Node', from: 'Address', to: 'Address' }, response: { ok: 'boolean' } } },
        },
      },
    };
    const newer = structuredClone(older);
    newer.contexts.tree.types.Node!.name = 'integer';
    newer.contexts.tree.types.Address!.zip = 'string';
    expect(table(diffSpecs(load(older), load(newer)))).toBe(`tree
  breaking    request field retyped  put request.root.name  string -> integer
              breaks any caller outside kit.yaml (over http)
  breaking    request field added    put request.from.zip   string, required
              breaks any caller outside kit.yaml (over http)
  breaking    request field added    put request.to.zip     string, required
              breaks any caller outside kit.yaml (over http)

3 changes against HEAD:kit.yaml: 3 breaking, 0 compatible
`);
  });
});

describe('diff: response fields', () => {
  it('a required field removed is breaking (at every endpoint whose answer holds it), an optional one compatible; a field added is compatible', () => {
    const changes = diff((spec) => {
      const response = spec.contexts.billing.endpoints.charge.response;
      delete response['fee?'];
      response.currency = 'string';
      delete spec.contexts.billing.types.Receipt.amount;
    });
    expect(table(changes)).toBe(`billing
  breaking    response field removed  charge response.receipt.amount      number, required
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)
  compatible  response field removed  charge response.fee                 number, optional
  compatible  response field added    charge response.currency            string, required
  breaking    response field removed  getReceipt response.receipt.amount  number, required
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)

4 changes against HEAD:kit.yaml: 2 breaking, 2 compatible
`);
    expect(changes).toEqual([
      change('response-field-removed', 'billing', 'charge response.receipt.amount', 'number, required', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('response-field-removed', 'billing', 'charge response.fee', 'number, optional', { endpoint: 'charge' }),
      change('response-field-added', 'billing', 'charge response.currency', 'string, required', { endpoint: 'charge' }),
      change('response-field-removed', 'billing', 'getReceipt response.receipt.amount', 'number, required', { endpoint: 'getReceipt', over: ['http'], consumers: [AUDIT] }),
    ]);
  });

  it('a required field made optional is breaking; an optional one made required is compatible', () => {
    const changes = diff((spec) => {
      const response = spec.contexts.billing.endpoints.charge.response;
      delete response.receipt;
      response['receipt?'] = 'Receipt';
      delete response['fee?'];
      response.fee = 'number';
    });
    expect(table(changes)).toBe(`billing
  breaking    response field now optional  charge response.receipt  Receipt
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)
  compatible  response field now required  charge response.fee      number

2 changes against HEAD:kit.yaml: 1 breaking, 1 compatible
`);
    expect(changes).toEqual([
      change('response-field-optional', 'billing', 'charge response.receipt', 'Receipt', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('response-field-required', 'billing', 'charge response.fee', 'number', { endpoint: 'charge' }),
    ]);
  });

  it('a field retyped is compatible when narrowed (callers read what they always read), breaking when widened', () => {
    const changes = diff((spec) => {
      spec.contexts.billing.endpoints.charge.response['fee?'] = 'integer';
      spec.contexts.ordering.endpoints.placeOrder.response.orderId = 'string';
      spec.contexts.routing.endpoints.getLeg.response.days = 'number';
    });
    expect(table(changes)).toBe(`billing
  compatible  response field retyped  charge response.fee          number -> integer

ordering
  breaking    response field retyped  placeOrder response.orderId  uuid -> string
              breaks any caller outside kit.yaml (over http)

routing
  breaking    response field retyped  getLeg response.days         integer -> number (a new field number over gRPC)
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over http, grpc)

3 changes against HEAD:kit.yaml: 2 breaking, 1 compatible
`);
    expect(changes).toEqual([
      change('response-field-retyped', 'billing', 'charge response.fee', 'number -> integer', { endpoint: 'charge' }),
      change('response-field-retyped', 'ordering', 'placeOrder response.orderId', 'uuid -> string', { endpoint: 'placeOrder', over: ['http'] }),
      change('response-field-retyped', 'routing', 'getLeg response.days', 'integer -> number (a new field number over gRPC)', { endpoint: 'getLeg', over: ['http', 'grpc'], consumers: [BOOKING] }),
    ]);
  });

  it('a type renamed with the same fields is the same JSON, but a new field number over gRPC', () => {
    const changes = diff((spec) => {
      spec.contexts.routing.types = { Segment: { from: 'string', to: 'string' } };
      spec.contexts.routing.endpoints.getLeg.response.leg = 'Segment';
      spec.contexts.billing.types.Bill = spec.contexts.billing.types.Receipt;
      delete spec.contexts.billing.types.Receipt;
      spec.contexts.billing.endpoints.charge.response.receipt = 'Bill';
      spec.contexts.billing.endpoints.getReceipt.response.receipt = 'Bill';
    });
    expect(table(changes)).toBe(`routing
  breaking    response field retyped  getLeg response.leg  Leg -> Segment (a new field number over gRPC)
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over grpc)

1 change against HEAD:kit.yaml: 1 breaking, 0 compatible
`);
    expect(changes).toEqual([change('response-field-retyped', 'routing', 'getLeg response.leg', 'Leg -> Segment (a new field number over gRPC)', { endpoint: 'getLeg', over: ['grpc'], consumers: [BOOKING] })]);
  });
});

describe('diff: errors', () => {
  it('an error added or removed is compatible; one whose kind (and so its status) changed is breaking', () => {
    const changes = diff((spec) => {
      // Same code (PAYER_MISSING), but the name no longer ends in "Missing": not_found becomes failed_precondition.
      spec.contexts.billing.endpoints.charge.errors = ['PayerMissingError', 'CardExpired'];
    });
    expect(table(changes)).toBe(`billing
  compatible  error removed       charge  PaymentDeclined (PAYMENT_DECLINED)
  breaking    error kind changed  charge  PAYER_MISSING: not_found (HTTP 404) -> failed_precondition (HTTP 422)
              breaks ordering: it calls billing.charge
              breaks audit: it calls billing
              breaks any caller outside kit.yaml (over http)
  compatible  error added         charge  CardExpired (CARD_EXPIRED, failed_precondition)

3 changes against HEAD:kit.yaml: 1 breaking, 2 compatible
`);
    expect(changes).toEqual([
      change('error-removed', 'billing', 'charge', 'PaymentDeclined (PAYMENT_DECLINED)', { endpoint: 'charge' }),
      change('error-kind-changed', 'billing', 'charge', 'PAYER_MISSING: not_found (HTTP 404) -> failed_precondition (HTTP 422)', { endpoint: 'charge', over: ['http'], consumers: [ORDERING, AUDIT] }),
      change('error-added', 'billing', 'charge', 'CardExpired (CARD_EXPIRED, failed_precondition)', { endpoint: 'charge' }),
    ]);
  });
});

describe('diff: gRPC field numbers', () => {
  /** The record generate wrote for the older spec. */
  const record = () => buildModel(load(base())).protoNumbers;

  it('with the record kept, a field removed and another added never share a number', () => {
    const changes = diff(
      (spec) => {
        delete spec.contexts.routing.endpoints.getLeg.request['count?'];
        spec.contexts.routing.endpoints.getLeg.request['limit?'] = 'integer';
      },
      { older: record(), newer: record() },
    );
    expect(changes).toEqual([
      change('request-field-removed', 'routing', 'getLeg request.count', 'integer, optional', { endpoint: 'getLeg' }),
      change('request-field-added', 'routing', 'getLeg request.limit', 'integer, optional', { endpoint: 'getLeg' }),
    ]);
  });

  it('with the record lost, a number that meant another field is reused: breaking over gRPC', () => {
    const changes = diff(
      (spec) => {
        delete spec.contexts.routing.endpoints.getLeg.request['count?'];
        spec.contexts.routing.endpoints.getLeg.request['limit?'] = 'integer';
      },
      { older: record() },
    );
    expect(table(changes)).toBe(`routing
  compatible  request field removed      getLeg request.count   integer, optional
  compatible  request field added        getLeg request.limit   integer, optional
  breaking    proto field number reused  message GetLegRequest  2 was count (int64), now limit (int64)
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over grpc)

3 changes against HEAD:kit.yaml: 1 breaking, 2 compatible
`);
    expect(changes.at(-1)).toEqual(change('proto-number-reused', 'routing', 'message GetLegRequest', '2 was count (int64), now limit (int64)', { over: ['grpc'], consumers: [BOOKING] }));
  });

  it('with the record lost, a field that kept its name and type can move to another number: breaking over gRPC', () => {
    const older = record();
    // As after a field before it was removed: voyage_id kept 1, count had 3.
    older.routing!.GetLegRequest = { fields: { voyage_id: { number: 1, type: 'string' }, count: { number: 3, type: 'int64' } }, reserved: [{ number: 2, name: 'gone', type: 'string' }] };
    const changes = diff(() => {}, { older, newer: {} });
    expect(table(changes)).toBe(`routing
  breaking    proto field renumbered  message GetLegRequest  count: 3 -> 2
              breaks booking: it calls routing.getLeg
              breaks any caller outside kit.yaml (over grpc)

1 change against HEAD:kit.yaml: 1 breaking, 0 compatible
`);
    expect(changes).toEqual([change('proto-number-changed', 'routing', 'message GetLegRequest', 'count: 3 -> 2', { over: ['grpc'], consumers: [BOOKING] })]);
  });
});

describe('diff: reports', () => {
  it('diff --json: counts, then the changes', () => {
    const changes = diff((spec) => {
      spec.contexts.billing.endpoints.charge.request.coupon = 'string';
      spec.contexts.billing.endpoints.charge.errors = ['PaymentDeclined', 'PayerMissing', 'CardExpired'];
    });
    expect(`${JSON.stringify(apiChangesReport(changes, 'HEAD:kit.yaml'), null, 2)}\n`).toBe(`{
  "against": "HEAD:kit.yaml",
  "breaking": 1,
  "compatible": 1,
  "changes": [
    {
      "kind": "request-field-added",
      "context": "billing",
      "endpoint": "charge",
      "subject": "charge request.coupon",
      "detail": "string, required",
      "breaking": true,
      "breaksOver": [
        "http"
      ],
      "consumers": [
        {
          "context": "ordering",
          "via": "http",
          "calls": [
            "billing.charge"
          ]
        },
        {
          "context": "audit",
          "via": "http",
          "calls": [
            "billing"
          ]
        }
      ],
      "external": true
    },
    {
      "kind": "error-added",
      "context": "billing",
      "endpoint": "charge",
      "subject": "charge",
      "detail": "CardExpired (CARD_EXPIRED, failed_precondition)",
      "breaking": false,
      "breaksOver": [],
      "consumers": [],
      "external": false
    }
  ]
}
`);
  });

  it("generate's one line: how many break, the first few, and whom", () => {
    expect(summarizeBreakingChanges(diff((spec) => void (spec.contexts.billing.endpoints.charge.request['note?'] = 'string')))).toBeUndefined();
    const changes = diff((spec) => {
      spec.contexts.billing.endpoints.charge.request.coupon = 'string';
      delete spec.contexts.billing.endpoints.getReceipt;
      spec.contexts.billing.port = 8201;
      spec.contexts.routing.endpoints.getLeg.response.days = 'number';
    });
    expect(summarizeBreakingChanges(changes)).toBe(
      '4 breaking API changes (billing: port changed http; billing: request field added charge request.coupon; billing: endpoint removed getReceipt, and 1 more) break ordering, audit, booking, and any caller outside kit.yaml',
    );
    expect(summarizeBreakingChanges(changes.slice(2, 3))).toBe('1 breaking API change (billing: endpoint removed getReceipt) breaks audit, and any caller outside kit.yaml');
  });

  it('colours breaking red and compatible green only when asked', () => {
    const changes = diff((spec) => void (spec.contexts.billing.endpoints.charge.request['note?'] = 'string'));
    expect(formatApiChanges(changes, { against: 'x', color: true })).toContain('\u001b[32mcompatible\u001b[0m');
    expect(table(changes)).not.toContain('\u001b[');
  });
});
