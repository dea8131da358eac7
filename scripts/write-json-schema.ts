/**
 * Writes schema/kit.schema.json from the same zod schema that `validate` checks with, so editors
 * and the validator can never disagree. Run by `npm run build`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { specSchema } from '../src/spec/spec-schema.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schema = z.toJSONSchema(specSchema, { target: 'draft-7', io: 'input' });
mkdirSync(join(root, 'schema'), { recursive: true });
writeFileSync(join(root, 'schema', 'kit.schema.json'), `${JSON.stringify(schema, null, 2)}\n`);
