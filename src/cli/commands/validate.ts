import { KitError } from '../../errors.js';
import { loadSpec } from '../../spec/load-spec.js';
import { validateSpec } from '../../spec/validate-spec.js';
import { out, printProblems } from '../output.js';

/** `validate [file]`: prints every problem, or a short summary of a valid spec. */
export async function validateCommand(file: string): Promise<void> {
  const source = await loadSpec(file);
  const { spec, problems } = validateSpec(source);
  const errors = problems.filter((problem) => problem.severity === 'error').length;
  if (!spec) {
    printProblems(problems);
    throw new KitError('INVALID_SPEC', `${file} is invalid: ${errors} ${errors === 1 ? 'problem' : 'problems'}`, {
      hint: 'fix the problems above and run validate again',
    });
  }
  printProblems(problems);
  const contexts = Object.entries(spec.contexts);
  const endpoints = contexts.reduce((sum, [, context]) => sum + Object.keys(context.endpoints ?? {}).length, 0);
  out.line(`${out.green('✓')} ${file} is valid: ${plural(contexts.length, 'context')}, ${plural(endpoints, 'endpoint')}`);
  for (const [name, context] of contexts) {
    out.line(`  ${name}: ${Object.keys(context.endpoints ?? {}).join(', ') || 'no endpoints yet'}`);
  }
  if (!/yaml-language-server:\s*\$schema=/.test(source.text)) {
    out.line(out.green('tip:') + ' let your editor complete and check this file: add as its first line');
    out.line('  # yaml-language-server: $schema=<path to create-kit-service>/schema/kit.schema.json');
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
