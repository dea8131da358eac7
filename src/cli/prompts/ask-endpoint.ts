import { input } from '@inquirer/prompts';
import { kebabCase } from '../../naming.js';
import { parseFieldList, type EndpointEdit } from '../../spec/edit-spec.js';
import { parseRoute } from '../../spec/parse-route.js';

/** Asks for an endpoint's details, checking each answer on the spot with the validator's own rules. */
export async function askEndpoint(name: string): Promise<EndpointEdit> {
  const fieldsValid = (flag: string) => (value: string) => {
    try {
      parseFieldList(flag, value);
      return true;
    } catch (error) {
      return error instanceof Error ? `${error.message} (e.g. id:string,qty:integer,note:string?)` : String(error);
    }
  };
  const description = await input({ message: 'Description', default: '' });
  const http = await input({
    message: 'HTTP method and path',
    default: `POST /${kebabCase(name)}`,
    validate: (value) => {
      const route = parseRoute(value, name);
      return 'problem' in route ? `${route.problem}: ${route.hint}` : true;
    },
  });
  const request = await input({ message: 'Request fields (name:type, comma-separated)', default: '', validate: fieldsValid('request') });
  const response = await input({ message: 'Response fields (name:type, comma-separated)', default: '', validate: fieldsValid('response') });
  const errors = await input({ message: 'Declared errors (comma-separated names)', default: '' });
  return {
    description: description || undefined,
    http,
    request: request ? parseFieldList('request', request) : undefined,
    response: response ? parseFieldList('response', response) : undefined,
    errors: errors ? errors.split(',').map((error) => error.trim()).filter(Boolean) : undefined,
  };
}
