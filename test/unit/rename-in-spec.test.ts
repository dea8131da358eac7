import { describe, expect, it } from 'vitest';
import { KitError } from '../../src/errors.js';
import { parseSpec } from '../../src/spec/load-spec.js';
import { renameInSpec, type RenameRequest } from '../../src/spec/rename-in-spec.js';
import { yaml } from '../helpers/spec-text.js';

/**
 * kit.yaml before and after a rename, exact text: only the names change, every comment, blank line
 * and quoting style stays, and every reference to the name follows it.
 */

const spec = yaml`
  # The cargo system.
  name: cargo
  contexts:
    booking: # books cargo
      types:
        Cargo:
          id: string
          weight: number   # kilograms
          legs?: [Leg]
        Leg: { from: string, to: string }
      endpoints:
        loadCargo:
          request: { cargo: Cargo, note?: string }
          response: { ok: boolean }
          errors: [CargoMissing, NoRoom]
        getCargo:
          http: GET /cargo/{cargoId}
          request: { cargoId: string }
          response: { cargo: "Cargo", history: '[Cargo]' }
          errors: [CargoMissing]
        unload:
          http: POST /load-cargo/{cargoId}/unload
          request: { cargoId: string }
    tracking:
      types:
        Shipment: { id: string, weight: number }
      endpoints:
        track:
          request: { id: string }
          response: { shipment: Shipment }
      uses:
        booking:
          endpoints: [loadCargo, getCargo]   # what tracking calls
          translate: { Cargo: Shipment }
`;

function rename(request: RenameRequest, text = spec) {
  return renameInSpec(parseSpec('kit.yaml', text), request);
}

/** The text with each [from, to] replaced once, in order: what a rename should make of it. */
function edited(text: string, ...changes: [string, string][]): string {
  for (const [from, to] of changes) {
    expect(text, `the spec holds ${from}`).toContain(from);
    text = text.replace(from, to);
  }
  return text;
}

function refusal(request: RenameRequest, text = spec): KitError {
  try {
    rename(request, text);
  } catch (error) {
    if (error instanceof KitError) return error;
    throw error;
  }
  throw new Error('expected the rename to be refused');
}

