import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { irisDataset, parseTabularCsv, type LabeledDataset } from '../../datasets';
import { mulberry32 } from '../../split';
import { compileScorer } from '../registry';
import { fitLogisticRegression, logisticRegression, type LogisticRegressionHyperparameters } from './logistic-regression';
import type { LogisticRegressionParams } from './logistic-regression-params';
import { MAX_PARAMETERS } from './newton-solver';

const DEFAULTS: LogisticRegressionHyperparameters = { C: 1, max_iter: 100, tol: 1e-10 };
const wine = () => parseTabularCsv(readFileSync(join(__dirname, '..', '..', '..', '..', '..', 'data', 'wine-train.csv'), 'utf8'), 'class').data;

/**
 * The gradient of scikit-learn's objective C·Σ log-loss + ½‖W‖² in the ORIGINAL units,
 * independently of the solver's standardized parametrisation: every component is 0 at the optimum.
 * Returned relative to C·Σ|residual·x|, the size of the terms that cancel.
 */
function relativeGradient(p: LogisticRegressionParams, data: LabeledDataset, C: number): number {
  const score = compileScorer(p);
  const rows = p.coef.length;
  const grad = p.coef.map((row) => row.map((w) => w));
  const gradIntercept = new Array<number>(rows).fill(0);
  const size = p.coef.map((row) => row.map(() => 0));
  data.X.forEach((x, i) => {
    const probabilities = score(x).probabilities;
    for (let r = 0; r < rows; r++) {
      const k = rows === 1 ? 1 : r;
      const residual = probabilities[k] - (data.y[i] === k ? 1 : 0);
      gradIntercept[r] += C * residual;
      x.forEach((v, j) => {
        grad[r][j] += C * residual * v;
        size[r][j] += C * Math.abs(residual * v);
      });
    }
  });
  const featureWorst = Math.max(...grad.flatMap((row, r) => row.map((g, j) => Math.abs(g) / Math.max(size[r][j], 1e-300))));
  return Math.max(featureWorst, ...gradIntercept.map((g) => Math.abs(g) / data.X.length));
}

