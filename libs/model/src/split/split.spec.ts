import { irisDataset } from '../datasets';
import { stratifiedSplit } from './split';

describe('stratifiedSplit', () => {
  const { y } = irisDataset();

  it('holds out round(testSize × n) rows of every class', () => {
    const { trainIdx, testIdx } = stratifiedSplit(y, 0.2, 42);
    expect(testIdx).toHaveLength(30);
    expect(trainIdx).toHaveLength(120);
    for (const c of [0, 1, 2]) expect(testIdx.filter((i) => y[i] === c)).toHaveLength(10);
  });

  it('returns sorted, disjoint index lists that together cover every row', () => {
    const { trainIdx, testIdx } = stratifiedSplit(y, 0.3, 1);
    expect(trainIdx).toEqual([...trainIdx].sort((a, b) => a - b));
    expect(testIdx).toEqual([...testIdx].sort((a, b) => a - b));
    expect([...trainIdx, ...testIdx].sort((a, b) => a - b)).toEqual(y.map((_, i) => i));
  });

  it('is deterministic for a seed and changes with the seed', () => {
    expect(stratifiedSplit(y, 0.2, 42)).toEqual(stratifiedSplit(y, 0.2, 42));
    expect(stratifiedSplit(y, 0.2, 43).testIdx).not.toEqual(stratifiedSplit(y, 0.2, 42).testIdx);
  });

  it('pins the exact split for a small input so PRNG or algorithm changes are noticed', () => {
    expect(stratifiedSplit([0, 0, 0, 0, 1, 1, 1, 1], 0.25, 1)).toEqual(EXPECTED_SMALL_SPLIT);
  });

  it('keeps at least one row of each class on both sides, and a lone row in train', () => {
    expect(stratifiedSplit([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 0.01, 3).testIdx).toHaveLength(2);
    const big = stratifiedSplit([0, 0, 1, 1, 1], 0.99, 3);
    expect(big.trainIdx).toHaveLength(2);
    expect(stratifiedSplit([0, 1, 1, 1], 0.5, 3).trainIdx).toContain(0);
  });

  it.each([0, 1, -0.1, 1.5, NaN])('rejects testSize %p with a RangeError', (testSize) => {
    expect(() => stratifiedSplit(y, testSize, 1)).toThrow(RangeError);
  });
});

// Cross-checked with an independent Python port of mulberry32 + Fisher–Yates.
const EXPECTED_SMALL_SPLIT = { trainIdx: [0, 1, 2, 4, 6, 7], testIdx: [3, 5] };
