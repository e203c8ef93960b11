import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { DatasetError } from '@app/model';

/** One message for every path outside the data directory: whether it exists there is nobody's business. */
const OUTSIDE = 'dataset path must name a file inside the data directory (DATA_DIR)';

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' ? false : !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
}

/**
 * Reads a CSV a retrain request names, only from below DATA_DIR. The path is checked before the
 * file system is touched (so a path outside cannot probe what exists there) and again after
 * realpath (so a symlink cannot lead out); at most `maxBytes` are read. Errors name the problem,
 * never a file's contents.
 */
export async function readDatasetFile(dataDir: string, requested: string, maxBytes: number): Promise<{ text: string; path: string }> {
  if (requested.includes('\0')) throw new DatasetError(OUTSIDE);
  let root: string;
  try {
    root = await realpath(dataDir);
  } catch {
    throw new DatasetError('the trainer has no data directory (DATA_DIR); CSV retrains are unavailable');
  }
  const wanted = resolve(root, requested);
  if (!inside(root, wanted)) throw new DatasetError(OUTSIDE);
  const shown = relative(root, wanted);
  let real: string;
  try {
    real = await realpath(wanted);
  } catch {
    throw new DatasetError(`no dataset file ${JSON.stringify(shown)} in the data directory`);
  }
  if (!inside(root, real)) throw new DatasetError(OUTSIDE);
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => {
    throw new DatasetError(`dataset file ${JSON.stringify(shown)} cannot be opened`);
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new DatasetError(`dataset path ${JSON.stringify(shown)} is not a regular file`);
    if (stat.size > maxBytes) throw new DatasetError(`dataset file ${JSON.stringify(shown)} has ${stat.size} bytes, over DATASET_MAX_BYTES=${maxBytes}`);
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxBytes) throw new DatasetError(`dataset file ${JSON.stringify(shown)} is over DATASET_MAX_BYTES=${maxBytes}`);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), path: shown };
  } finally {
    await handle.close();
  }
}
