import { createHash } from 'node:crypto';
import type { LabeledDataset } from './labeled-dataset';

export interface DatasetFingerprint {
  sha256: string;
  rows: number;
  classCounts: Record<string, number>;
}

/**
 * Identifies a training set so a model can be traced to exactly the data it saw. The canonical
 * form is JSON of the names and rows with a fixed key order; JSON prints each number as its
 * shortest round-trip decimal, so equal values always hash equally. Row order is part of the
 * identity because it determines the seeded train/test split.
 */
export function fingerprintDataset(data: LabeledDataset): DatasetFingerprint {
  const canonical = JSON.stringify({ featureNames: data.featureNames, classNames: data.classNames, X: data.X, y: data.y });
  const classCounts: Record<string, number> = Object.fromEntries(data.classNames.map((name) => [name, 0]));
  for (const label of data.y) {
    const name = data.classNames[label];
    if (name === undefined) throw new RangeError(`label ${label} is not a class index in [0, ${data.classNames.length - 1}]`);
    classCounts[name]++;
  }
  return { sha256: createHash('sha256').update(canonical).digest('hex'), rows: data.X.length, classCounts };
}
