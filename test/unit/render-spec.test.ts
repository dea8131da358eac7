import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/load-spec.js';
import { renderSpec, type DraftSpec } from '../../src/spec/render-spec.js';
import { validateSpec } from '../../src/spec/validate-spec.js';

const draft: DraftSpec = {
  name: 'my-shop',
  contexts: {
    ordering: {
      description: 'Takes orders: fast # and "quoted"',
      port: 8081,
      transports: ['http'],
      middleware: ['logging', 'metrics', 'ratelimit'],
      types: { Customer: { id: 'string', 'email?': 'string' }, Line: { sku: 'string', tags: [['string']] } },
      endpoints: {
        placeOrder: { description: 'Place a new order', http: 'POST /orders', request: { customer: 'Customer', lines: ['Line'] }, response: { orderId: 'uuid' }, errors: ['OutOfStock'] },
        ping: {},
      },
      uses: { billing: { endpoints: ['charge'] } },
    },
    billing: { port: 8082, transports: ['http'], middleware: [], endpoints: { charge: { http: 'POST /charge' } } },
  },
};

describe('renderSpec', () => {
  it('writes exactly the spec it is given, and validate accepts it', () => {
    const text = renderSpec(draft);
    expect(parse(text)).toEqual(draft);
    const { spec, problems } = validateSpec(parseSpec('kit.yaml', text));
    expect(problems).toEqual([]);
    expect(spec?.name).toBe('my-shop');
  });

  it('writes fields and lists in flow style, with comments a newcomer can go on from', () => {
    const text = renderSpec(draft);
    expect(text).toMatch(/^# The domain spec of the my-shop system/);
    expect(text).toContain('      Customer: { id: string, email?: string }\n');
    expect(text).toContain('      Line: { sku: string, tags: [[string]] }\n');
    expect(text).toContain('        request: { customer: Customer, lines: [Line] }\n');
    expect(text).toContain('        errors: [OutOfStock]\n');
    expect(text).toContain('      ping: {}\n');
    expect(text).toMatch(/^ {4}middleware: \[logging, metrics, ratelimit\] +# of: ratelimit, logging, metrics, tracing$/m);
    expect(text).toContain('  # A bounded context: one service, in services/ordering/.\n');
  });
});
