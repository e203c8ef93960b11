import { mulberry32, shuffleInPlace } from './seeded-random';

export interface SplitIndices {
  trainIdx: number[];
  testIdx: number[];
}

/**
 * Per-class shuffle-and-cut so every class keeps its proportion in both halves; a holdout that
 * happened to miss a class would make accuracy comparisons between models meaningless.
 */
/** Rows a class of `n` gives the holdout. A class with one row stays in train: the model cannot predict a class it never saw. */
function testRowsOfClass(n: number, testSize: number): number {
  return n < 2 ? 0 : Math.min(n - 1, Math.max(1, Math.round(testSize * n)));
}

/** The size of the holdout stratifiedSplit will make, from the class counts alone. */
export function holdoutRows(classCounts: readonly number[], testSize: number): number {
  return classCounts.reduce((sum, n) => sum + testRowsOfClass(n, testSize), 0);
}

export function stratifiedSplit(y: number[], testSize: number, randomState: number): SplitIndices {
  if (!(testSize > 0 && testSize < 1)) throw new RangeError(`testSize must be strictly between 0 and 1, got ${testSize}`);
  if (!Number.isFinite(randomState)) throw new RangeError(`randomState must be a finite number, got ${randomState}`);
  const byClass = new Map<number, number[]>();
  y.forEach((label, i) => {
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  });

  const random = mulberry32(randomState);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  // Classes in ascending label order so the random stream is consumed identically whatever the row order.
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace(byClass.get(label)!, random);
    const n = members.length;
    const nTest = testRowsOfClass(n, testSize);
    testIdx.push(...members.slice(0, nTest));
    trainIdx.push(...members.slice(nTest));
  }
  return { trainIdx: trainIdx.sort((a, b) => a - b), testIdx: testIdx.sort((a, b) => a - b) };
}
