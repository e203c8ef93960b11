import type { Scorer } from '../estimator';
import { deserializeLogisticRegression, type LogisticRegressionParams } from './logistic-regression-params';

/**
 * Scores as scikit-learn's predict_proba does: softmax of the class scores over K > 2 classes
 * (after subtracting the largest, so nothing overflows), and for 2 classes the logistic of the
 * single score as [1 - p, p], computed in that order so the two agree with scikit-learn to the last bit.
 */
export function compileLogisticRegression(params: LogisticRegressionParams): Scorer {
  const p = deserializeLogisticRegression(params);
  const featureCount = p.featureNames.length;
  const rows = p.coef.length;
  const coef = Float64Array.from(p.coef.flat());
  const intercept = Float64Array.from(p.intercept);
  const scores = new Float64Array(rows);

  return (x) => {
    if (x.length !== featureCount) throw new RangeError(`expected ${featureCount} features (${p.featureNames.join(', ')}), got ${x.length}`);
    for (let j = 0; j < featureCount; j++) {
      if (!Number.isFinite(x[j])) throw new RangeError(`feature ${p.featureNames[j]} must be a finite number, got ${x[j]}`);
    }
    let finite = true;
    for (let r = 0; r < rows; r++) {
      let s = intercept[r];
      for (let j = 0, k = r * featureCount; j < featureCount; j++, k++) s += coef[k] * x[j];
      scores[r] = s;
      finite &&= Number.isFinite(s);
    }
    const probabilities = finite ? (rows === 1 ? logistic(scores[0]) : softmax(scores)) : limitProbabilities(p, x);
    let classId = 0;
    for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[classId]) classId = c;
    return { classId, className: p.classNames[classId], probability: probabilities[classId], probabilities };
  };
}

function logistic(score: number): number[] {
  const positive = 1 / (1 + Math.exp(-score));
  return [1 - positive, positive];
}

function softmax(scores: Float64Array): number[] {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  let sum = 0;
  const out = Array.from(scores, (s) => Math.exp(s - max));
  for (const v of out) sum += v;
  return out.map((v) => v / sum);
}

/**
 * Only reached when a score overflows (|x| near 1e308 / |coef|). In that limit the intercepts no
 * longer matter and the direction of x decides: scores of x scaled down to unit size pick the
 * winner, which takes all the mass (ties share it).
 */
function limitProbabilities(p: LogisticRegressionParams, x: readonly number[]): number[] {
  const scale = Math.max(...x.map(Math.abs));
  const direction = p.coef.map((row) => row.reduce((s, w, j) => s + w * (x[j] / scale), 0));
  const scores = direction.length === 1 ? [0, direction[0]] : direction;
  const max = Math.max(...scores);
  const winners = scores.filter((s) => s === max).length;
  return scores.map((s) => (s === max ? 1 / winners : 0));
}
