import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mergeUserFile } from '../../../src/ast/merge-user-file.js';

it('explore', async () => {
  const fresh = readFileSync(process.env.FRESH!, 'utf8');
  const user = readFileSync(process.env.USER_FILE!, 'utf8');
  const before = (process.env.BEFORE ?? '').split(',').filter(Boolean);
  const r = await mergeUserFile(process.env.P ?? 'src/service.ts', user, fresh, { generatedBefore: before, prune: process.env.PRUNE === '1' });
  console.log(JSON.stringify({ ...r, text: undefined }));
  console.log(JSON.stringify(r.text));
  console.log('-----\n' + r.text + '-----');
  const r2 = await mergeUserFile(process.env.P ?? 'src/service.ts', r.text, fresh, { generatedBefore: before, prune: process.env.PRUNE === '1' });
  console.log('IDEMPOTENT', r2.text === r.text, JSON.stringify(r2.added));
  if (r2.text !== r.text) console.log('SECOND:\n' + r2.text);
});
