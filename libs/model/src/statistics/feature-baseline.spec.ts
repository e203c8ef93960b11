import { binIndex, computeFeatureBaselines } from './feature-baseline';
import { FEATURE_NAMES, irisDataset } from '../datasets';

describe('computeFeatureBaselines', () => {
  it('summarises each feature with population std and equal-width bins over [min, max]', () => {
    const [b] = computeFeatureBaselines([[0], [1], [1], [2], [4]], ['x'], 4);
    expect(b).toEqual({
      feature: 'x',
      count: 5,
      mean: 1.6,
      // squared deviations 2.56 + 0.36 + 0.36 + 0.16 + 5.76 = 9.2
      std: expect.closeTo(Math.sqrt(9.2 / 5), 15),
      min: 0,
      max: 4,
      binEdges: [0, 1, 2, 3, 4],
      binCounts: [1, 2, 1, 1],
    });
  });

  it('puts the maximum in the last bin, as numpy.histogram does', () => {
    const [b] = computeFeatureBaselines([[0], [10]], ['x'], 10);
    expect(b.binCounts).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(b.binEdges[10]).toBe(10);
  });

  it('matches numpy.histogram counts for iris petal length with 10 bins', () => {
    const iris = irisDataset();
    const baselines = computeFeatureBaselines(iris.X, iris.featureNames);
    expect(baselines.map((b) => b.feature)).toEqual([...FEATURE_NAMES]);
    const petal = baselines[2];
    // numpy.histogram(iris.data[:, 2], bins=10)
    expect(petal.binCounts).toEqual([37, 13, 0, 3, 8, 26, 29, 18, 11, 5]);
    expect(petal).toMatchObject({ count: 150, min: 1, max: 6.9 });
    expect(petal.mean).toBeCloseTo(3.758, 12);
    expect(petal.std).toBeCloseTo(1.759404065775303, 12);
  });

  it('widens a constant feature to a unit interval so the bins have width', () => {
    const [b] = computeFeatureBaselines([[3], [3], [3]], ['x'], 2);
    expect(b).toMatchObject({ min: 3, max: 3, std: 0, binEdges: [2.5, 3, 3.5], binCounts: [0, 3] });
  });

  it('rejects bad input', () => {
    expect(() => computeFeatureBaselines([], ['x'])).toThrow(/zero rows/);
    expect(() => computeFeatureBaselines([[1, 2]], ['x'])).toThrow(/row 0 has 2 values/);
    expect(() => computeFeatureBaselines([[NaN]], ['x'])).toThrow(/not a finite number/);
    expect(() => computeFeatureBaselines([[1]], ['x'], 0)).toThrow(/bins must be a positive integer/);
  });
});

describe('binIndex', () => {
  const edges = [0, 1, 2, 3];

  it('uses half-open bins [e_i, e_i+1) with the last bin closed', () => {
    expect([0, 0.5, 1, 1.99, 2, 3].map((v) => binIndex(edges, v))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('clamps values outside the edges into the edge bins', () => {
    expect(binIndex(edges, -100)).toBe(0);
    expect(binIndex(edges, 100)).toBe(2);
  });

  it('works with a single bin', () => {
    expect([-1, 0, 5].map((v) => binIndex([0, 1], v))).toEqual([0, 0, 0]);
  });
});
