import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../src/model/to-yaml.js';

/** openapi.yaml is written by toYaml and read back (by the service, by tools) with a YAML parser. */
describe('toYaml', () => {
  it('writes block YAML, quoting only what YAML would read as something else', () => {
    expect(
      toYaml({
        openapi: '3.1.0',
        security: [],
        paths: { '/orders/{id}': { get: { operationId: 'get', tags: ['a b'], responses: { '200': { description: "it's: ok" } } } } },
        list: [{ a: 1, b: [true, null] }, [], 'x'],
        words: ['yes', 'No', 'null', '~', '- x', '#c', 'a #b', 'a: b', '', ' x', '1e3', '0x1f', 'plain words'],
      }),
    ).toBe(`openapi: "3.1.0"
security: []
paths:
  /orders/{id}:
    get:
      operationId: get
      tags:
        - a b
      responses:
        "200":
          description: "it's: ok"
list:
  - a: 1
    b:
      - true
      - null
  - []
  - x
words:
  - "yes"
  - "No"
  - "null"
  - "~"
  - "- x"
  - "#c"
  - "a #b"
  - "a: b"
  - ""
  - " x"
  - "1e3"
  - "0x1f"
  - plain words
`);
  });

  it('reads back as the same data, whatever the strings and the nesting (property)', () => {
    const key = fc.oneof(fc.string(), fc.constantFrom('$ref', '200', 'default', 'true', 'a: b', '-', '?', 'x#y'));
    const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('yes', 'off', '.inf', '1_000', '+1', '-.5', "'q'", '"q"', '`x', '%x', '@x', 'a\nb', 'é', '{a}', '[1]', 'a,b'));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie('list'), tie('object')),
      list: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(json.object, (value) => {
        // JSON has no -0: the data that reaches toYaml went through JSON semantics.
        const data = JSON.parse(JSON.stringify(value)) as unknown;
        expect(parse(toYaml(data))).toEqual(data);
      }),
      { numRuns: 2_000 },
    );
  });
});
