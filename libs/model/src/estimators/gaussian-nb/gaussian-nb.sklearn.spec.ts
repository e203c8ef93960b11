import { runPythonJson } from '../../../../../test/support/python-reference';
import { irisDataset, type LabeledDataset } from '../../datasets';
import { stratifiedSplit } from '../../split';
import { fitGaussianNB } from './gaussian-nb';
import { scoreGaussianNB } from './gaussian-nb-scorer';

interface SklearnResult {
  theta: number[][];
  var: number[][];
  class_prior: number[];
  epsilon: number;
  proba: number[][];
  classes: number[];
}

interface Case {
  data: LabeledDataset;
  varSmoothing: number;
}

const QUERIES = [
  [5.1, 3.5, 1.4, 0.2],
  [7.0, 3.2, 4.7, 1.4],
  [6.3, 3.3, 6.0, 2.5],
  [6.9, 3.1, 4.9, 1.5],
  [5.9, 3.2, 4.8, 1.8],
  [6.3, 2.8, 5.1, 1.5],
  [6.0, 2.2, 5.0, 1.5],
  [5.5, 2.6, 3.0, 0.9],
  [6.2, 2.9, 4.85, 1.65],
  [5.0, 3.0, 2.5, 0.7],
  [100, 100, 100, 100],
  [0.001, 0.001, 0.001, 0.001],
  [0, 0, 0, 0],
  [-5, -5, -5, -5],
  [10, 0.1, 10, 0.1],
  [4.3, 2.0, 1.0, 0.1],
  [7.9, 4.4, 6.9, 2.5],
  [5.8, 3.0, 4.35, 1.3],
  [1e3, 1, 1, 1],
  [6.5, 3.0, 5.2, 2.0],
];

function subset(data: LabeledDataset, rows: number[]): LabeledDataset {
  return { ...data, X: rows.map((i) => data.X[i]), y: rows.map((i) => data.y[i]) };
}

function buildCases(): Record<string, Case> {
  const iris = irisDataset();
  const setosaConstantPetalWidth = { ...iris, X: iris.X.map((x, i) => (iris.y[i] === 0 ? [x[0], x[1], x[2], 0.2] : x)) };
  return {
    fullIris: { data: iris, varSmoothing: 1e-9 },
    heavySmoothingSplit: { data: subset(iris, stratifiedSplit(iris.y, 0.3, 7).trainIdx), varSmoothing: 1e-2 },
    // Drops every third versicolor/virginica row so priors differ, and makes setosa's petal width constant.
    unbalancedConstantFeature: {
      data: subset(
        setosaConstantPetalWidth,
        iris.y.flatMap((c, i) => (c === 0 || i % 3 !== 0 ? [i] : [])),
      ),
      varSmoothing: 1e-9,
    },
  };
}

function runSklearn(cases: Case[]): SklearnResult[] {
  const request = cases.map((c) => ({ X: c.data.X, y: c.data.y, queries: QUERIES, var_smoothing: c.varSmoothing }));
  return runPythonJson<SklearnResult[]>('test/reference/sklearn_gnb.py', request);
}

function maxRelativeError(ours: number[][], theirs: number[][]): number {
  return Math.max(...ours.flatMap((row, i) => row.map((v, j) => Math.abs(v - theirs[i][j]) / Math.abs(theirs[i][j]))));
}

describe('fitGaussianNB / scoreGaussianNB against scikit-learn GaussianNB', () => {
  const cases = buildCases();
  const names = Object.keys(cases);
  let reference: Record<string, SklearnResult>;

  beforeAll(() => {
    const results = runSklearn(names.map((n) => cases[n]));
    reference = Object.fromEntries(names.map((n, i) => [n, results[i]]));
  });

  describe.each(names)('%s', (name) => {
    const { data, varSmoothing } = cases[name];
    const ours = fitGaussianNB(data, { varSmoothing });

    it('has the same theta_, var_, class_prior_ and epsilon_ to 1e-9 relative', () => {
      const ref = reference[name];
      expect(maxRelativeError(ours.means, ref.theta)).toBeLessThan(1e-9);
      expect(maxRelativeError(ours.variances, ref.var)).toBeLessThan(1e-9);
      expect(maxRelativeError([ours.logPriors.map(Math.exp)], [ref.class_prior])).toBeLessThan(1e-9);
      expect(Math.abs(ours.epsilon - ref.epsilon) / ref.epsilon).toBeLessThan(1e-9);
    });

    it('gives predict_proba to 1e-6 absolute and the same class for 20 queries including outliers', () => {
      const ref = reference[name];
      const scores = QUERIES.map((q) => scoreGaussianNB(ours, q));
      const maxAbs = Math.max(...scores.flatMap((s, i) => s.probabilities.map((p, c) => Math.abs(p - ref.proba[i][c]))));
      expect(maxAbs).toBeLessThan(1e-6);
      expect(scores.map((s) => s.classId)).toEqual(ref.classes);
    });
  });
});
