import { irisDataset } from '../datasets';
import { fitGaussianNB } from './gaussian-nb/gaussian-nb';
import type { GaussianNBParams } from './gaussian-nb/gaussian-nb-params';
import { validateModelParams } from './registry';

const fitted = fitGaussianNB(irisDataset());

describe('validateModelParams', () => {
  it('accepts fitted params after a JSON round trip and returns an equal, independent copy', () => {
    const wire = JSON.parse(JSON.stringify(fitted)) as unknown;
    const checked = validateModelParams(wire) as GaussianNBParams;
    expect(checked).toEqual(fitted);
    (wire as { means: number[][] }).means[0][0] = 99;
    expect(checked.means[0][0]).toBe(fitted.means[0][0]);
  });

  it('drops unknown fields', () => {
    expect(validateModelParams({ ...fitted, extra: 'x' })).not.toHaveProperty('extra');
  });

  it.each([
    ['not an object', null, /model params must be an object/],
    ['an array', [], /model params must be an object/],
    ['another algorithm', { ...fitted, algorithm: 'svm' }, /algorithm: expected one of "gaussian_nb", "logistic_regression", got "svm"/],
    ['empty featureNames', { ...fitted, featureNames: [] }, /featureNames: expected a non-empty array/],
    ['duplicate classNames', { ...fitted, classNames: ['a', 'a', 'b'] }, /classNames: names must be unique/],
    ['a non-string class name', { ...fitted, classNames: ['a', 2, 'b'] }, /classNames\[1\]/],
    ['classCounts of the wrong length', { ...fitted, classCounts: [50, 50] }, /classCounts: expected an array of 3 numbers, got length 2/],
    ['a zero class count', { ...fitted, classCounts: [50, 0, 50] }, /classCounts\[1\]: expected a positive integer/],
    ['a positive log prior', { ...fitted, logPriors: [0.1, -1, -1] }, /logPriors\[0\]/],
    ['priors not summing to 1', { ...fitted, logPriors: [-1, -1, -1] }, /logPriors: priors must sum to 1/],
    ['a NaN mean', { ...fitted, means: [fitted.means[0], [1, NaN, 1, 1], fitted.means[2]] }, /means\[1\]\[1\]: expected a finite number, got NaN/],
    ['a means row too short', { ...fitted, means: [fitted.means[0], [1, 1, 1], fitted.means[2]] }, /means\[1\]: expected an array of 4 numbers/],
    ['too few means rows', { ...fitted, means: fitted.means.slice(1) }, /means: expected 3 rows/],
    ['a zero variance', { ...fitted, variances: [fitted.variances[0], fitted.variances[1], [1, 1, 0, 1]] }, /variances\[2\]\[2\]: must be > 0, got 0/],
    ['a negative variance', { ...fitted, variances: [[-1, 1, 1, 1], fitted.variances[1], fitted.variances[2]] }, /variances\[0\]\[0\]/],
    ['a missing varSmoothing', { ...fitted, varSmoothing: undefined }, /varSmoothing: expected a finite number >= 0, got undefined/],
    ['a negative epsilon', { ...fitted, epsilon: -1 }, /epsilon/],
  ])('rejects %s with a RangeError naming the field', (_, input, message) => {
    expect(() => validateModelParams(input)).toThrow(RangeError);
    expect(() => validateModelParams(input)).toThrow(message);
  });
});
