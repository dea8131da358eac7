import { camelCase, pascalCase, safeVariableName } from '../naming.js';
import { showTypeExpression, type TypeExpression } from '../spec/type-expression.js';
import type { TypeTable } from './sample-values.js';
import type { FieldMapping, TranslationModel } from './system-model.js';

type Field = { name: string; optional: boolean; type: TypeExpression };
/** Names the function turning a source type into a target type, when `translate` pairs them. */
type Converter = (sourceType: string, targetType: string) => string | undefined;

/**
 * The translator stubs of one upstream: for each `translate` pair, a field mapping both ways. A
 * field is mapped when the other side has a field of the same name and the same type, or of a type
 * that is itself translated (its translator is called); anything else is left to the user as a
 * TODO whose stub throws.
 */
export function buildTranslations(
  pairs: [upstreamType: string, localType: string][],
  upstreamTypes: TypeTable,
  localTypes: TypeTable,
  upstreamName: string,
): TranslationModel[] {
  const pairedLocal = new Map(pairs);
  const pairedUpstream = new Map(pairs.map(([upstream, local]) => [local, upstream]));
  const toUpstream: Converter = (local, upstream) => (pairedUpstream.get(local) === upstream ? `to${pascalCase(upstream)}` : undefined);
  const toLocal: Converter = (upstream, local) => (pairedLocal.get(upstream) === local ? `from${pascalCase(upstream)}` : undefined);
  return pairs.map(([upstream, local]) => {
    const upstreamFields = upstreamTypes.get(upstream) ?? [];
    const localFields = localTypes.get(local) ?? [];
    const localParam = parameterName(local);
    const upstreamParam = parameterName(upstream);
    return {
      upstream: pascalCase(upstream),
      local: pascalCase(local),
      toName: `to${pascalCase(upstream)}`,
      fromName: `from${pascalCase(upstream)}`,
      localParam,
      upstreamParam,
      toFields: mapFields(upstreamFields, localFields, localParam, toUpstream, `this context's ${local}`),
      fromFields: mapFields(localFields, upstreamFields, upstreamParam, toLocal, `${upstreamName}'s ${upstream}`),
    };
  });
}

/** Computes every field of the target type from the source value `param`. */
function mapFields(target: Field[], source: Field[], param: string, converter: Converter, sourceName: string): FieldMapping[] {
  return target.map((field) => {
    const match = source.find((candidate) => candidate.name === field.name);
    const convert = match && conversion(match.type, field.type, converter);
    if (!match || !convert) {
      const why = match
        ? `${sourceName} has it as ${showTypeExpression(match.type)}, and no translator turns that into ${showTypeExpression(field.type)}`
        : `${sourceName} has no field of that name`;
      const todo = `${field.name} (${showTypeExpression(field.type)}${field.optional ? ', optional' : ''}): ${why}`;
      // An optional field may stay empty; a required one fails loudly until it is mapped.
      return { name: field.name, expression: field.optional ? 'undefined' : `todo('${field.name}')`, todo };
    }
    const value = `${param}.${field.name}`;
    if (!match.optional) return { name: field.name, expression: convert(value) };
    if (field.optional) {
      return { name: field.name, expression: convert(value) === value ? value : `${value} === undefined ? undefined : ${convert(value)}` };
    }
    // A required target from an optional source: the stub fails loudly where the value is missing.
    const required = `${value} ?? todo('${field.name}')`;
    if (convert(value) === value) return { name: field.name, expression: required };
    return { name: field.name, expression: convert(`(${required})`).replace(/\(\((.*)\)\)$/, '($1)') };
  });
}

/** How a value of the source type becomes one of the target type, if a rule knows. */
function conversion(source: TypeExpression, target: TypeExpression, converter: Converter): ((value: string) => string) | undefined {
  if (source.kind === 'primitive' && target.kind === 'primitive') return source.name === target.name ? (value) => value : undefined;
  if (source.kind === 'list' && target.kind === 'list') {
    const inner = conversion(source.of, target.of, converter);
    if (!inner) return undefined;
    return inner('item') === 'item' ? (value) => value : (value) => `${value}.map((item) => ${inner('item')})`;
  }
  if (source.kind === 'ref' && target.kind === 'ref') {
    const name = converter(source.name, target.name);
    return name === undefined ? undefined : (value) => `${name}(${value})`;
  }
  return undefined;
}

/** The parameter of a translator, named after its type (`customer`), unless that is a keyword. */
function parameterName(typeName: string): string {
  return safeVariableName(camelCase(typeName), 'value');
}
