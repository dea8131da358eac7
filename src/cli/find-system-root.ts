import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KitError } from '../errors.js';

/** The folder of the nearest kit.yaml, from `start` upwards: the system a command works on. */
export function findSystemRoot(start: string): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'kit.yaml'))) return dir;
    if (dir === dirname(dir)) {
      throw new KitError('FILE_NOT_FOUND', 'no kit.yaml in this folder or any folder above it', {
        hint: 'run this inside a system made by create-kit-service, or create one with "create-kit-service <dir> --spec kit.yaml"',
      });
    }
  }
}
