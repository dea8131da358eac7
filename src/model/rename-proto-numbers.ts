import { pascalCase, snakeCase } from '../naming.js';
import type { ResolvedRename } from '../spec/rename-in-spec.js';
import type { ProtoNumbers } from './number-proto-fields.js';

/**
 * The field-number record (`.kit/proto-numbers.json`) as a rename leaves it: the context, message
 * or field keeps its numbers under its new name. Without this, a renamed message would start
 * numbering afresh and a renamed field would take a new number, its old one reserved: every client
 * built against the old .proto would stop reading it. A field keeps its number and type, so
 * over the binary wire nothing changes.
 */
export function renameProtoNumbers(numbers: ProtoNumbers, rename: ResolvedRename): ProtoNumbers {
  const renamed = structuredClone(numbers);
  const context = renamed[rename.context];
  if (!context) return renamed;
  const renameMessage = (from: string, to: string) => {
    if (!context[from] || from === to) return;
    context[to] = context[from]!;
    delete context[from];
  };
  switch (rename.kind) {
    case 'context':
      delete renamed[rename.context];
      renamed[rename.to] = context;
      break;
    case 'endpoint':
      renameMessage(`${pascalCase(rename.from)}Request`, `${pascalCase(rename.to)}Request`);
      renameMessage(`${pascalCase(rename.from)}Response`, `${pascalCase(rename.to)}Response`);
      break;
    case 'type':
      renameMessage(pascalCase(rename.from), pascalCase(rename.to));
      break;
    case 'field': {
      const { owner } = rename;
      const message = context['type' in owner ? pascalCase(owner.type) : `${pascalCase(owner.endpoint)}${owner.part === 'request' ? 'Request' : 'Response'}`];
      const [from, to] = [snakeCase(rename.from), snakeCase(rename.to)];
      if (!message?.fields[from] || from === to) break;
      message.fields = Object.fromEntries(Object.entries(message.fields).map(([name, field]) => [name === from ? to : name, field]));
      break;
    }
    case 'error':
      break;
  }
  return renamed;
}
