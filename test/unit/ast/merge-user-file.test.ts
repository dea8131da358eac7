import { describe, expect, it } from 'vitest';
import { mergeUserFile, type MergeOptions } from '../../../src/ast/merge-user-file.js';
import { KitError } from '../../../src/errors.js';

// Angular-cli style: an inline source in, the exact text out. Every case also merges its result a
// second time, which must change nothing and add nothing.

async function merge(path: string, current: string, fresh: string, options: Partial<MergeOptions> = {}) {
  const all: MergeOptions = { generatedBefore: [], prune: false, ...options };
  const result = await mergeUserFile(path, current, fresh, all);
  const again = await mergeUserFile(path, result.text, fresh, all);
  expect(again.text).toBe(result.text);
  expect(again.added).toEqual([]);
  return result;
}

async function mergeError(path: string, current: string, fresh: string): Promise<unknown> {
  try {
    await mergeUserFile(path, current, fresh, { generatedBefore: [], prune: false });
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** templates/service/src/service.ts.hbs as rendered for a context with an upstream and three endpoints. */
const freshService = `import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type {
  PlaceOrderRequest,
  PlaceOrderResponse,
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse,
} from './types.js';

/**
 * The ordering context's business logic: Takes customer orders
 *
 * This file is yours. \`create-kit-service generate\` and \`add endpoint\` only add methods (and their
 * imports) for new endpoints; they never change what you write here.
 */
export class OrderingServiceImpl implements OrderingService {
  /** Clients of the upstream contexts, and translators to and from their models. */
  constructor(private readonly deps: OrderingDeps) {}

  /** Place a new order */
  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder');
  }

  /** Look up one order */
  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    throw new NotImplementedError('getOrder');
  }

  /** Cancel an order that has not shipped yet */
  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    throw new NotImplementedError('cancelOrder');
  }
}
`;

describe('mergeUserFile: the service class', () => {
  it('adds the method of a new endpoint, and its types, to a class as generated', async () => {
    const current = `import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type {
  PlaceOrderRequest,
  PlaceOrderResponse,
  GetOrderRequest,
  GetOrderResponse,
} from './types.js';

/**
 * The ordering context's business logic: Takes customer orders
 *
 * This file is yours. \`create-kit-service generate\` and \`add endpoint\` only add methods (and their
 * imports) for new endpoints; they never change what you write here.
 */
export class OrderingServiceImpl implements OrderingService {
  /** Clients of the upstream contexts, and translators to and from their models. */
  constructor(private readonly deps: OrderingDeps) {}

  /** Place a new order */
  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder');
  }

  /** Look up one order */
  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    throw new NotImplementedError('getOrder');
  }
}
`;
    const result = await merge('src/service.ts', current, freshService, { generatedBefore: ['placeOrder', 'getOrder', 'constructor'] });
    expect(result.text).toBe(freshService);
    expect(result.added).toEqual(['import CancelOrderRequest', 'import CancelOrderResponse', 'cancelOrder']);
    expect(result.orphans).toEqual([]);
    expect(result.pruned).toEqual([]);
  });

  it('fits a reformatted file: its indentation, its imports, comments and order stay; only the new method and names come in', async () => {
    const current = `/**
 * Ordering: my own header, a block comment.
 */
import { NotImplementedError } from './errors.js';

// What it needs.
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type { PlaceOrderRequest } from './types.js';
import type {
    PlaceOrderResponse, // what placeOrder returns
    GetOrderRequest,
    /* a block comment in the list */
} from './types.js';
import { formatMoney } from './money.js';

/** My service. */
export class OrderingServiceImpl implements OrderingService {
    // The deps, kept by the constructor.
    constructor(private readonly deps: OrderingDeps) {}

    /** Look up one order, from the cache first. */
    async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
        // The cache knows.
        return this.lookup(request.orderId); // inline comment
    }

    // Helpers, between the members.

    private lookup(id: string): GetOrderResponse {
        /* a block comment in a body */
        return { id, total: formatMoney(1) } as never;
    }

    /** Place a new order */
    async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
        if (request.lines.length === 0) {
            throw new Error('an order has lines'); // say so
        }
        return this.deps.billing.charge(request) as never;
    }

    private audit(): void {}
    // The last comment of the class.
}
// The last comment of the file.
`;
    // The new names go on the lines after the last name: a comment below it stays below them.
    const expected = `/**
 * Ordering: my own header, a block comment.
 */
import { NotImplementedError } from './errors.js';

// What it needs.
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type { PlaceOrderRequest } from './types.js';
import type {
    PlaceOrderResponse, // what placeOrder returns
    GetOrderRequest,
    GetOrderResponse,
    CancelOrderRequest,
    CancelOrderResponse,
    /* a block comment in the list */
} from './types.js';
import { formatMoney } from './money.js';

/** My service. */
export class OrderingServiceImpl implements OrderingService {
    // The deps, kept by the constructor.
    constructor(private readonly deps: OrderingDeps) {}

    /** Look up one order, from the cache first. */
    async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
        // The cache knows.
        return this.lookup(request.orderId); // inline comment
    }

    // Helpers, between the members.

    private lookup(id: string): GetOrderResponse {
        /* a block comment in a body */
        return { id, total: formatMoney(1) } as never;
    }

    /** Place a new order */
    async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
        if (request.lines.length === 0) {
            throw new Error('an order has lines'); // say so
        }
        return this.deps.billing.charge(request) as never;
    }

    private audit(): void {}
    // The last comment of the class.

    /** Cancel an order that has not shipped yet */
    async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
        throw new NotImplementedError('cancelOrder');
    }
}
// The last comment of the file.
`;
    const result = await merge('src/service.ts', current, freshService, { generatedBefore: ['placeOrder', 'getOrder', 'constructor'] });
    expect(result.text).toBe(expected);
    expect(result.added).toEqual(['import GetOrderResponse', 'import CancelOrderRequest', 'import CancelOrderResponse', 'cancelOrder']);
  });

  it('keeps the layout of a multi-line import list: several names a line, no trailing comma', async () => {
    const current = `import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type {
    PlaceOrderRequest, PlaceOrderResponse,
    GetOrderRequest, GetOrderResponse
} from './types.js';

export class OrderingServiceImpl implements OrderingService {
    constructor(private readonly deps: OrderingDeps) {}

    async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
        return this.deps.place(request);
    }

    async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
        return this.deps.get(request);
    }
}
`;
    const result = await merge('src/service.ts', current, freshService);
    expect(result.text).toBe(`import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type {
    PlaceOrderRequest, PlaceOrderResponse,
    GetOrderRequest, GetOrderResponse,
    CancelOrderRequest,
    CancelOrderResponse
} from './types.js';

export class OrderingServiceImpl implements OrderingService {
    constructor(private readonly deps: OrderingDeps) {}

    async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
        return this.deps.place(request);
    }

    async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
        return this.deps.get(request);
    }

    /** Cancel an order that has not shipped yet */
    async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
        throw new NotImplementedError('cancelOrder');
    }
}
`);
  });

  it('adds to a one-line import, and adds missing imports in the quotes and indentation (tabs) of the user', async () => {
    const current = `import type { OrderingDeps } from "./dependencies.js";
import type { OrderingService } from "./service-interface.js";
import type { PlaceOrderRequest, PlaceOrderResponse, GetOrderRequest, GetOrderResponse } from "./types.js";

export class OrderingServiceImpl implements OrderingService {
\tconstructor(private readonly deps: OrderingDeps) {}

\tasync placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
\t\treturn this.deps.place(request);
\t}

\tasync getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
\t\treturn this.deps.get(request);
\t}
}
`;
    const result = await merge('src/service.ts', current, freshService);
    expect(result.text).toBe(`import type { OrderingDeps } from "./dependencies.js";
import type { OrderingService } from "./service-interface.js";
import type { PlaceOrderRequest, PlaceOrderResponse, GetOrderRequest, GetOrderResponse, CancelOrderRequest, CancelOrderResponse } from "./types.js";
import { NotImplementedError } from "./errors.js";

export class OrderingServiceImpl implements OrderingService {
\tconstructor(private readonly deps: OrderingDeps) {}

\tasync placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
\t\treturn this.deps.place(request);
\t}

\tasync getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
\t\treturn this.deps.get(request);
\t}

\t/** Cancel an order that has not shipped yet */
\tasync cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
\t\tthrow new NotImplementedError('cancelOrder');
\t}
}
`);
    expect(result.added).toEqual(['import NotImplementedError', 'import CancelOrderRequest', 'import CancelOrderResponse', 'cancelOrder']);
  });

  it('puts a blank line between an added method and a property before it; an empty class just gets the method', async () => {
    const fresh = `export class A implements S {
  /** m */
  async m(): Promise<void> {
    throw new NotImplementedError('m');
  }
}
`;
    const withProperty = await merge('src/service.ts', `export class B implements S {\n  private cache = new Map();\n}\n`, fresh);
    expect(withProperty.text).toBe(`export class B implements S {
  private cache = new Map();

  /** m */
  async m(): Promise<void> {
    throw new NotImplementedError('m');
  }
}
`);
    const empty = await merge('src/service.ts', `export class B implements S {}\n`, fresh);
    expect(empty.text).toBe(`export class B implements S {
  /** m */
  async m(): Promise<void> {
    throw new NotImplementedError('m');
  }
}
`);
  });

  it('finds a class the user renamed by its implements clause', async () => {
    const current = `import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type { PlaceOrderRequest, PlaceOrderResponse, GetOrderRequest, GetOrderResponse, CancelOrderRequest, CancelOrderResponse } from './types.js';

export class Ordering implements OrderingService {
  constructor(private readonly deps: OrderingDeps) {}

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    return this.deps.place(request);
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return this.deps.get(request);
  }
}

export class OrderingServiceImplHelper {
  help(): void {}
}
`;
    const result = await merge('src/service.ts', current, freshService);
    expect(result.text).toBe(`import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type { PlaceOrderRequest, PlaceOrderResponse, GetOrderRequest, GetOrderResponse, CancelOrderRequest, CancelOrderResponse } from './types.js';

export class Ordering implements OrderingService {
  constructor(private readonly deps: OrderingDeps) {}

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    return this.deps.place(request);
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return this.deps.get(request);
  }

  /** Cancel an order that has not shipped yet */
  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    throw new NotImplementedError('cancelOrder');
  }
}

export class OrderingServiceImplHelper {
  help(): void {}
}
`);
    expect(result.added).toEqual(['cancelOrder']);
  });

  it('adds the constructor (and the deps import) when the fresh class has one and the user class has none', async () => {
    const current = `import { NotImplementedError } from './errors.js';
import type { OrderingService } from './service-interface.js';
import type { PlaceOrderRequest, PlaceOrderResponse, GetOrderRequest, GetOrderResponse, CancelOrderRequest, CancelOrderResponse } from './types.js';

export class OrderingServiceImpl implements OrderingService {
  // Mine, all of it.
  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder');
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    throw new NotImplementedError('getOrder');
  }

  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    throw new NotImplementedError('cancelOrder');
  }
}
`;
    const result = await merge('src/service.ts', current, freshService);
    expect(result.text).toBe(`import { NotImplementedError } from './errors.js';
import type { OrderingService } from './service-interface.js';
import type { PlaceOrderRequest, PlaceOrderResponse, GetOrderRequest, GetOrderResponse, CancelOrderRequest, CancelOrderResponse } from './types.js';
import type { OrderingDeps } from './dependencies.js';

export class OrderingServiceImpl implements OrderingService {
  /** Clients of the upstream contexts, and translators to and from their models. */
  constructor(private readonly deps: OrderingDeps) {}

  // Mine, all of it.
  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder');
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    throw new NotImplementedError('getOrder');
  }

  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    throw new NotImplementedError('cancelOrder');
  }
}
`);
    expect(result.added).toEqual(['import OrderingDeps', 'OrderingServiceImpl.constructor']);
  });

  it('leaves the constructor of the user alone, whatever its parameters', async () => {
    const current = `import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type { PlaceOrderRequest, PlaceOrderResponse, GetOrderRequest, GetOrderResponse, CancelOrderRequest, CancelOrderResponse } from './types.js';

export class OrderingServiceImpl implements OrderingService {
  private readonly cache = new Map<string, GetOrderResponse>();

  /** Mine: a clock too. */
  constructor(
    private readonly deps: OrderingDeps,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.cache.clear();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder');
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    throw new NotImplementedError('getOrder');
  }

  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    throw new NotImplementedError('cancelOrder');
  }
}
`;
    const result = await merge('src/service.ts', current, freshService);
    expect(result.text).toBe(current);
    expect(result.added).toEqual([]);
  });

  it('never touches a member the user has under an endpoint name: body, parameters, JSDoc, arrow functions', async () => {
    const current = `import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type { PlaceOrderRequest, PlaceOrderResponse, GetOrderRequest, GetOrderResponse, CancelOrderRequest, CancelOrderResponse } from './types.js';
import { NotImplementedError } from './errors.js';

export class OrderingServiceImpl implements OrderingService {
  constructor(private readonly deps: OrderingDeps) {}

  /**
   * My own words on placing an order.
   * @param request what the customer sent
   */
  public placeOrder(request: PlaceOrderRequest, retries = 3): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder'); // until Tuesday
  }

  getOrder = async ({ orderId }: GetOrderRequest): Promise<GetOrderResponse> => this.deps.get(orderId);

  async cancelOrder(): Promise<CancelOrderResponse> {
    return { cancelled: true } as CancelOrderResponse;
  }
}
`;
    const result = await merge('src/service.ts', current, freshService, { generatedBefore: ['placeOrder', 'getOrder', 'cancelOrder', 'constructor'] });
    expect(result.text).toBe(current);
    expect(result.added).toEqual([]);
    expect(result.orphans).toEqual([]);
  });

  it('throws COMMAND_FAILED, with a hint, when no class has the name or implements the interface', async () => {
    const current = `import type { OrderingService } from './service-interface.js';

export class Ordering {
  async getOrder(): Promise<void> {}
}
`;
    const error = await mergeError('src/service.ts', current, freshService);
    expect(error).toBeInstanceOf(KitError);
    expect((error as KitError).code).toBe('COMMAND_FAILED');
    expect((error as KitError).message).toBe('src/service.ts: no class OrderingServiceImpl (or one that implements OrderingService)');
    expect((error as KitError).hint).toBe('the generator adds methods to the class that implements the service interface; restore its "implements" clause');
  });
});

describe('mergeUserFile: comments at the end of a line', () => {
  it('keeps a comment after the last import, the class brace, the last member and the last statement where it was', async () => {
    const fresh = `import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type { GetOrderRequest, GetOrderResponse, PlaceOrderRequest, PlaceOrderResponse } from './types.js';

export class OrderingServiceImpl implements OrderingService {
  constructor(private readonly deps: OrderingDeps) {}

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    throw new NotImplementedError('getOrder');
  }

  /** Place a new order */
  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder');
  }
}
`;
    const current = `import type { OrderingService } from './service-interface.js'; // the interface
import type { GetOrderRequest, GetOrderResponse } from './types.js'; // my types

export class OrderingServiceImpl implements OrderingService { // my class
  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return {} as never; // mine
  }

  private helper(): void {} // my helper
} // end of class
`;
    const result = await merge('src/service.ts', current, fresh, { generatedBefore: ['getOrder'] });
    expect(result.text).toBe(`import type { OrderingService } from './service-interface.js'; // the interface
import type { GetOrderRequest, GetOrderResponse, PlaceOrderRequest, PlaceOrderResponse } from './types.js'; // my types
import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';

export class OrderingServiceImpl implements OrderingService { // my class
  constructor(private readonly deps: OrderingDeps) {}

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return {} as never; // mine
  }

  private helper(): void {} // my helper

  /** Place a new order */
  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder');
  }
} // end of class
`);
  });

  it('keeps a comment after the last test where it was, and puts the pending test below it', async () => {
    const current = `import { test } from 'node:test';

test('getOrder finds it', () => {}); // fast
`;
    const fresh = `import { test } from 'node:test';

test.todo('getOrder');

test.todo('placeOrder');
`;
    const result = await merge('test/service.test.ts', current, fresh);
    expect(result.text).toBe(`import { test } from 'node:test';

test('getOrder finds it', () => {}); // fast

test.todo('placeOrder');
`);
  });
});

describe('mergeUserFile: orphans', () => {
  /** The spec lost placeOrder and cancelOrder: only getOrder is rendered. */
  const freshGetOnly = `import { NotImplementedError } from './errors.js';
import type { OrderingService } from './service-interface.js';
import type {
  GetOrderRequest,
  GetOrderResponse,
} from './types.js';

export class OrderingServiceImpl implements OrderingService {
  /** Look up one order */
  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    throw new NotImplementedError('getOrder');
  }
}
`;
  const current = `import { NotImplementedError } from './errors.js';
import type { OrderingService } from './service-interface.js';
import type {
  PlaceOrderRequest,
  PlaceOrderResponse,
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse,
} from './types.js';

export class OrderingServiceImpl implements OrderingService {
  /** Place a new order */
  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    throw new NotImplementedError('placeOrder');
  }

  /** Look up one order */
  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return { orderId: request.orderId } as GetOrderResponse;
  }

  /** Cancel an order that has not shipped yet */
  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    // Refunds first: see the billing team.
    throw new NotImplementedError('cancelOrder');
  }

  /** Not generated, never an orphan. */
  async audit(): Promise<void> {
    throw new NotImplementedError('audit');
  }
}
`;
  const generatedBefore = ['placeOrder', 'getOrder', 'cancelOrder'];

  it('reports a method the generator wrote whose endpoint left the spec, and keeps it', async () => {
    const result = await merge('src/service.ts', current, freshGetOnly, { generatedBefore });
    expect(result.text).toBe(current);
    expect(result).toMatchObject({ added: [], orphans: ['placeOrder', 'cancelOrder'], pruned: [] });
  });

  it('with prune, removes an orphan whose body is still the stub, and keeps one the user wrote in (a comment is enough)', async () => {
    const result = await merge('src/service.ts', current, freshGetOnly, { generatedBefore, prune: true });
    // The pruned method's types leave the imports (types.ts no longer declares them); the kept
    // method's types stay, since the file still uses them.
    expect(result.text).toBe(`import { NotImplementedError } from './errors.js';
import type { OrderingService } from './service-interface.js';
import type {
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse,
} from './types.js';

export class OrderingServiceImpl implements OrderingService {
  /** Look up one order */
  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return { orderId: request.orderId } as GetOrderResponse;
  }

  /** Cancel an order that has not shipped yet */
  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    // Refunds first: see the billing team.
    throw new NotImplementedError('cancelOrder');
  }

  /** Not generated, never an orphan. */
  async audit(): Promise<void> {
    throw new NotImplementedError('audit');
  }
}
`);
    expect(result).toMatchObject({ added: [], orphans: ['cancelOrder'], pruned: ['placeOrder'] });
  });

  it('with prune, keeps an import of the user that nothing uses yet (only what the removed stub named goes)', async () => {
    const withOwnImport = current.replace("import type { OrderingService } from './service-interface.js';\n", "import type { OrderingService } from './service-interface.js';\nimport type { Order } from './types.js'; // for later\n");
    const result = await merge('src/service.ts', withOwnImport, freshGetOnly, { generatedBefore, prune: true });
    expect(result.pruned).toEqual(['placeOrder']);
    expect(result.text).toContain("import type { Order } from './types.js'; // for later\n");
    expect(result.text).not.toMatch(/PlaceOrder/);
  });

  it('with prune, keeps a stub with a comment of the user after its closing brace', async () => {
    const commented = current.replace(
      `    throw new NotImplementedError('placeOrder');
  }`,
      `    throw new NotImplementedError('placeOrder');
  } // next sprint`,
    );
    const result = await merge('src/service.ts', commented, freshGetOnly, { generatedBefore, prune: true });
    expect(result.text).toBe(commented);
    expect(result).toMatchObject({ orphans: ['placeOrder', 'cancelOrder'], pruned: [] });
  });

  it('with prune, keeps the trailing comma of a list whose last names were pruned', async () => {
    const lastInList = current.replace(
      `import type {
  PlaceOrderRequest,
  PlaceOrderResponse,
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse,
} from './types.js';
`,
      `import type {
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse, // the cancel types
  PlaceOrderRequest,
  PlaceOrderResponse,
} from './types.js';
import { audit } from './audit.js';
`,
    );
    const result = await merge('src/service.ts', lastInList, freshGetOnly, { generatedBefore, prune: true });
    expect(result.text.slice(0, result.text.indexOf('\nexport class'))).toBe(`import { NotImplementedError } from './errors.js';
import type { OrderingService } from './service-interface.js';
import type {
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse, // the cancel types
} from './types.js';
import { audit } from './audit.js';
`);
    expect(result.pruned).toEqual(['placeOrder']);
  });

  it('with prune, leaves a list without a trailing comma without one, and the other names on their lines', async () => {
    const noTrailingComma = current.replace(
      `  CancelOrderRequest,
  CancelOrderResponse,
} from './types.js';`,
      `  CancelOrderRequest, /* cancel */ CancelOrderResponse // both kept
} from './types.js';`,
    );
    const result = await merge('src/service.ts', noTrailingComma, freshGetOnly, { generatedBefore, prune: true });
    expect(result.text.slice(0, result.text.indexOf('\nexport class'))).toBe(`import { NotImplementedError } from './errors.js';
import type { OrderingService } from './service-interface.js';
import type {
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest, /* cancel */ CancelOrderResponse // both kept
} from './types.js';
`);
    const lastPruned = current.replace(
      `import type {
  PlaceOrderRequest,
  PlaceOrderResponse,
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse,
} from './types.js';`,
      `import type {
  PlaceOrderRequest,
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse, // kept
  PlaceOrderResponse
} from './types.js';`,
    );
    const pruned = await merge('src/service.ts', lastPruned, freshGetOnly, { generatedBefore, prune: true });
    expect(pruned.text).toContain(`  CancelOrderRequest,
  CancelOrderResponse // kept
} from './types.js';`);
  });

  it('reports a translator function that left the spec, and keeps it even with prune', async () => {
    const fresh = `import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';
`;
    const translators = `import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';

export function toPayer(customer: T.Customer): Billing.Payer {
  return { id: customer.id };
}
`;
    const result = await merge('src/translators/billing.ts', translators, fresh, { generatedBefore: ['toPayer'], prune: true });
    expect(result).toEqual({ text: translators, added: [], orphans: ['toPayer'], pruned: [], updated: [] });
  });
});

describe('mergeUserFile: translators', () => {
  /** templates/service/src/translators/__upstream__.ts.hbs with two translations, one of them new. */
  const freshTranslators = `// Translators between billing's model and the ordering context's own: the
// anti-corruption layer. This file is yours. Fields of the same name and type were mapped for you;
// each \`todo(...)\` marks a field only you can map, and throws (501) until you do.
import { NotImplementedError } from '../errors.js';
import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';

/** Customer (this context) as billing's Payer. */
export function toPayer(customer: T.Customer): Billing.Payer {
  return {
    id: customer.id,
    name: customer.name,
    // TODO: iban (string): this context's Customer has no field of that name
    iban: todo('iban'),
  };
}

/** billing's Payer as this context's Customer. */
export function fromPayer(payer: Billing.Payer): T.Customer {
  return {
    id: payer.id,
    name: payer.name,
    // TODO: email (string, optional): billing's Payer has no field of that name
    email: undefined,
  };
}

/** Order (this context) as billing's Invoice. */
export function toInvoice(order: T.Order): Billing.Invoice {
  return {
    id: order.id,
    // TODO: amount (number): this context's Order has no field of that name
    amount: todo('amount'),
  };
}

/** billing's Invoice as this context's Order. */
export function fromInvoice(invoice: Billing.Invoice): T.Order {
  return {
    id: invoice.id,
  };
}

/** Stands for a value no rule could map: fails loudly until the mapping is written. */
function todo(field: string): never {
  throw new NotImplementedError(\`the translation of \${field}\`);
}
`;

  it('appends the new toX/fromX after the functions the user filled in (and todo, which they had removed)', async () => {
    const current = `// Translators between billing's model and ours: every field mapped.
import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';
import { ibanOf } from '../iban.js';

/** Customer (this context) as billing's Payer. */
export function toPayer(customer: T.Customer): Billing.Payer {
  return {
    id: customer.id,
    name: customer.name,
    iban: ibanOf(customer), // from the bank
  };
}

/** billing's Payer as this context's Customer. */
export function fromPayer(payer: Billing.Payer): T.Customer {
  return { id: payer.id, name: payer.name, email: undefined };
}
// That is all for payers.
`;
    const result = await merge('src/translators/billing.ts', current, freshTranslators, { generatedBefore: ['toPayer', 'fromPayer'] });
    expect(result.text).toBe(`// Translators between billing's model and ours: every field mapped.
import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';
import { ibanOf } from '../iban.js';
import { NotImplementedError } from '../errors.js';

/** Customer (this context) as billing's Payer. */
export function toPayer(customer: T.Customer): Billing.Payer {
  return {
    id: customer.id,
    name: customer.name,
    iban: ibanOf(customer), // from the bank
  };
}

/** billing's Payer as this context's Customer. */
export function fromPayer(payer: Billing.Payer): T.Customer {
  return { id: payer.id, name: payer.name, email: undefined };
}
// That is all for payers.

/** Order (this context) as billing's Invoice. */
export function toInvoice(order: T.Order): Billing.Invoice {
  return {
    id: order.id,
    // TODO: amount (number): this context's Order has no field of that name
    amount: todo('amount'),
  };
}

/** billing's Invoice as this context's Order. */
export function fromInvoice(invoice: Billing.Invoice): T.Order {
  return {
    id: invoice.id,
  };
}

/** Stands for a value no rule could map: fails loudly until the mapping is written. */
function todo(field: string): never {
  throw new NotImplementedError(\`the translation of \${field}\`);
}
`);
    expect(result.added).toEqual(['import NotImplementedError', 'toInvoice', 'fromInvoice', 'todo']);
    expect(result.orphans).toEqual([]);
  });

  it('indents added functions like the user (four spaces) and keeps the todo the user still has', async () => {
    const current = `import { NotImplementedError } from '../errors.js';
import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';

export function toPayer(customer: T.Customer): Billing.Payer {
    return { id: customer.id, name: customer.name, iban: todo('iban') };
}

export function fromPayer(payer: Billing.Payer): T.Customer {
    return { id: payer.id, name: payer.name };
}

function todo(field: string): never {
    throw new NotImplementedError(field);
}
`;
    const result = await merge('src/translators/billing.ts', current, freshTranslators);
    expect(result.text).toBe(`import { NotImplementedError } from '../errors.js';
import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';

export function toPayer(customer: T.Customer): Billing.Payer {
    return { id: customer.id, name: customer.name, iban: todo('iban') };
}

export function fromPayer(payer: Billing.Payer): T.Customer {
    return { id: payer.id, name: payer.name };
}

function todo(field: string): never {
    throw new NotImplementedError(field);
}

/** Order (this context) as billing's Invoice. */
export function toInvoice(order: T.Order): Billing.Invoice {
    return {
        id: order.id,
        // TODO: amount (number): this context's Order has no field of that name
        amount: todo('amount'),
    };
}

/** billing's Invoice as this context's Order. */
export function fromInvoice(invoice: Billing.Invoice): T.Order {
    return {
        id: invoice.id,
    };
}
`);
    expect(result.added).toEqual(['toInvoice', 'fromInvoice']);
  });
});

describe('mergeUserFile: pending tests', () => {
  /** templates/service/test/service.test.ts.hbs for a context without upstreams and three endpoints. */
  const freshTests = `// Tests of the ordering business logic, without HTTP: construct the class, call a method,
// check what it returns. This file is yours; \`generate\` only adds a pending test for each new
// endpoint. When you have written a method, turn its todo into a test, as the comment above it shows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderingServiceImpl } from '../src/service.js';

test('the service is built without any transport', () => {
  assert.ok(new OrderingServiceImpl());
});

// placeOrder: Place a new order
//   test('placeOrder', async () => {
//     const response = await new OrderingServiceImpl().placeOrder({ lines: [] });
//     assert.deepEqual(response, { ... });
//   });
test.todo('placeOrder');

// getOrder: Look up one order
//   test('getOrder', async () => {
//     const response = await new OrderingServiceImpl().getOrder({ orderId: 'text' });
//     assert.deepEqual(response, { ... });
//   });
test.todo('getOrder');

// cancelOrder: Cancel an order that has not shipped yet
//   test('cancelOrder', async () => {
//     const response = await new OrderingServiceImpl().cancelOrder({ orderId: 'text' });
//     assert.deepEqual(response, { ... });
//   });
test.todo('cancelOrder');
`;
  const header = `// My tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderingServiceImpl } from '../src/service.js';

test('the service is built without any transport', () => {
  assert.ok(new OrderingServiceImpl());
});
`;

  it('appends the pending test of a new endpoint with its comment block', async () => {
    const current = `${header}
test('placeOrder', async () => {
  assert.ok(await new OrderingServiceImpl().placeOrder({ lines: [] }));
});

test.todo('getOrder');
// The end of my tests.
`;
    const result = await merge('test/service.test.ts', current, freshTests, { generatedBefore: ['placeOrder', 'getOrder'] });
    expect(result.text).toBe(`${header}
test('placeOrder', async () => {
  assert.ok(await new OrderingServiceImpl().placeOrder({ lines: [] }));
});

test.todo('getOrder');
// The end of my tests.

// cancelOrder: Cancel an order that has not shipped yet
//   test('cancelOrder', async () => {
//     const response = await new OrderingServiceImpl().cancelOrder({ orderId: 'text' });
//     assert.deepEqual(response, { ... });
//   });
test.todo('cancelOrder');
`);
    expect(result).toMatchObject({ added: ['test cancelOrder'], orphans: [], pruned: [] });
  });

  it('adds no pending test when a test is named x, or starts with "x " or "x:"; a longer name does not count', async () => {
    const current = `${header}
test('placeOrder', async () => {
  assert.ok(true);
});

test('getOrder returns the order', async () => {
  assert.ok(true);
});

test('cancelOrderLater', async () => {
  assert.ok(true);
});
`;
    const result = await merge('test/service.test.ts', current, freshTests);
    expect(result.text).toBe(`${current}
// cancelOrder: Cancel an order that has not shipped yet
//   test('cancelOrder', async () => {
//     const response = await new OrderingServiceImpl().cancelOrder({ orderId: 'text' });
//     assert.deepEqual(response, { ... });
//   });
test.todo('cancelOrder');
`);
    expect(result.added).toEqual(['test cancelOrder']);

    const written = `${header}
test('placeOrder', async () => {
  assert.ok(true);
});

test('getOrder returns the order', async () => {
  assert.ok(true);
});

test('cancelOrder: only before shipping', async () => {
  assert.ok(true);
});
`;
    expect(await merge('test/service.test.ts', written, freshTests)).toEqual({ text: written, added: [], orphans: [], pruned: [], updated: [] });
  });
});

describe('mergeUserFile: line endings', () => {
  const lf = `import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type {
  PlaceOrderRequest,
  PlaceOrderResponse,
  GetOrderRequest,
  GetOrderResponse,
} from './types.js';

export class OrderingServiceImpl implements OrderingService {
  // Mine.
  constructor(private readonly deps: OrderingDeps) {}

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    return this.deps.place(request);
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return this.deps.get(request);
  }
}
`;
  const lfMerged = `import { NotImplementedError } from './errors.js';
import type { OrderingDeps } from './dependencies.js';
import type { OrderingService } from './service-interface.js';
import type {
  PlaceOrderRequest,
  PlaceOrderResponse,
  GetOrderRequest,
  GetOrderResponse,
  CancelOrderRequest,
  CancelOrderResponse,
} from './types.js';

export class OrderingServiceImpl implements OrderingService {
  // Mine.
  constructor(private readonly deps: OrderingDeps) {}

  async placeOrder(request: PlaceOrderRequest): Promise<PlaceOrderResponse> {
    return this.deps.place(request);
  }

  async getOrder(request: GetOrderRequest): Promise<GetOrderResponse> {
    return this.deps.get(request);
  }

  /** Cancel an order that has not shipped yet */
  async cancelOrder(request: CancelOrderRequest): Promise<CancelOrderResponse> {
    throw new NotImplementedError('cancelOrder');
  }
}
`;

  it('gives a CRLF file back in CRLF, the added lines too', async () => {
    const result = await merge('src/service.ts', lf.replace(/\n/g, '\r\n'), freshService);
    expect(result.text).toBe(lfMerged.replace(/\n/g, '\r\n'));
    expect(result.added).toEqual(['import CancelOrderRequest', 'import CancelOrderResponse', 'cancelOrder']);
  });

  it('leaves a file of mixed line endings as it is, and ends the added lines in LF', async () => {
    // Only the line of the class keeps its CRLF; everything added is LF.
    const mixed = lf.replace('implements OrderingService {\n', 'implements OrderingService {\r\n');
    const result = await merge('src/service.ts', mixed, freshService);
    expect(result.text).toBe(lfMerged.replace('implements OrderingService {\n', 'implements OrderingService {\r\n'));
  });
});

describe('mergeUserFile: with the record of what the generator wrote (base)', () => {
  /** The service of freshService's context once it no longer calls other contexts and lost cancelOrder. */
  const freshAlone = freshService
    .replace("import type { OrderingDeps } from './dependencies.js';\n", '')
    .replace('  /** Clients of the upstream contexts, and translators to and from their models. */\n  constructor(private readonly deps: OrderingDeps) {}\n\n', '')
    .replace(/\n\n {2}\/\*\* Cancel[^]*?\n {2}\}\n/, '\n')
    .replace('  CancelOrderRequest,\n  CancelOrderResponse,\n', '');

  it('removes the untouched stub and constructor of what left the spec, with their imports; keeps what the user wrote, and their own unused import', async () => {
    const current = `import { EventEmitter } from 'node:events'; // mine, not used yet
${freshService.replace("    throw new NotImplementedError('getOrder');", '    return { order: undefined as never }; // mine')}`;
    const result = await merge('src/service.ts', current, freshAlone, { generatedBefore: ['constructor', 'placeOrder', 'getOrder', 'cancelOrder'], base: freshService });
    expect(result.text).toBe(`import { EventEmitter } from 'node:events'; // mine, not used yet
${freshAlone.replace("    throw new NotImplementedError('getOrder');", '    return { order: undefined as never }; // mine')}`);
    expect(result).toMatchObject({ pruned: ['constructor', 'cancelOrder'], orphans: [], updated: [] });
  });

  it('keeps a stub whose JSDoc or body the user changed, and reports it as an orphan', async () => {
    const current = freshService.replace('  /** Cancel an order that has not shipped yet */', '  /** Cancel an order: mine */').replace("throw new NotImplementedError('placeOrder');", "throw new NotImplementedError('placeOrder'); // soon");
    const fresh = freshService.replace(/\n {2}\/\*\* Cancel[^]*?\n {2}\}\n/, '\n').replace(/\n {2}\/\*\* Place[^]*?\n {2}\}\n/, '\n');
    const result = await merge('src/service.ts', current, fresh, { generatedBefore: ['constructor', 'placeOrder', 'getOrder', 'cancelOrder'], base: freshService });
    expect(result).toMatchObject({ pruned: [], orphans: ['placeOrder', 'cancelOrder'] });
    expect(result.text).toBe(current);
  });

  it('gives an untouched translator function the fresh text, removes one that left, and leaves the one the user filled in', async () => {
    const base = `import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';

export function toPayer(customer: T.Customer): Billing.Payer {
  return {
    id: customer.id,
    note: customer.note,
  };
}

export function fromPayer(payer: Billing.Payer): T.Customer {
  return {
    id: payer.id,
  };
}

export function toAddress(address: T.Address): Billing.Address {
  return {
    street: address.street,
  };
}
`;
    const fresh = base.replace('    note: customer.note,\n', '').replace(/\nexport function toAddress[^]*$/, '');
    const current = base.replace('    id: payer.id,', '    id: payer.id.trim(), // mine');
    const result = await merge('src/translators/billing.ts', current, fresh, { generatedBefore: ['toPayer', 'fromPayer', 'toAddress'], base });
    expect(result.text).toBe(fresh.replace('    id: payer.id,', '    id: payer.id.trim(), // mine'));
    expect(result).toMatchObject({ updated: ['toPayer'], pruned: ['toAddress'], orphans: [] });
  });

  it('keeps the JSDoc of an untouched translator function that takes fresh text, and drops todo and its import under the header comment once no TODO is left', async () => {
    const header = "// Translators between billing's model and the ordering context's own. This file is yours.\n";
    const base = `${header}import { NotImplementedError } from '../errors.js';
import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';

/** Customer (this context) as billing's Payer. */
export function toPayer(customer: T.Customer): Billing.Payer {
  return {
    // TODO: iban (string): this context's Customer has no field of that name
    iban: todo('iban'),
  };
}

/** billing's Payer as this context's Customer. */
export function fromPayer(payer: Billing.Payer): T.Customer {
  return {
    id: payer.id,
  };
}

/** Stands for a value no rule could map: fails loudly until the mapping is written. */
function todo(field: string): never {
  throw new NotImplementedError(\`the translation of \${field}\`);
}
`;
    const fresh = `${header}import type * as Billing from '../clients/billing-types.js';
import type * as T from '../types.js';

/** Customer (this context) as billing's Payer. */
export function toPayer(customer: T.Customer): Billing.Payer {
  return {
    iban: customer.iban,
  };
}

/** billing's Payer as this context's Customer. */
export function fromPayer(payer: Billing.Payer): T.Customer {
  return {
    id: payer.id.trim(), // mine
  };
}
`;
    const current = base.replace('    id: payer.id,', '    id: payer.id.trim(), // mine');
    const result = await merge('src/translators/billing.ts', current, fresh, { generatedBefore: ['toPayer', 'fromPayer'], base });
    expect(result.text).toBe(fresh);
    expect(result).toMatchObject({ updated: ['toPayer'], pruned: ['todo'], orphans: [] });
  });

  it('replaces the untouched construction test when the service gains or loses its dependencies', async () => {
    const alone = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderingServiceImpl } from '../src/service.js';

test('the service is built without any transport', () => {
  assert.ok(new OrderingServiceImpl());
});
test.todo('placeOrder');
`;
    const withDeps = `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderingServiceImpl } from '../src/service.js';
import { fakeOrderingDeps } from './fakes.js';

test('the service is built without any transport, with fake upstreams', () => {
  assert.ok(new OrderingServiceImpl(fakeOrderingDeps()));
});
test.todo('placeOrder');
`;
    const mine = "test('placeOrder works', () => {\n  assert.ok(true);\n});\n";
    const lost = await merge('test/service.test.ts', `${withDeps}${mine}`, alone, { base: withDeps });
    // The new construction test comes in as a new test does: at the end.
    expect(lost.text).toBe(`import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OrderingServiceImpl } from '../src/service.js';

test.todo('placeOrder');
${mine}
test('the service is built without any transport', () => {
  assert.ok(new OrderingServiceImpl());
});
`);
    const gained = await merge('test/service.test.ts', `${alone}${mine}`, withDeps, { base: alone });
    expect(gained.text).not.toContain("test('the service is built without any transport', ");
    expect(gained.text).toContain('new OrderingServiceImpl(fakeOrderingDeps())');
  });
});
