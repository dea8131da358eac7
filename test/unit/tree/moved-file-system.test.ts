import { describe, expect, it } from 'vitest';
import { memoryFileSystem } from '../../../src/tree/memory-file-system.js';
import { movedFileSystem, movedPath, originalPath } from '../../../src/tree/moved-file-system.js';
import { VirtualTree } from '../../../src/tree/virtual-tree.js';

describe('movedFileSystem', () => {
  const disk = () =>
    memoryFileSystem({
      '/s/services/billing/src/service.ts': 'billing',
      '/s/services/billing/package.json': '{}',
      '/s/services/ordering/src/clients/billing.ts': 'client',
      '/s/services/ordering/src/service.ts': 'ordering',
    });
  const moves = [
    { from: 'services/billing', to: 'services/payments' },
    { from: 'services/ordering/src/clients/billing.ts', to: 'services/ordering/src/clients/payments.ts' },
  ];

  it('shows folders and files at the places they move to, and nothing where they were', () => {
    const view = movedFileSystem(disk(), '/s', moves);
    expect(view.listFiles('/s')).toEqual(['services/ordering/src/clients/payments.ts', 'services/ordering/src/service.ts', 'services/payments/package.json', 'services/payments/src/service.ts']);
    expect(view.readDir('/s/services')).toEqual(['ordering', 'payments']);
    expect(view.readDir('/s/services/ordering/src/clients')).toEqual(['payments.ts']);
    expect(view.readFile('/s/services/payments/src/service.ts')).toBe('billing');
    expect(view.readFile('/s/services/billing/src/service.ts')).toBeUndefined();
    expect(view.exists('/s/services/billing')).toBe(false);
    expect(view.listFiles('/s/services/payments/src')).toEqual(['service.ts']);
    expect(new VirtualTree('/s', view).listFiles('services/ordering/src')).toEqual(['services/ordering/src/clients/payments.ts', 'services/ordering/src/service.ts']);
  });

  it('refuses writes until the moves are made, then reads every path where it is', () => {
    const fs = disk();
    const view = movedFileSystem(fs, '/s', moves);
    expect(() => view.writeFile('/s/services/payments/x.ts', 'x')).toThrow(/before the moves were made/);
    fs.rename('/s/services/ordering/src/clients/billing.ts', '/s/services/ordering/src/clients/payments.ts');
    view.settle();
    expect(view.readFile('/s/services/ordering/src/clients/payments.ts')).toBe('client');
    view.writeFile('/s/services/ordering/x.ts', 'x');
    expect(fs.readFile('/s/services/ordering/x.ts')).toBe('x');
  });

  it('maps tree paths both ways', () => {
    expect(movedPath(moves, 'services/billing/src/service.ts')).toBe('services/payments/src/service.ts');
    expect(movedPath(moves, 'services/billingx/a.ts')).toBe('services/billingx/a.ts');
    expect(originalPath(moves, 'services/payments/src/service.ts')).toBe('services/billing/src/service.ts');
    expect(originalPath(moves, 'services/billing/src/service.ts')).toBeUndefined();
    expect(originalPath(moves, 'kit.yaml')).toBe('kit.yaml');
  });
});
