/**
 * Synthetic specs for the generation benchmark: `contexts` contexts of `endpoints` endpoints each.
 * Every context has a few types (with a list and optional fields) and a mix of endpoints: GET with
 * a path parameter, GET with query fields, POST with a body, PUT with a path parameter and a body,
 * DELETE with a path parameter and an optional query field; most declare errors. Each context but
 * the first uses one endpoint of the one before it, so the context map is a chain (no cycles).
 */
export function syntheticSpec(contexts: number, endpoints: number): string {
  const lines: string[] = [
    `name: synthetic-${contexts}x${endpoints}`,
    `description: Synthetic system of ${contexts} contexts with ${endpoints} endpoints each (create-kit-service bench)`,
    'contexts:',
  ];
  for (let c = 1; c <= contexts; c++) {
    const name = contextName(c);
    lines.push(
      `  ${name}:`,
      `    description: Synthetic context number ${c}`,
      '    middleware: [logging, metrics, ratelimit]',
      '    types:',
      '      Tag: { key: string, value?: string }',
      '      Item:',
      '        id: string',
      '        name: string',
      '        note?: string',
      '        tags: [Tag]',
      '        labels: [string]',
      '        price: number',
      '        quantity: integer',
      '      Detail:',
      '        item: Item',
      '        related: [Item]',
      '        updatedAt?: datetime',
      '        ownerId: uuid',
      '        active: boolean',
      '    endpoints:',
    );
    for (let e = 0; e < endpoints; e++) lines.push(...endpoint(e));
    if (c > 1) lines.push('    uses:', `      ${contextName(c - 1)}:`, '        endpoints: [getItem0]');
  }
  return `${lines.join('\n')}\n`;
}

/** area001, area002, ...: zero-padded so the names sort and stay valid identifiers. */
export function contextName(index: number): string {
  return `area${String(index).padStart(3, '0')}`;
}

function endpoint(e: number): string[] {
  const indent = (entries: string[]) => entries.map((entry) => `        ${entry}`);
  switch (e % 5) {
    case 0:
      return [
        `      getItem${e}:`,
        ...indent([
          `description: Look up one item (${e})`,
          `http: GET /items-${e}/{itemId}`,
          'request: { itemId: string }',
          'response: { item: Item }',
          'errors: [ItemNotFound]',
        ]),
      ];
    case 1:
      return [
        `      listItems${e}:`,
        ...indent([
          `description: Items of one owner, filtered (${e})`,
          `http: GET /owners/{ownerId}/items-${e}`,
          'request: { ownerId: uuid, limit?: integer, labels?: [string], since?: datetime, active?: boolean }',
          'response: { items: [Item], total: integer }',
        ]),
      ];
    case 2:
      return [
        `      createItem${e}:`,
        ...indent([
          `description: Create an item (${e})`,
          `http: POST /items-${e}`,
          'request: { item: Item, dryRun?: boolean, tags?: [Tag] }',
          'response: { id: uuid, createdAt: datetime }',
          'errors: [ItemAlreadyExists, OutOfBudget]',
        ]),
      ];
    case 3:
      return [
        `      updateItem${e}:`,
        ...indent([
          `description: Replace the detail of an item (${e})`,
          `http: PUT /items-${e}/{itemId}`,
          'request: { itemId: string, detail: Detail, reason?: string }',
          'response: { detail: Detail }',
          'errors: [ItemNotFound, ItemLocked]',
        ]),
      ];
    default:
      return [
        `      deleteItem${e}:`,
        ...indent([
          `description: Delete an item (${e})`,
          `http: DELETE /items-${e}/{itemId}`,
          'request: { itemId: string, hard?: boolean }',
          'response: { deleted: boolean }',
          'errors: [ItemNotFound]',
        ]),
      ];
  }
}
