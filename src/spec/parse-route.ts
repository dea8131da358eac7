import { kebabCase } from '../naming.js';
import { HTTP_METHODS, type HttpMethod } from './tables.js';

/** An endpoint's HTTP binding. */
export interface Route {
  method: HttpMethod;
  /** As the spec writes it: `/orders/{orderId}`. */
  path: string;
  /** Path parameter names in order. */
  params: string[];
  /** Method and path with parameter names blanked, so `{id}` and `{orderId}` at one place collide. */
  key: string;
}

const SEGMENT = /^(?:[A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\})$/;

/**
 * Parses `"GET /orders/{orderId}"`; without a value the default is `POST /<kebab-name>`. Returns a
 * problem and a hint instead of throwing, so the validator can go on.
 */
export function parseRoute(http: string | undefined, endpointName: string): Route | { problem: string; hint: string } {
  const text = http ?? `POST /${kebabCase(endpointName)}`;
  const match = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(text);
  const example = 'write it as "METHOD /path", e.g. "GET /orders/{orderId}"';
  if (!match) return { problem: `"${text}" is not an HTTP route`, hint: example };
  const method = match[1]!.toUpperCase();
  const path = match[2]!;
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    return { problem: `unknown HTTP method "${match[1]}"`, hint: `use one of ${HTTP_METHODS.join(', ')}` };
  }
  if (!path.startsWith('/')) return { problem: `path "${path}" does not start with "/"`, hint: example };
  const segments = path === '/' ? [] : path.slice(1).replace(/\/$/, '').split('/');
  const bad = segments.find((segment) => !SEGMENT.test(segment));
  if (bad !== undefined) {
    return {
      problem: `path segment "${bad}" in "${path}" is not valid`,
      hint: 'segments hold letters, digits, ".", "_", "~", "-", or one whole parameter such as {orderId}',
    };
  }
  const params = segments.filter((segment) => segment.startsWith('{')).map((segment) => segment.slice(1, -1));
  const duplicate = params.find((param, index) => params.indexOf(param) !== index);
  if (duplicate !== undefined) return { problem: `path parameter "{${duplicate}}" appears twice in "${path}"`, hint: 'name each parameter once' };
  const normalizedPath = `/${segments.join('/')}`;
  const key = `${method} /${segments.map((segment) => (segment.startsWith('{') ? '{}' : segment)).join('/')}`;
  return { method: method as HttpMethod, path: normalizedPath, params, key };
}