describe('logistic_regression hyperparameters', () => {
  it('defaults to C 1, max_iter 100, tol 1e-10', () => {
    expect(logisticRegression.hyperparameters(undefined)).toEqual(DEFAULTS);
    expect(logisticRegression.hyperparameters({ C: 0.5 })).toEqual({ ...DEFAULTS, C: 0.5 });
  });

  it.each([
    ['C = 0', { C: 0 }, 'C: expected a number > 0 and <= 1000000000000, got 0'],
    ['a negative C', { C: -1 }, 'C: expected a number > 0 and <= 1000000000000, got -1'],
    ['C as a string', { C: '1' }, 'C: expected a number > 0 and <= 1000000000000, got "1"'],
    ['a NaN C', { C: NaN }, 'C: expected a number > 0 and <= 1000000000000, got NaN'],
    ['max_iter 0', { max_iter: 0 }, 'max_iter: expected an integer >= 1 and <= 1000, got 0'],
    ['a fractional max_iter', { max_iter: 2.5 }, 'max_iter: expected an integer >= 1 and <= 1000, got 2.5'],
    ['max_iter 1001', { max_iter: 1001 }, 'max_iter: expected an integer >= 1 and <= 1000, got 1001'],
    ['tol 0', { tol: 0 }, 'tol: expected a number >= 1e-14 and <= 1, got 0'],
    ['an infinite tol', { tol: Infinity }, 'tol: expected a number >= 1e-14 and <= 1, got Infinity'],
    ['a lower-case c', { c: 1 }, 'logistic_regression params: unknown "c"; known: C, max_iter, tol'],
    ['an array', [1], 'logistic_regression params must be an object'],
    [
      '60,000 unknown keys, naming five',
      Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}${i === 0 ? 'x'.repeat(100) : ''}`, 1])),
      `logistic_regression params: unknown "k0${'x'.repeat(38)}…", "k1", "k2", "k3", "k4" and 59995 more; known: C, max_iter, tol`,
    ],
  ])('refuses %s with a RangeError naming it', (_, raw, message) => {
    expect(() => logisticRegression.hyperparameters(raw)).toThrow(new RangeError(message));
  });
});

describe('fitLogisticRegression', () => {
  it('fits one row per class over 3 classes, coefficients and intercepts summing to 0 across classes', () => {
    const p = fitLogisticRegression(irisDataset(), DEFAULTS);
    expect(p.coef.map((row) => row.length)).toEqual([4, 4, 4]);
    expect(Math.abs(p.intercept.reduce((s, v) => s + v, 0))).toBeLessThan(1e-12);
    for (let j = 0; j < 4; j++) expect(Math.abs(p.coef.reduce((s, row) => s + row[j], 0))).toBeLessThan(1e-9);
  });

  it('fits a single row, the log-odds of the second class, over 2 classes', () => {
    const iris = irisDataset();
    const rows = iris.y.flatMap((y, i) => (y > 0 ? [i] : []));
    const twoClasses = { ...iris, classNames: ['versicolor', 'virginica'], X: rows.map((i) => iris.X[i]), y: rows.map((i) => iris.y[i] - 1) };
    const p = fitLogisticRegression(twoClasses, DEFAULTS);
    expect(p.coef).toHaveLength(1);
    expect(p.intercept).toHaveLength(1);
    expect(relativeGradient(p, twoClasses, 1)).toBeLessThan(1e-9);
  });

  it('reaches the optimum of scikit-learn’s objective in the original units (gradient 0) on iris for C 0.01, 1 and 1000', () => {
    for (const C of [0.01, 1, 1000])
      expect(relativeGradient(fitLogisticRegression(irisDataset(), { ...DEFAULTS, C, tol: 1e-12 }), irisDataset(), C)).toBeLessThan(1e-10);
  });

  it('keeps improving the gradient where the objective no longer changes at double precision (tol 1e-14 on iris, C 0.01)', () => {
    expect(relativeGradient(fitLogisticRegression(irisDataset(), { ...DEFAULTS, C: 0.01, tol: 1e-14 }), irisDataset(), 0.01)).toBeLessThan(1e-14);
  });

  it('converges on unscaled features: wine with proline (~1000) multiplied by another 1000', () => {
    const data = wine();
    const proline = data.featureNames.indexOf('proline');
    const scaled = { ...data, X: data.X.map((x) => x.map((v, j) => (j === proline ? v * 1000 : v))) };
    expect(relativeGradient(fitLogisticRegression(scaled, DEFAULTS), scaled, 1)).toBeLessThan(1e-9);
  });

  it('is closed form on a symmetric 1-feature problem: intercept 0, coefficient solving w = C·Σ(y − p)·x', () => {
    const data = { featureNames: ['x'], classNames: ['neg', 'pos'], X: [[-2], [-1], [1], [2], [-0.5], [0.5]], y: [0, 0, 1, 1, 1, 0] };
    const p = fitLogisticRegression(data, DEFAULTS);
    const w = p.coef[0][0];
    expect(Math.abs(p.intercept[0])).toBeLessThan(1e-12);
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    const residual = data.X.reduce((s, [x], i) => s + (data.y[i] - sigmoid(w * x)) * x, 0);
    expect(w).toBeCloseTo(residual, 12);
    expect(w).toBeGreaterThan(0);
  });

  it('gives a constant feature a zero coefficient', () => {
    const iris = irisDataset();
    const withConstant = { ...iris, featureNames: [...iris.featureNames, 'constant'], X: iris.X.map((x) => [...x, 7]) };
    const p = fitLogisticRegression(withConstant, DEFAULTS);
    expect(p.coef.map((row) => row[4])).toEqual([0, 0, 0]);
  });

  it('is deterministic: two fits are identical to the bit', () => {
    expect(fitLogisticRegression(wine(), DEFAULTS)).toEqual(fitLogisticRegression(wine(), DEFAULTS));
  });

  it('records C with the coefficients', () => {
    expect(fitLogisticRegression(irisDataset(), { ...DEFAULTS, C: 0.25 }).C).toBe(0.25);
  });

  it('fails with a message naming max_iter when the Newton steps run out before tol is met', () => {
    expect(() => fitLogisticRegression(wine(), { ...DEFAULTS, max_iter: 1 })).toThrow(
      /did not converge in max_iter=1 Newton steps \(largest gradient component .* > tol 1e-10\); raise max_iter or tol/,
    );
  });

  it('refuses a single class', () => {
    const iris = irisDataset();
    const setosa = { ...iris, classNames: ['setosa'], X: iris.X.slice(0, 50), y: iris.y.slice(0, 50) };
    expect(() => fitLogisticRegression(setosa, DEFAULTS)).toThrow(new RangeError('logistic_regression needs at least 2 classes; the data has 1 (setosa)'));
  });

  it(`refuses more than ${MAX_PARAMETERS} coefficients before allocating its Hessian`, () => {
    const data = {
      featureNames: Array.from({ length: 1000 }, (_, j) => `f${j}`),
      classNames: ['a', 'b', 'c'],
      X: [0, 1, 2].map((k) => new Array<number>(1000).fill(k)),
      y: [0, 1, 2],
    };
    expect(() => fitLogisticRegression(data, DEFAULTS)).toThrow(
      /3 classes and 1000 features make 3003 coefficients; the exact-Newton fit handles at most 2500/,
    );
  });

  it('fits 10,000 rows × 30 features (2 and 3 classes) in under a second of CPU time', () => {
    const random = mulberry32(7);
    for (const K of [2, 3]) {
      const centres = Array.from({ length: K }, () => Array.from({ length: 30 }, () => random() * 2));
      const y = Array.from({ length: 10_000 }, (_, i) => i % K);
      // Every third feature in the thousands, the rest near 1: unscaled, like real tabular data.
      const X = y.map((k) => centres[k].map((c, j) => (c + (random() - 0.5) * 4) * (j % 3 === 0 ? 1000 : 1)));
      const data = { featureNames: centres[0].map((_, j) => `f${j}`), classNames: centres.map((_, k) => `c${k}`), X, y };
      const before = process.cpuUsage();
      fitLogisticRegression(data, DEFAULTS);
      const used = process.cpuUsage(before);
      expect((used.user + used.system) / 1000).toBeLessThan(1000);
    }
  });
});
