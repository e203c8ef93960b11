import type { Score, Scorer } from '../estimator';
import { deserializeGaussianNB, type GaussianNBParams } from './gaussian-nb-params';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Precomputes everything that does not depend on x so a score is one pass of multiply-adds.
 * We deliberately do not call ml-naivebayes's `GaussianNB.predict`: its inner loop is bounded by
 * the length of a per-feature pair (2), so it only ever looks at the first two features, and it
 * exponentiates each log-likelihood, which underflows to 0 for outliers and makes every class tie.
 */
export function compileGaussianNB(params: GaussianNBParams): Scorer {
  const p = deserializeGaussianNB(params);
  const classCount = p.classNames.length;
  const featureCount = p.featureNames.length;
  const means = new Float64Array(classCount * featureCount);
  const halfInvVar = new Float64Array(classCount * featureCount);
  // log prior − ½Σ log(2π·var): the x-independent part of each class's joint log-likelihood.
  const base = new Float64Array(classCount);
  for (let c = 0; c < classCount; c++) {
    let logNorm = 0;
    for (let j = 0; j < featureCount; j++) {
      means[c * featureCount + j] = p.means[c][j];
      halfInvVar[c * featureCount + j] = 0.5 / p.variances[c][j];
      logNorm += LOG_2PI + Math.log(p.variances[c][j]);
    }
    base[c] = p.logPriors[c] - 0.5 * logNorm;
  }
  const jll = new Float64Array(classCount);

  return (x) => {
    if (x.length !== featureCount) throw new RangeError(`expected ${featureCount} features (${p.featureNames.join(', ')}), got ${x.length}`);
    for (let j = 0; j < featureCount; j++) {
      if (!Number.isFinite(x[j])) throw new RangeError(`feature ${p.featureNames[j]} must be a finite number, got ${x[j]}`);
    }
    let best = 0;
    for (let c = 0; c < classCount; c++) {
      let s = base[c];
      for (let j = 0, k = c * featureCount; j < featureCount; j++, k++) {
        const d = x[j] - means[k];
        s -= d * d * halfInvVar[k];
      }
      jll[c] = s;
      if (s > jll[best]) best = c;
    }
    const probabilities = Number.isFinite(jll[best]) ? softmax(jll, best) : limitProbabilities(p, x);
    const classId = Number.isFinite(jll[best]) ? best : probabilities.indexOf(Math.max(...probabilities));
    return { classId, className: p.classNames[classId], probability: probabilities[classId], probabilities };
  };
}

const compiled = new WeakMap<GaussianNBParams, Scorer>();

/** Convenience form; caches the compiled scorer per params object, so params must not be mutated afterwards. */
export function scoreGaussianNB(params: GaussianNBParams, x: readonly number[]): Score {
  let scorer = compiled.get(params);
  if (!scorer) {
    scorer = compileGaussianNB(params);
    compiled.set(params, scorer);
  }
  return scorer(x);
}

/** Log-sum-exp normalisation: subtracting the max keeps the largest term at exp(0) so nothing underflows to 0/0. */
function softmax(jll: Float64Array, best: number): number[] {
  const max = jll[best];
  let sum = 0;
  const out = new Array<number>(jll.length);
  for (let c = 0; c < jll.length; c++) sum += out[c] = Math.exp(jll[c] - max);
  for (let c = 0; c < jll.length; c++) out[c] /= sum;
  return out;
}

/**
 * Only reached when a squared distance overflows (|x| beyond ~1e150). In that limit the quadratic
 * term dominates everything else, so the class with the smallest variance-weighted distance takes
 * all the mass; distances are computed on x scaled down so they stay finite.
 */
function limitProbabilities(p: GaussianNBParams, x: readonly number[]): number[] {
  const scale = Math.max(...x.map(Math.abs));
  const distances = p.means.map((m, c) => m.reduce((s, mu, j) => s + (x[j] / scale - mu / scale) ** 2 / p.variances[c][j], 0));
  const min = Math.min(...distances);
  const winners = distances.filter((d) => d === min).length;
  return distances.map((d) => (d === min ? 1 / winners : 0));
}
