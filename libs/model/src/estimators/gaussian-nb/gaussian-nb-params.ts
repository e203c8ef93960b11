import { nonNegative, numberList, numberMatrix, objectOf, show, stringList } from '../untrusted-json';

/** Plain-data Gaussian naive Bayes model; field-for-field equal to scikit-learn's fitted attributes. */
export interface GaussianNBParams {
  algorithm: 'gaussian_nb';
  featureNames: string[];
  classNames: string[];
  classCounts: number[];
  logPriors: number[];
  /** [class][feature], sklearn `theta_`. */
  means: number[][];
  /** [class][feature], population variance + epsilon (sklearn `var_`), never below VARIANCE_FLOOR. */
  variances: number[][];
  varSmoothing: number;
  epsilon: number;
}

/**
 * Models arrive over the network, so nothing about their shape can be assumed. Returns a fresh
 * copy holding only the known fields, so later mutation of the input cannot reach a compiled scorer.
 */
export function deserializeGaussianNB(p: unknown): GaussianNBParams {
  const o = objectOf(p, 'model params');
  if (o.algorithm !== 'gaussian_nb') throw new RangeError(`algorithm: expected "gaussian_nb", got ${show(o.algorithm)}`);
  const featureNames = stringList(o.featureNames, 'featureNames');
  const classNames = stringList(o.classNames, 'classNames');
  const F = featureNames.length;
  const C = classNames.length;

  const classCounts = numberList(o.classCounts, 'classCounts', C);
  classCounts.forEach((n, c) => {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`classCounts[${c}]: expected a positive integer, got ${n}`);
  });
  const logPriors = numberList(o.logPriors, 'logPriors', C);
  logPriors.forEach((v, c) => {
    if (v > 0) throw new RangeError(`logPriors[${c}]: a log probability must be <= 0, got ${v}`);
  });
  const priorSum = logPriors.reduce((s, v) => s + Math.exp(v), 0);
  // Tolerance allows for JSON round-trips and priors rounded by other producers, not for a wrong model.
  if (Math.abs(priorSum - 1) > 1e-6) throw new RangeError(`logPriors: priors must sum to 1, got ${priorSum}`);

  const means = numberMatrix(o.means, 'means', C, F, 'one per class');
  const variances = numberMatrix(o.variances, 'variances', C, F, 'one per class');
  variances.forEach((row, c) =>
    row.forEach((v, j) => {
      if (v <= 0) throw new RangeError(`variances[${c}][${j}]: must be > 0, got ${v}`);
    }),
  );
  const varSmoothing = nonNegative(o.varSmoothing, 'varSmoothing');
  const epsilon = nonNegative(o.epsilon, 'epsilon');
  return { algorithm: 'gaussian_nb', featureNames, classNames, classCounts, logPriors, means, variances, varSmoothing, epsilon };
}