describe('renameInSpec', () => {
  it('renames an endpoint, the uses lists that name it, and a route segment made of its name', () => {
    const result = rename({ kind: 'endpoint', context: 'booking', from: 'loadCargo', to: 'fetchCargo' });
    // The route of another endpoint that happens to hold the name stays.
    expect(result.source.text).toBe(edited(spec, ['      loadCargo:', '      fetchCargo:'], ['[loadCargo, getCargo]', '[fetchCargo, getCargo]']));
    expect(result.rename).toEqual({ kind: 'endpoint', context: 'booking', from: 'loadCargo', to: 'fetchCargo' });
  });

  it('renames the route segment of the endpoint whose name it is', () => {
    const result = rename({ kind: 'endpoint', context: 'booking', from: 'unload', to: 'discharge' });
    expect(result.source.text).toBe(edited(spec, ['      unload:', '      discharge:'], ['POST /load-cargo/{cargoId}/unload', 'POST /load-cargo/{cargoId}/discharge']));
    const own = yaml`
      name: cargo
      contexts:
        booking:
          endpoints:
            loadCargo:
              http: POST /cargo/load-cargo   # written as the default would be
    `;
    expect(rename({ kind: 'endpoint', context: 'booking', from: 'loadCargo', to: 'fetchCargo' }, own).source.text).toBe(
      edited(own, ['loadCargo:', 'fetchCargo:'], ['POST /cargo/load-cargo', 'POST /cargo/fetch-cargo']),
    );
  });

  it('finds an endpoint by its camelCase form too', () => {
    expect(rename({ kind: 'endpoint', context: 'booking', from: 'get-cargo', to: 'findCargo' }).rename.from).toBe('getCargo');
  });

  it('renames a type in every type expression of its context, quoted or not, and in translate maps on both sides', () => {
    const result = rename({ kind: 'type', context: 'booking', from: 'Cargo', to: 'Freight' });
    expect(result.source.text).toBe(
      edited(
        spec,
        ['      Cargo:\n', '      Freight:\n'],
        ['{ cargo: Cargo, note?: string }', '{ cargo: Freight, note?: string }'],
        [`{ cargo: "Cargo", history: '[Cargo]' }`, `{ cargo: "Freight", history: '[Freight]' }`],
        ['translate: { Cargo: Shipment }', 'translate: { Freight: Shipment }'],
      ),
    );
    const local = rename({ kind: 'type', context: 'tracking', from: 'Shipment', to: 'Consignment' });
    expect(local.source.text).toBe(
      edited(spec, ['      Shipment: { id', '      Consignment: { id'], ['{ shipment: Shipment }', '{ shipment: Consignment }'], ['{ Cargo: Shipment }', '{ Cargo: Consignment }']),
    );
  });

  it('renames a field of a type, keeping it optional, and the comment after it', () => {
    expect(rename({ kind: 'field', context: 'booking', owner: 'Cargo', from: 'weight', to: 'mass' }).source.text).toBe(edited(spec, ['weight: number   # kilograms', 'mass: number   # kilograms']));
    expect(rename({ kind: 'field', context: 'booking', owner: 'Cargo', from: 'legs', to: 'route' }).source.text).toBe(edited(spec, ['legs?: [Leg]', 'route?: [Leg]']));
  });

  it('renames a request field with the path parameter of the same name', () => {
    const result = rename({ kind: 'field', context: 'booking', owner: 'getCargo.request', from: 'cargoId', to: 'id' });
    expect(result.source.text).toBe(edited(spec, ['GET /cargo/{cargoId}\n        request: { cargoId: string }', 'GET /cargo/{id}\n        request: { id: string }']));
    expect(result.rename).toEqual({ kind: 'field', context: 'booking', owner: { endpoint: 'getCargo', part: 'request' }, from: 'cargoId', to: 'id' });
  });

  it('renames an error in every endpoint that lists it', () => {
    const result = rename({ kind: 'error', context: 'booking', from: 'CargoMissing', to: 'CargoGone' });
    expect(result.source.text).toBe(edited(spec, ['[CargoMissing, NoRoom]', '[CargoGone, NoRoom]'], ['errors: [CargoMissing]', 'errors: [CargoGone]']));
  });

  it('renames a context and the uses entries of its callers', () => {
    const result = rename({ kind: 'context', context: 'booking', from: 'booking', to: 'reservations' });
    expect(result.source.text).toBe(edited(spec, ['  booking: # books cargo', '  reservations: # books cargo'], ['    booking:\n        endpoints', '    reservations:\n        endpoints']));
  });

  it('keeps a byte order mark and CRLF line ends', () => {
    const crlf = `\uFEFF${spec.replace(/\n/g, '\r\n')}`;
    const result = rename({ kind: 'endpoint', context: 'booking', from: 'getCargo', to: 'findCargo' }, crlf);
    expect(result.source.text).toBe(edited(crlf, ['getCargo:', 'findCargo:'], ['getCargo]', 'findCargo]']));
  });

  it('refuses an unknown name, with the names there are', () => {
    const error = refusal({ kind: 'endpoint', context: 'booking', from: 'loadCarg', to: 'x' });
    expect(error.message).toBe('context "booking" has no endpoint "loadCarg"');
    expect(error.hint).toBe('there are: loadCargo, getCargo, unload');
    expect(error.location).toEqual({ file: 'kit.yaml', line: 11, col: 5 });
    expect(refusal({ kind: 'type', context: 'nope', from: 'A', to: 'B' }).message).toBe('there is no context "nope" in kit.yaml');
    expect(refusal({ kind: 'field', context: 'booking', owner: 'Cargo', from: 'mass', to: 'x' }).hint).toBe('there are: id, weight, legs');
  });

  it('refuses a name that is taken, pointing at the one that has it', () => {
    const endpoint = refusal({ kind: 'endpoint', context: 'booking', from: 'loadCargo', to: 'getCargo' });
    expect(endpoint.message).toBe('endpoint "getCargo" already exists in context "booking"');
    expect(endpoint.location).toEqual({ file: 'kit.yaml', line: 16, col: 7 });
    expect(refusal({ kind: 'endpoint', context: 'booking', from: 'loadCargo', to: 'get-cargo' }).message).toBe('endpoint "get-cargo" would collide with "getCargo": both become "getCargo"');
    expect(refusal({ kind: 'type', context: 'booking', from: 'Cargo', to: 'Leg' }).message).toBe('type "Leg" already exists in context "booking"');
    expect(refusal({ kind: 'field', context: 'booking', owner: 'Cargo', from: 'weight', to: 'id' }).message).toBe('Cargo of context "booking" already has a field "id"');
    expect(refusal({ kind: 'error', context: 'booking', from: 'CargoMissing', to: 'NoRoomError' }).message).toBe('error "NoRoomError" is already declared in context "booking" as "NoRoom"');
    expect(refusal({ kind: 'context', context: 'booking', from: 'booking', to: 'tracking' }).message).toBe('context "tracking" already exists');
    expect(refusal({ kind: 'type', context: 'booking', from: 'Cargo', to: 'Cargo' }).message).toBe('type "Cargo" is already named "Cargo"; nothing to rename');
  });

  it('refuses a name the validator would not accept, in its words and at its place in the edited file', () => {
    const invalid = refusal({ kind: 'endpoint', context: 'booking', from: 'loadCargo', to: 'constructor' });
    expect(invalid.message).toBe('renaming endpoint booking.loadCargo -> constructor would make kit.yaml invalid; nothing was written');
    expect(invalid.problems).toEqual([
      {
        severity: 'error',
        message: 'endpoint name "constructor" is a property every JavaScript object has',
        hint: 'it would replace or reach into the object prototype; choose another name, e.g. "constructorItem"',
        location: { file: 'kit.yaml', line: 12, col: 7 },
      },
    ]);
    const generated = refusal({ kind: 'type', context: 'booking', from: 'Leg', to: 'GetCargoRequest' });
    expect(generated.problems.map((problem) => problem.message)).toEqual(['type "GetCargoRequest" collides with the request type of endpoint "getCargo"']);
    const field = refusal({ kind: 'field', context: 'booking', owner: 'Cargo', from: 'weight', to: '2kg' });
    expect(field.problems.map((problem) => problem.message)).toEqual(['field name "2kg" of type "Cargo" is not an identifier']);
  });

  it('refuses a rename that a YAML alias would carry elsewhere, and changes nothing', () => {
    const aliased = yaml`
      name: cargo
      contexts:
        booking:
          types:
            Cargo: &fields { id: string, weight: number }
            Box: *fields
    `;
    expect(refusal({ kind: 'field', context: 'booking', owner: 'Cargo', from: 'weight', to: 'mass' }, aliased).message).toBe('could not rename in kit.yaml without changing what else it says');
  });
});
