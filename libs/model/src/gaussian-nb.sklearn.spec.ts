import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fitGaussianNB, scoreGaussianNB } from './gaussian-nb';
import { irisDataset } from './iris-dataset';
import type { LabeledDataset } from './labeled-dataset';
import { stratifiedSplit } from './split';

interface SklearnResult {
  theta: number[][];
  var: number[][];
  class_prior: number[];
  epsilon: number;
  proba: number[][];
  classes: number[];
}

const SCRIPT = join(__dirname, '../../../test/reference/sklearn_gnb.py');

// Not skipped when scikit-learn is missing: a silently skipped reference check proves nothing.
function sklearnGaussianNB(data: LabeledDataset, queries: number[][], varSmoothing: number): SklearnResult {
  const run = spawnSync('python3', [SCRIPT], { input: JSON.stringify({ X: data.X, y: data.y, queries, var_smoothing: varSmoothing }), encoding: 'utf8' });
  if (run.error) throw new Error(`could not run python3 (${run.error.message}); the scikit-learn reference check needs python3 with scikit-learn`);
  if (run.status !== 0) throw new Error(`scikit-learn reference script failed (exit ${run.status}): ${run.stderr.trim()}`);
  return JSON.parse(run.stdout) as SklearnResult;
}

const QUERIES = [
  [5.1, 3.5, 1.4, 0.2], [7.0, 3.2, 4.7, 1.4], [6.3, 3.3, 6.0, 2.5], [6.9, 3.1, 4.9, 1.5], [5.9, 3.2, 4.8, 1.8],
  [6.3, 2.8, 5.1, 1.5], [6.0, 2.2, 5.0, 1.5], [5.5, 2.6, 3.0, 0.9], [6.2, 2.9, 4.85, 1.65], [5.0, 3.0, 2.5, 0.7],
  [100, 100, 100, 100], [0.001, 0.001, 0.001, 0.001], [0, 0, 0, 0], [-5, -5, -5, -5], [10, 0.1, 10, 0.1],
  [4.3, 2.0, 1.0, 0.1], [7.9, 4.4, 6.9, 2.5], [5.8, 3.0, 4.35, 1.3], [1e3, 1, 1, 1], [6.5, 3.0, 5.2, 2.0],
];

function maxRelativeError(ours: number[][], theirs: number[][]): number {
  return Math.max(...ours.flatMap((row, i) => row.map((v, j) => Math.abs(v - theirs[i][j]) / Math.max(Math.abs(theirs[i][j]), 1e-300))));
}

function expectAgreement(data: LabeledDataset, varSmoothing: number): void {
  const ref = sklearnGaussianNB(data, QUERIES, varSmoothing);
  const ours = fitGaussianNB(data, { varSmoothing });
  expect(maxRelativeError(ours.means, ref.theta)).toBeLessThan(1e-9);
  expect(maxRelativeError(ours.variances, ref.var)).toBeLessThan(1e-9);
  expect(maxRelativeError([ours.logPriors.map(Math.exp)], [ref.class_prior])).toBeLessThan(1e-9);
  expect(Math.abs(ours.epsilon - ref.epsilon) / ref.epsilon).toBeLessThan(1e-9);
  QUERIES.forEach((q, i) => {
    const score = scoreGaussianNB(ours, q);
    score.probabilities.forEach((p, c) => expect(Math.abs(p - ref.proba[i][c])).toBeLessThan(1e-6));
    expect({ query: q, classId: score.classId }).toEqual({ query: q, classId: ref.classes[i] });
  });
}

describe('fitGaussianNB / scoreGaussianNB against scikit-learn GaussianNB', () => {
  it('matches theta_, var_, class_prior_ and predict_proba on all 150 iris rows with the default var_smoothing', () => {
    expectAgreement(irisDataset(), 1e-9);
  });

  it('matches on a stratified 70% training split with heavy smoothing (unequal priors are not needed, smoothing is)', () => {
    const iris = irisDataset();
    const { trainIdx } = stratifiedSplit(iris.y, 0.3, 7);
    expectAgreement({ ...iris, X: trainIdx.map((i) => iris.X[i]), y: trainIdx.map((i) => iris.y[i]) }, 1e-2);
  });

  it('matches on unbalanced classes where one feature is constant within a class', () => {
    const iris = irisDataset();
    const rows = iris.X.map((x, i) => ({ x: iris.y[i] === 0 ? [x[0], x[1], x[2], 0.2] : x, y: iris.y[i] })).filter((_, i) => i % 3 !== 0 || i < 50);
    expectAgreement({ ...iris, X: rows.map((r) => r.x), y: rows.map((r) => r.y) }, 1e-9);
  });
});
