import { GaussianNB } from 'ml-naivebayes';
import { irisDataset, type LabeledDataset } from '../../datasets';
import { compileScorer } from '../registry';
import { fitGaussianNB, VARIANCE_FLOOR } from './gaussian-nb';

const oneFeature = (X: number[], y: number[]): LabeledDataset => ({ featureNames: ['x'], classNames: ['a', 'b'], X: X.map((v) => [v]), y });

describe('fitGaussianNB', () => {
  it('classifies 144 of the 150 iris training rows, the same six errors as scikit-learn', () => {
    // The six misses are versicolor/virginica rows in the region where those classes overlap; a
    // correct GNB gets exactly these wrong (sklearn: indices 52, 70, 77, 106, 119, 133).
    const iris = irisDataset();
    const score = compileScorer(fitGaussianNB(iris));
    const wrong = iris.X.flatMap((x, i) => (score(x).classId === iris.y[i] ? [] : [i]));
    expect(wrong).toEqual([52, 70, 77, 106, 119, 133]);
    expect((150 - wrong.length) / 150).toBe(0.96);
  });

  it('reproduces the closed form for two 1-feature classes with equal priors and no smoothing', () => {
    // a = {0, 2}: mean 1, population variance 1;  b = {3, 5}: mean 4, variance 1.
    const p = fitGaussianNB(oneFeature([0, 2, 3, 5], [0, 0, 1, 1]), { varSmoothing: 0 });
    expect(p).toMatchObject({ classCounts: [2, 2], means: [[1], [4]], epsilon: 0 });
    // Not exactly 1: the library stores −2·std² and sqrt(2)² is 2.0000000000000004.
    expect(p.variances[0][0]).toBeCloseTo(1, 15);
    expect(p.variances[1][0]).toBeCloseTo(1, 15);
    expect(p.logPriors).toEqual([Math.log(0.5), Math.log(0.5)]);
    // At x = 2 the log-likelihoods differ by ((2−4)² − (2−1)²)/2 = 1.5, so P(a) = 1 / (1 + e^−1.5).
    expect(compileScorer(p)([2]).probabilities[0]).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 15);
    expect(compileScorer(p)([2]).probabilities[0]).toBeCloseTo(0.8175744761936437, 15);
  });

  it('reproduces the closed form with unequal priors, unequal variances and smoothing', () => {
    // a = {0, 2}: mean 1, var 1;  b = {3, 4, 5}: mean 4, var 2/3.  All data: mean 2.8, var 2.96.
    const p = fitGaussianNB(oneFeature([0, 2, 3, 4, 5], [0, 0, 1, 1, 1]), { varSmoothing: 0.1 });
    expect(p.epsilon).toBeCloseTo(0.296, 15);
    expect(p.variances[0][0]).toBeCloseTo(1.296, 14);
    expect(p.variances[1][0]).toBeCloseTo(2 / 3 + 0.296, 14);
    const [va, vb] = [1.296, 2 / 3 + 0.296];
    const jllA = Math.log(2 / 5) - 0.5 * Math.log(2 * Math.PI * va) - (3 - 1) ** 2 / (2 * va);
    const jllB = Math.log(3 / 5) - 0.5 * Math.log(2 * Math.PI * vb) - (3 - 4) ** 2 / (2 * vb);
    expect(compileScorer(p)([3]).probabilities[1]).toBeCloseTo(1 / (1 + Math.exp(jllA - jllB)), 14);
  });

  it('takes means and priors from ml-naivebayes and turns its sample std into the population variance', () => {
    const iris = irisDataset();
    const lib = new GaussianNB();
    lib.train(iris.X, iris.y);
    const json = lib.toJSON();
    const p = fitGaussianNB(iris, { varSmoothing: 0 });
    expect(p.means).toEqual(json.means);
    expect(p.logPriors).toEqual(json.calculateProbabilities.map((t) => t[0]));
    const libSampleVar = (json.calculateProbabilities[2][3] as [number, number])[1] / -2;
    expect(p.variances[2][2]).toBeCloseTo((libSampleVar * 49) / 50, 15);
    expect(p.variances[2][2]).toBeCloseTo(0.298496, 12);
  });

  it('adds epsilon = varSmoothing × the largest whole-dataset feature variance (petal length for iris)', () => {
    const p = fitGaussianNB(irisDataset(), { varSmoothing: 1e-9 });
    expect(p.epsilon).toBeCloseTo(3.0955026666666677e-9, 20);
    expect(p.varSmoothing).toBe(1e-9);
  });

  it('floors the variance of a feature that is constant within a class even with varSmoothing 0', () => {
    const data: LabeledDataset = {
      featureNames: ['x', 'k'],
      classNames: ['a', 'b'],
      X: [
        [1, 7],
        [2, 7],
        [3, 7],
        [5, 1],
        [6, 2],
      ],
      y: [0, 0, 0, 1, 1],
    };
    const p = fitGaussianNB(data, { varSmoothing: 0 });
    expect(p.variances[0][1]).toBe(VARIANCE_FLOOR);
    const away = compileScorer(p)([2, 1.5]);
    expect(away.className).toBe('b');
    expect(away.probabilities.every(Number.isFinite)).toBe(true);
    expect(compileScorer(p)([2, 7]).className).toBe('a');
  });

  it('gives a single-row class variance epsilon (or the floor), not NaN', () => {
    // All data {0, 2, 9}: mean 11/3, population variance 85/3 − 121/9 = 134/9.
    const p = fitGaussianNB(oneFeature([0, 2, 9], [0, 0, 1]), { varSmoothing: 0.5 });
    expect(p.variances[1][0]).toBeCloseTo((0.5 * 134) / 9, 13);
    expect(fitGaussianNB(oneFeature([0, 2, 9], [0, 0, 1]), { varSmoothing: 0 }).variances[1][0]).toBe(VARIANCE_FLOOR);
  });

  it('uses the floor when every value of the dataset is identical and smoothing is therefore 0', () => {
    const p = fitGaussianNB(oneFeature([4, 4, 4, 4], [0, 0, 1, 1]));
    expect(p.epsilon).toBe(0);
    expect(p.variances).toEqual([[VARIANCE_FLOOR], [VARIANCE_FLOOR]]);
    expect(compileScorer(p)([4]).probabilities).toEqual([0.5, 0.5]);
  });

  it.each([
    ['a row of the wrong length', { X: [[1], [2, 3]] }, /row 1 has 2 values, expected 1/],
    ['a non-finite value', { X: [[1], [NaN]] }, /row 1, feature x: NaN is not a finite number/],
    ['a label out of range', { y: [0, 2] }, /row 1: label 2 is not a class index in \[0, 1\]/],
    ['a non-integer label', { y: [0, 0.5] }, /label 0.5/],
    ['a class without rows', { y: [0, 0] }, /none for: b/],
    ['mismatched X and y', { y: [0] }, /X has 2 rows but y has 1/],
    ['no rows', { X: [], y: [] }, /no rows/],
  ])('rejects %s with a RangeError', (_, patch, message) => {
    const data = { ...oneFeature([1, 2], [0, 1]), ...patch };
    expect(() => fitGaussianNB(data)).toThrow(RangeError);
    expect(() => fitGaussianNB(data)).toThrow(message);
  });

  it('rejects a negative or non-finite varSmoothing', () => {
    expect(() => fitGaussianNB(oneFeature([1, 2], [0, 1]), { varSmoothing: -1 })).toThrow(RangeError);
    expect(() => fitGaussianNB(oneFeature([1, 2], [0, 1]), { varSmoothing: NaN })).toThrow(/varSmoothing/);
  });
});
