import { createHash } from 'node:crypto';
import type { ModelParams } from '@app/model';

/** sha256 of the parameters in a fixed key order: identical models get identical checksums. */
export function modelChecksum(params: ModelParams): string {
  return createHash('sha256')
    .update(JSON.stringify(params, Object.keys(params).sort()))
    .digest('hex');
}
