import { pascalCase } from '../naming.js';

/**
 * Declared domain errors get stable HTTP status codes from their names, so a spec stays a plain
 * list of names: the first row whose pattern matches wins; anything else is a broken business rule
 * (422). The table is documented in docs/spec.md.
 */
export const ERROR_STATUS_RULES: readonly { pattern: RegExp; status: number }[] = [
  { pattern: /NotFound$|Missing$|Unknown/, status: 404 },
  { pattern: /AlreadyExists$|Conflict|Duplicate/, status: 409 },
  { pattern: /Unauthorized$|Unauthenticated$/, status: 401 },
  { pattern: /Forbidden$|PermissionDenied$|NotAllowed$/, status: 403 },
  { pattern: /TooMany|RateLimited$|QuotaExceeded$/, status: 429 },
  { pattern: /Unavailable$/, status: 503 },
];
export const DEFAULT_ERROR_STATUS = 422;

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

/** The HTTP status of a declared error. */
export function errorStatus(name: string): number {
  const pascal = pascalCase(name);
  return ERROR_STATUS_RULES.find((rule) => rule.pattern.test(pascal))?.status ?? DEFAULT_ERROR_STATUS;
}
