import { irisDataset } from '../../datasets';
import { fitLogisticRegression } from './logistic-regression';
import { deserializeLogisticRegression, type LogisticRegressionParams } from './logistic-regression-params';

const fitted = fitLogisticRegression(irisDataset(), { C: 1, max_iter: 100, tol: 1e-10 });
const binary: LogisticRegressionParams = {
  algorithm: 'logistic_regression',
  featureNames: ['a', 'b'],
  classNames: ['no', 'yes'],
  coef: [[0.5, -1]],
  intercept: [0.25],
  C: 1,
};

describe('deserializeLogisticRegression', () => {
  it('returns an equal, independent copy after a JSON round trip, without unknown fields', () => {
    const wire = JSON.parse(JSON.stringify({ ...fitted, extra: 1 })) as { coef: number[][] };
    const checked = deserializeLogisticRegression(wire);
    expect(checked).toEqual(fitted);
    wire.coef[0][0] = 99;
    expect(checked.coef[0][0]).toBe(fitted.coef[0][0]);
  });

  it('accepts a binary model with one coefficient row, and C null (an imported unpenalised model)', () => {
    expect(deserializeLogisticRegression({ ...binary, C: null })).toEqual({ ...binary, C: null });
  });

  it.each([
    ['another algorithm', { ...fitted, algorithm: 'gaussian_nb' }, 'algorithm: expected "logistic_regression", got "gaussian_nb"'],
    ['a single class', { ...binary, classNames: ['yes'] }, 'classNames: a logistic regression separates at least 2 classes, got 1'],
    [
      'a class list longer than the coefficient rows',
      { ...fitted, classNames: ['a', 'b', 'c', 'd'] },
      'coef: 3 rows do not match the 4 classNames (a model over 4 classes has 4 rows, one per class)',
    ],
    [
      'two rows for two classes',
      {
        ...binary,
        coef: [
          [1, 2],
          [3, 4],
        ],
      },
      'coef: 2 rows do not match the 2 classNames (a model over 2 classes has 1 row)',
    ],
    ['a coefficient row of the wrong length', { ...binary, coef: [[1, 2, 3]] }, 'coef[0]: expected an array of 2 numbers, got length 3'],
    ['a NaN coefficient', { ...fitted, coef: [fitted.coef[0], [1, NaN, 1, 1], fitted.coef[2]] }, 'coef[1][1]: expected a finite number, got NaN'],
    ['an infinite intercept', { ...binary, intercept: [Infinity] }, 'intercept[0]: expected a finite number, got Infinity'],
    ['too many intercepts', { ...binary, intercept: [1, 2] }, 'intercept: expected an array of 1 numbers, got length 2'],
    ['coef missing', { ...binary, coef: undefined }, 'coef: expected 1 rows (the log-odds of the second class), got undefined'],
    ['C = 0', { ...binary, C: 0 }, 'C: expected a finite number > 0 or null, got 0'],
    ['C missing', { ...binary, C: undefined }, 'C: expected a finite number > 0 or null, got undefined'],
  ])('refuses %s with a RangeError naming the field', (_, input, message) => {
    expect(() => deserializeLogisticRegression(input)).toThrow(new RangeError(message));
  });
});
