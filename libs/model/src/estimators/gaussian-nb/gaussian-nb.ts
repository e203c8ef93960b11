import { GaussianNB } from 'ml-naivebayes';
import { assertLabeledDataset, countByClass, type LabeledDataset } from '../../datasets';
import type { Estimator } from '../estimator';
import { hyperparameterObject, numberInRange } from '../untrusted-json';
import { deserializeGaussianNB, type GaussianNBParams } from './gaussian-nb-params';
import { compileGaussianNB } from './gaussian-nb-scorer';

export interface FitGaussianNBOptions {
  /** Fraction of the largest feature variance added to every variance; sklearn's default is 1e-9. */
  varSmoothing?: number;
}

/**
 * sklearn's epsilon is 0 when varSmoothing is 0 or every feature is constant, and then a feature
 * that is constant within a class has variance 0 and scoring divides by zero. The floor is far
 * below any epsilon sklearn would add on real data, so it never changes a sklearn-comparable result.
 */
export const VARIANCE_FLOOR = 1e-12;

export function fitGaussianNB(data: LabeledDataset, opts: FitGaussianNBOptions = {}): GaussianNBParams {
  const varSmoothing = opts.varSmoothing ?? 1e-9;
  if (!Number.isFinite(varSmoothing) || varSmoothing < 0) throw new RangeError(`varSmoothing must be a finite number >= 0, got ${varSmoothing}`);
  assertLabeledDataset(data);
  const classCount = data.classNames.length;
  const featureCount = data.featureNames.length;

  const nb = new GaussianNB();
  nb.train(data.X, data.y);
  const model = nb.toJSON();
  if (model.means.length !== classCount) throw new Error(`ml-naivebayes fitted ${model.means.length} classes, expected ${classCount}`);

  const classCounts = countByClass(data.y, classCount);
  const epsilon = varSmoothing * maxPopulationVariance(data.X, featureCount);
  const means = model.means.map((m) => Array.from(m));
  const logPriors = model.calculateProbabilities.map((terms) => terms[0]);
  const variances = model.calculateProbabilities.map(([, ...featureTerms], c) => {
    const n = classCounts[c];
    return featureTerms.map(([, minusTwoVariance]) => {
      // The library keeps −2·std² with the sample (n−1) std; recover it and rescale to sklearn's population variance.
      const sampleVariance = -minusTwoVariance / 2;
      // A single-row class (0/0) and a constant feature whose variance rounds just below 0 (sqrt → NaN)
      // both come back as NaN; the true variance there is 0.
      const populationVariance = sampleVariance > 0 ? (sampleVariance * (n - 1)) / n : 0;
      return Math.max(populationVariance + epsilon, VARIANCE_FLOOR);
    });
  });

  return {
    algorithm: 'gaussian_nb',
    featureNames: [...data.featureNames],
    classNames: [...data.classNames],
    classCounts,
    logPriors,
    means,
    variances,
    varSmoothing,
    epsilon,
  };
}

/** Two-pass population variance per feature over all rows, as numpy's `X.var(axis=0)`. */
function maxPopulationVariance(X: readonly number[][], featureCount: number): number {
  let max = 0;
  for (let j = 0; j < featureCount; j++) {
    let sum = 0;
    for (const row of X) sum += row[j];
    const mean = sum / X.length;
    let squares = 0;
    for (const row of X) squares += (row[j] - mean) ** 2;
    max = Math.max(max, squares / X.length);
  }
  return max;
}

export interface GaussianNBHyperparameters {
  var_smoothing: number;
}

export const gaussianNB: Estimator<GaussianNBParams, GaussianNBHyperparameters> = {
  algorithm: 'gaussian_nb',
  hyperparameters(raw) {
    const o = hyperparameterObject(raw, 'gaussian_nb', ['var_smoothing']);
    return { var_smoothing: numberInRange(o, 'var_smoothing', 1e-9, { min: 0, max: 1 }) };
  },
  fit: (data, h) => fitGaussianNB(data, { varSmoothing: h.var_smoothing }),
  deserialize: deserializeGaussianNB,
  compile: compileGaussianNB,
  describe: (p) => ({
    algorithm: p.algorithm,
    summary: `Gaussian naive Bayes over ${p.classNames.length} classes, var_smoothing=${p.varSmoothing}`,
    hyperparameters: { var_smoothing: p.varSmoothing },
    featureCount: p.featureNames.length,
    classCount: p.classNames.length,
  }),
};
