import { input } from '@inquirer/prompts';
import { kebabCase } from '../../naming.js';
import { parseFieldList, parseNameList, type EndpointEdit } from '../../spec/edit-spec.js';
import { parseRoute } from '../../spec/parse-route.js';

/** One answer of the endpoint conversation, checked against the rest of the spec. */
export type EndpointStep = 'http' | 'request' | 'response' | 'errors';

export interface AskEndpointOptions {
  /**
   * Checks the endpoint as answered so far against the spec it goes into (unknown types, routes
   * taken, path parameters missing from the request, error names); returns the problem in the
   * validator's words, or undefined. Without it only the answer's own syntax is checked.
   */
  check?: (edit: EndpointEdit, step: EndpointStep) => string | undefined;
}

const FIELD_EXAMPLE = 'e.g. id:string,qty:integer,note:string?,lines:[OrderLine]';

/** A `name:type` list as fields, or the message that explains why it is not one (for a prompt's validate). */
export function parseFieldAnswer(flag: string, value: string): Record<string, unknown> | string {
  try {
    return parseFieldList(flag, value);
  } catch (error) {
    return error instanceof Error ? `${error.message} (hint: ${FIELD_EXAMPLE})` : String(error);
  }
}

/** Asks for an endpoint's details, checking each answer on the spot with the validator's own rules. */
export async function askEndpoint(name: string, options: AskEndpointOptions = {}): Promise<EndpointEdit> {
  const check = options.check ?? (() => undefined);
  const edit: EndpointEdit = {};
  const description = await input({ message: `Description of ${name} (optional)`, default: '' });
  if (description.trim()) edit.description = description.trim();

  let params: string[] = [];
  edit.http = (
    await input({
      message: `HTTP method and path of ${name}`,
      default: `POST /${kebabCase(name)}`,
      validate: (value) => {
        const route = parseRoute(value, name);
        if ('problem' in route) return `${route.problem} (hint: ${route.hint})`;
        // The request is asked next: until then its path parameters count as declared.
        const request = Object.fromEntries(route.params.map((param) => [param, 'string']));
        return check({ ...edit, http: value.trim(), request }, 'http') ?? true;
      },
    })
  ).trim();
  const route = parseRoute(edit.http, name);
  if (!('problem' in route)) {
    // Written as the documentation writes routes: "get /orders/" becomes "GET /orders".
    edit.http = `${route.method} ${route.path}`;
    params = route.params;
  }

  // Request and response: a field list each, checked with the endpoint answered so far.
  const askFields = async (step: 'request' | 'response', defaultAnswer: string) => {
    const answer = await input({
      message: `${step === 'request' ? 'Request' : 'Response'} fields of ${name} (name:type, comma-separated; Enter for none)`,
      default: defaultAnswer,
      validate: (value) => {
        const parsed = parseFieldAnswer(step, value);
        if (typeof parsed === 'string') return parsed;
        return check({ ...edit, [step]: parsed }, step) ?? true;
      },
    });
    const fields = parseFieldList(step, answer);
    if (Object.keys(fields).length > 0) edit[step] = fields;
  };
  // A path parameter is a request field: offer the ones the path already names.
  await askFields('request', params.map((param) => `${param}:string`).join(','));
  await askFields('response', '');

  const errors = await input({
    message: `Errors ${name} may answer with (comma-separated, e.g. OutOfStock; Enter for none)`,
    default: '',
    validate: (value) => check({ ...edit, errors: parseNameList(value) }, 'errors') ?? true,
  });
  const errorNames = parseNameList(errors);
  if (errorNames.length > 0) edit.errors = errorNames;
  return edit;
}
