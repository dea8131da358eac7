import type { TransportName } from '../spec/tables.js';

/**
 * Every kind of API change the comparison of two specs reports, with the words the table shows.
 * Whether one breaks callers is decided per change (a field added to a request breaks them when it
 * is required), never by its kind alone; docs/spec.md lists the rules.
 */
export const CHANGE_KINDS = {
  'context-removed': 'context removed',
  'context-added': 'context added',
  'transport-removed': 'transport removed',
  'transport-added': 'transport added',
  'port-changed': 'port changed',
  'endpoint-removed': 'endpoint removed',
  'endpoint-added': 'endpoint added',
  'route-changed': 'route changed',
  'request-field-added': 'request field added',
  'request-field-removed': 'request field removed',
  'request-field-retyped': 'request field retyped',
  'request-field-required': 'request field now required',
  'request-field-optional': 'request field now optional',
  'response-field-added': 'response field added',
  'response-field-removed': 'response field removed',
  'response-field-retyped': 'response field retyped',
  'response-field-optional': 'response field now optional',
  'response-field-required': 'response field now required',
  'error-added': 'error added',
  'error-removed': 'error removed',
  'error-kind-changed': 'error kind changed',
  'proto-number-reused': 'proto field number reused',
  'proto-number-changed': 'proto field renumbered',
} as const;
export type ChangeKind = keyof typeof CHANGE_KINDS;

/** A context of the older spec that calls what changed: it runs until it is deployed again. */
export interface Consumer {
  context: string;
  /** The transport its client uses (`uses.<upstream>.via`). */
  via: TransportName;
  /** What it calls of the changed part: `billing.charge`, or `billing` when its `uses` lists no endpoints. */
  calls: string[];
}

/** One change of a context's API between an older and a newer spec. */
export interface ApiChange {
  kind: ChangeKind;
  context: string;
  /** The endpoint as the spec names it, when the change is inside one. */
  endpoint?: string;
  /** What changed: the context, a transport, an endpoint, `placeOrder request.lines[].quantity`, `message PlaceOrderRequest`. */
  subject: string;
  /** How: `POST /charge`, `integer -> number`, `string, required`. */
  detail: string;
  /** Whether a caller built against the older spec fails against the newer one. */
  breaking: boolean;
  /** The transports over which it fails (empty when compatible): a widened number breaks only gRPC callers. */
  breaksOver: TransportName[];
  /** The contexts of the older spec whose calls it breaks. */
  consumers: Consumer[];
  /** It breaks callers outside kit.yaml too: any client of the service's API over those transports. */
  external: boolean;
}
