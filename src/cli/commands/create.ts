import { KitError } from '../../errors.js';
import type { CreateOptions } from '../program.js';

/** `create-kit-service [dir]`: creates a new system. */
export async function createCommand(_dir: string | undefined, _options: CreateOptions): Promise<void> {
  throw new KitError('NOT_IMPLEMENTED', 'creating a system is not built yet');
}
