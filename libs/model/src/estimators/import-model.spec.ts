import { irisDataset } from '../datasets';
import { fitGaussianNB } from './gaussian-nb/gaussian-nb';
import { importModel } from './import-model';
import { fitLogisticRegression } from './logistic-regression/logistic-regression';

const gnb = fitGaussianNB(irisDataset());
const lr = fitLogisticRegression(irisDataset(), { C: 1, max_iter: 100, tol: 1e-10 });
const source = { library: 'scikit-learn', version: '1.9.1', estimator: 'LogisticRegression' };

describe('importModel', () => {
  it('accepts an exported logistic regression with its source, and returns validated params', () => {
    expect(importModel(JSON.parse(JSON.stringify({ ...lr, source })))).toEqual({ params: lr, source });
  });

  it('accepts an exported Gaussian NB without a source', () => {
    expect(importModel(JSON.parse(JSON.stringify(gnb)))).toEqual({ params: gnb, source: null });
  });

  it.each([
    ['not an object', 'model', 'an imported model must be an object'],
    [
      'an unknown estimator type',
      { ...lr, algorithm: 'random_forest' },
      'algorithm: unknown estimator type "random_forest"; importable: gaussian_nb, logistic_regression',
    ],
    ['no algorithm', { ...lr, algorithm: undefined }, 'algorithm: unknown estimator type undefined; importable: gaussian_nb, logistic_regression'],
    ['a coefficient row of the wrong length', { ...lr, coef: [lr.coef[0], lr.coef[1], [1, 2, 3]] }, 'coef[2]: expected an array of 4 numbers, got length 3'],
    ['more feature names than coefficients', { ...lr, featureNames: [...lr.featureNames, 'extra'] }, 'coef[0]: expected an array of 5 numbers, got length 4'],
    ['a NaN coefficient', { ...lr, coef: [lr.coef[0], [NaN, 0, 0, 0], lr.coef[2]] }, 'coef[1][0]: expected a finite number, got NaN'],
    ['a NaN intercept', { ...lr, intercept: [0, NaN, 0] }, 'intercept[1]: expected a finite number, got NaN'],
    [
      'a class list that does not match the coefficients',
      { ...lr, classNames: ['setosa', 'versicolor'] },
      'coef: 3 rows do not match the 2 classNames (a model over 2 classes has 1 row)',
    ],
    ['a NaN mean', { ...gnb, means: [gnb.means[0], gnb.means[1], [NaN, 1, 1, 1]] }, 'means[2][0]: expected a finite number, got NaN'],
    [
      'an infinite variance',
      { ...gnb, variances: [[1, Infinity, 1, 1], gnb.variances[1], gnb.variances[2]] },
      'variances[0][1]: expected a finite number, got Infinity',
    ],
    ['a zero variance', { ...gnb, variances: [[1, 0, 1, 1], gnb.variances[1], gnb.variances[2]] }, 'variances[0][1]: must be > 0, got 0'],
    ['a class list longer than the means', { ...gnb, classNames: ['a', 'b', 'c', 'd'] }, 'classCounts: expected an array of 4 numbers, got length 3'],
    ['a source that is not an object', { ...lr, source: 'sklearn' }, 'source must be an object'],
    ['a source without a version', { ...lr, source: { ...source, version: '' } }, 'source.version: expected a string of 1 to 100 characters, got ""'],
  ])('refuses %s with a RangeError naming the problem', (_, json, message) => {
    expect(() => importModel(json)).toThrow(new RangeError(message));
  });
});
