import { statSync, accessSync, constants } from 'node:fs';
import { z } from 'zod';

/** A boolean variable: `true`/`false`/`1`/`0`, nothing looser, so a typo fails instead of meaning false. */
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A path checked at start-up, so a missing certificate fails there and not at the first connection. */
export const readableFile = () => z.string().refine(isReadableFile, { message: 'is not a readable file' });
