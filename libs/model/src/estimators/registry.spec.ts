import { irisDataset } from '../datasets';
import { gaussianNB } from './gaussian-nb/gaussian-nb';
import { ALGORITHMS, compileScorer, describeModel, estimatorFor, fitModel, validateModelParams, type ModelParams } from './registry';

describe('the estimator registry', () => {
  it('registers gaussian_nb and logistic_regression, each under its own name', () => {
    expect(ALGORITHMS).toEqual(['gaussian_nb', 'logistic_regression']);
    ALGORITHMS.forEach((name) => expect(estimatorFor(name).algorithm).toBe(name));
  });

  it.each([['svm'], ['toString'], ['__proto__'], [undefined]])('refuses the unknown algorithm %p', (name) => {
    expect(() => estimatorFor(name)).toThrow(RangeError);
    expect(() => estimatorFor(name)).toThrow(/algorithm: expected one of "gaussian_nb", "logistic_regression", got/);
  });

  it('fits, round-trips through JSON and scores either algorithm the same way', () => {
    const x = [6.1, 2.8, 4.7, 1.2];
    for (const algorithm of ALGORITHMS) {
      const params = fitModel(irisDataset(), algorithm);
      const wire = JSON.parse(JSON.stringify(params)) as unknown;
      expect(validateModelParams(wire)).toEqual(params);
      expect(compileScorer(validateModelParams(wire))(x)).toEqual(compileScorer(params)(x));
      expect(compileScorer(params)(x).className).toBe('versicolor');
    }
  });

  it('describes a model by algorithm, hyperparameters and shape', () => {
    expect(describeModel(fitModel(irisDataset(), 'gaussian_nb'))).toEqual({
      algorithm: 'gaussian_nb',
      summary: 'Gaussian naive Bayes over 3 classes, var_smoothing=1e-9',
      hyperparameters: { var_smoothing: 1e-9 },
      featureCount: 4,
      classCount: 3,
    });
    expect(describeModel(fitModel(irisDataset(), 'logistic_regression', { C: 2 }))).toEqual({
      algorithm: 'logistic_regression',
      summary: 'logistic regression (multinomial) over 3 classes, C=2',
      hyperparameters: { C: 2 },
      featureCount: 4,
      classCount: 3,
    });
  });

  it('refuses to compile params of an unknown algorithm', () => {
    const params = { ...fitModel(irisDataset(), 'gaussian_nb'), algorithm: 'svm' } as unknown as ModelParams;
    expect(() => compileScorer(params)).toThrow(/algorithm: expected one of/);
  });
});

describe('gaussian_nb hyperparameters', () => {
  it('defaults var_smoothing to scikit-learn’s 1e-9', () => {
    expect(gaussianNB.hyperparameters(undefined)).toEqual({ var_smoothing: 1e-9 });
    expect(gaussianNB.hyperparameters({ var_smoothing: 0.01 })).toEqual({ var_smoothing: 0.01 });
  });

  it.each([
    [{ var_smoothing: -1 }, 'var_smoothing: expected a number >= 0 and <= 1, got -1'],
    [{ var_smoothing: 2 }, 'var_smoothing: expected a number >= 0 and <= 1, got 2'],
    [{ C: 1 }, 'gaussian_nb params: unknown "C"; known: var_smoothing'],
  ])('refuses %j', (raw, message) => {
    expect(() => gaussianNB.hyperparameters(raw)).toThrow(new RangeError(message));
  });
});
