import type { LogisticRegressionParams } from './logistic-regression-params';
import { compileLogisticRegression } from './logistic-regression-scorer';

const binary: LogisticRegressionParams = {
  algorithm: 'logistic_regression',
  featureNames: ['a', 'b'],
  classNames: ['no', 'yes'],
  coef: [[0.5, -1]],
  intercept: [0.25],
  C: 1,
};
const three: LogisticRegressionParams = {
  algorithm: 'logistic_regression',
  featureNames: ['a', 'b'],
  classNames: ['x', 'y', 'z'],
  coef: [
    [1, 0],
    [0, 1],
    [-1, -1],
  ],
  intercept: [0, 0.5, -0.5],
  C: 1,
};

describe('compileLogisticRegression', () => {
  it('scores 2 classes as [1 − σ(s), σ(s)] of the single score s = coef·x + intercept', () => {
    const s = compileLogisticRegression(binary)([2, 0.5]);
    const positive = 1 / (1 + Math.exp(-(0.5 * 2 - 0.5 + 0.25)));
    expect(s.probabilities).toEqual([1 - positive, positive]);
    expect(s).toMatchObject({ classId: 1, className: 'yes', probability: positive });
  });

  it('gives the first class a tie at score 0, as scikit-learn’s predict does', () => {
    expect(compileLogisticRegression({ ...binary, intercept: [0] })([0, 0])).toMatchObject({ classId: 0, probabilities: [0.5, 0.5] });
  });

  it('scores K > 2 classes by the softmax of the K scores', () => {
    const s = compileLogisticRegression(three)([1, 2]);
    const scores = [1, 2.5, -3.5];
    const sum = scores.reduce((t, v) => t + Math.exp(v), 0);
    scores.forEach((v, k) => expect(s.probabilities[k]).toBeCloseTo(Math.exp(v) / sum, 15));
    expect(s.className).toBe('y');
  });

  it('stays finite for scores far beyond exp’s range (softmax after subtracting the largest)', () => {
    const s = compileLogisticRegression(three)([1000, 0]);
    expect(s.probabilities).toEqual([1, 0, 0]);
  });

  it('gives all the mass to the winning direction when a score overflows to infinity', () => {
    expect(compileLogisticRegression(three)([1e308, 1e308]).probabilities).toEqual([0.5, 0.5, 0]);
    expect(compileLogisticRegression(binary)([-1e308, 1.5e308]).probabilities).toEqual([1, 0]);
  });

  it('refuses a vector of the wrong length or with a non-finite value', () => {
    const score = compileLogisticRegression(binary);
    expect(() => score([1])).toThrow(new RangeError('expected 2 features (a, b), got 1'));
    expect(() => score([1, NaN])).toThrow(new RangeError('feature b must be a finite number, got NaN'));
  });

  it('refuses to compile invalid params', () => {
    expect(() => compileLogisticRegression({ ...binary, intercept: [NaN] })).toThrow(/intercept\[0\]/);
  });
});
