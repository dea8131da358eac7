import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/build-model.js';
import { describeWireChanges } from '../../src/model/describe-wire-changes.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { renameInSpec, type RenameRequest } from '../../src/spec/rename-in-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';
import { yaml } from '../helpers/spec-text.js';

/** What callers see change after each kind of rename: one line per change, breaking or not. */

const spec = yaml`
  name: cargo
  contexts:
    booking:
      transports: [http, grpc, nats]
      types:
        Cargo: { id: string, weight: number }
      endpoints:
        findCargo:
          http: GET /cargo/{cargoId}
          request: { cargoId: string, withLegs?: boolean }
          response: { cargo: Cargo }
          errors: [CargoMissing]
        loadCargo:
          request: { cargo: Cargo, note?: string }
          response: { ok: boolean }
`;

function changes(request: RenameRequest) {
  const source = parseSpec('kit.yaml', spec);
  const { source: edited, rename } = renameInSpec(source, request);
  return describeWireChanges(buildModel(validateSpec(source).spec!), buildModel(validateSpec(edited).spec!), rename);
}

describe('describeWireChanges', () => {
  it('a path parameter has no name on the wire; a query parameter and a body field do', () => {
    expect(changes({ kind: 'field', context: 'booking', owner: 'findCargo.request', from: 'cargoId', to: 'id' })).toEqual([
      { context: 'booking', change: 'gRPC field FindCargoRequest.id keeps its number 1 (binary compatible; the .proto names it anew)', breaking: false },
    ]);
    expect(changes({ kind: 'field', context: 'booking', owner: 'findCargo.request', from: 'withLegs', to: 'legs' })[0]).toEqual({ context: 'booking', change: 'GET /cargo/{cargoId}: query parameter withLegs -> legs', breaking: true });
    expect(changes({ kind: 'field', context: 'booking', owner: 'loadCargo.request', from: 'note', to: 'remark' })[0]).toEqual({ context: 'booking', change: 'POST /load-cargo: request field note -> remark', breaking: true });
    expect(changes({ kind: 'field', context: 'booking', owner: 'findCargo.response', from: 'cargo', to: 'found' })[0]).toEqual({ context: 'booking', change: 'GET /cargo/{cargoId}: response field cargo -> found', breaking: true });
  });

  it('a type\'s field, in every route that carries the type', () => {
    expect(changes({ kind: 'field', context: 'booking', owner: 'Cargo', from: 'weight', to: 'mass' })).toEqual([
      { context: 'booking', change: 'JSON field Cargo.weight -> mass (GET /cargo/{cargoId}, POST /load-cargo)', breaking: true },
      { context: 'booking', change: 'gRPC field Cargo.mass keeps its number 2 (binary compatible; the .proto names it anew)', breaking: false },
    ]);
  });

  it('an endpoint: the route made of its name, the rpc and the NATS subject', () => {
    expect(changes({ kind: 'endpoint', context: 'booking', from: 'loadCargo', to: 'stowCargo' })).toEqual([
      { context: 'booking', change: 'POST /load-cargo -> POST /stow-cargo', breaking: true },
      { context: 'booking', change: 'gRPC cargo.booking.v1.BookingService/LoadCargo -> cargo.booking.v1.BookingService/StowCargo', breaking: true },
      { context: 'booking', change: 'NATS subject cargo.booking.loadCargo -> cargo.booking.stowCargo', breaking: true },
    ]);
  });

  it('a context: its gRPC service, NATS subjects and queue group, package and compose service', () => {
    expect(changes({ kind: 'context', context: 'booking', from: 'booking', to: 'shipping' })).toEqual([
      { context: 'booking', change: 'gRPC service cargo.booking.v1.BookingService -> cargo.shipping.v1.ShippingService', breaking: true },
      { context: 'booking', change: 'NATS subjects cargo.booking.* -> cargo.shipping.*, queue group booking -> shipping', breaking: true },
      { context: 'booking', change: 'package @cargo/booking -> @cargo/shipping; compose service booking -> shipping', breaking: false },
    ]);
  });

  it('an error: its code, and the statuses of a kind that changes with the name', () => {
    expect(changes({ kind: 'error', context: 'booking', from: 'CargoMissing', to: 'CargoGone' })).toEqual([
      { context: 'booking', change: 'error code CARGO_MISSING -> CARGO_GONE', breaking: true },
      { context: 'booking', change: 'HTTP status of CARGO_GONE: 404 -> 422', breaking: true },
      { context: 'booking', change: 'gRPC status of CARGO_GONE: NOT_FOUND -> FAILED_PRECONDITION', breaking: true },
    ]);
  });

  it('a type: nothing on the JSON wire, a renamed message over gRPC', () => {
    expect(changes({ kind: 'type', context: 'booking', from: 'Cargo', to: 'Freight' })).toEqual([{ context: 'booking', change: 'gRPC message Cargo -> Freight (field numbers kept; binary compatible)', breaking: false }]);
  });
});
