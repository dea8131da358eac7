import { pascalCase } from '../naming.js';

/**
 * What kind of failure an error is, whatever the transport: each transport maps a kind to its own
 * status (HTTP code, gRPC code), and the error's stable `code` travels in all of them. The kinds
 * are gRPC's canonical ones that a service's own errors need. The table is documented in docs/spec.md.
 */
export const ERROR_KINDS = {
  invalid_argument: { http: 400, grpc: 'INVALID_ARGUMENT' },
  unauthenticated: { http: 401, grpc: 'UNAUTHENTICATED' },
  permission_denied: { http: 403, grpc: 'PERMISSION_DENIED' },
  not_found: { http: 404, grpc: 'NOT_FOUND' },
  already_exists: { http: 409, grpc: 'ALREADY_EXISTS' },
  failed_precondition: { http: 422, grpc: 'FAILED_PRECONDITION' },
  resource_exhausted: { http: 429, grpc: 'RESOURCE_EXHAUSTED' },
  internal: { http: 500, grpc: 'INTERNAL' },
  unimplemented: { http: 501, grpc: 'UNIMPLEMENTED' },
  unavailable: { http: 503, grpc: 'UNAVAILABLE' },
} as const;
export type ErrorKind = keyof typeof ERROR_KINDS;

/**
 * Declared domain errors get their kind from their names, so a spec stays a plain list of names:
 * the first row whose pattern matches wins; anything else is a broken business rule.
 */
export const ERROR_KIND_RULES: readonly { pattern: RegExp; kind: ErrorKind }[] = [
  { pattern: /NotFound$|Missing$|Unknown/, kind: 'not_found' },
  { pattern: /AlreadyExists$|Conflict|Duplicate/, kind: 'already_exists' },
  { pattern: /Unauthorized$|Unauthenticated$/, kind: 'unauthenticated' },
  { pattern: /Forbidden$|PermissionDenied$|NotAllowed$/, kind: 'permission_denied' },
  { pattern: /TooMany|RateLimited$|QuotaExceeded$/, kind: 'resource_exhausted' },
  { pattern: /Unavailable$/, kind: 'unavailable' },
];
export const DEFAULT_ERROR_KIND: ErrorKind = 'failed_precondition';

/** Error classes every generated service has; a spec's errors may not take their names. */
export const BUILT_IN_ERRORS: ReadonlySet<string> = new Set([
  'Error',
  'NotImplementedError',
  'RateLimitedError',
  'UpstreamUnavailableError',
  'ValidationError',
  'DomainError',
]);

/** `OutOfStock` -> `OutOfStockError`; a name already ending in Error keeps it. */
export function errorClassName(name: string): string {
  const pascal = pascalCase(name);
  return pascal.endsWith('Error') ? pascal : `${pascal}Error`;
}

/** The kind of a declared error. */
export function errorKind(name: string): ErrorKind {
  const pascal = pascalCase(name);
  return ERROR_KIND_RULES.find((rule) => rule.pattern.test(pascal))?.kind ?? DEFAULT_ERROR_KIND;
}
