import { assertLabeledDataset, type LabeledDataset } from '../../datasets';
import type { Estimator } from '../estimator';
import { hyperparameterObject, numberInRange } from '../untrusted-json';
import { fitLogisticNewton } from './newton-solver';
import { deserializeLogisticRegression, type LogisticRegressionParams } from './logistic-regression-params';
import { compileLogisticRegression } from './logistic-regression-scorer';

export interface LogisticRegressionHyperparameters {
  /** Inverse L2 strength, scikit-learn's C. */
  C: number;
  /** Newton steps; each one costs what hundreds of L-BFGS steps do, and ten usually suffice. */
  max_iter: number;
  /** The fit stops once no component of the gradient (standardized coefficients, intercepts) exceeds this. */
  tol: number;
}

// Bounds keep a request from asking for a fit that cannot end (max_iter) or cannot mean anything
// (a C so large the penalty vanishes below rounding, a tol below double precision).
const C_RANGE = { min: 0, minExclusive: true, max: 1e12 };
const MAX_ITER_RANGE = { min: 1, max: 1_000, integer: true };
const TOL_RANGE = { min: 1e-14, max: 1 };

export const logisticRegression: Estimator<LogisticRegressionParams, LogisticRegressionHyperparameters> = {
  algorithm: 'logistic_regression',
  hyperparameters(raw) {
    const o = hyperparameterObject(raw, 'logistic_regression', ['C', 'max_iter', 'tol']);
    return {
      C: numberInRange(o, 'C', 1, C_RANGE),
      max_iter: numberInRange(o, 'max_iter', 100, MAX_ITER_RANGE),
      tol: numberInRange(o, 'tol', 1e-10, TOL_RANGE),
    };
  },
  fit: fitLogisticRegression,
  deserialize: deserializeLogisticRegression,
  compile: compileLogisticRegression,
  describe: (p) => ({
    algorithm: p.algorithm,
    summary: `logistic regression (${p.classNames.length === 2 ? 'binary' : 'multinomial'}) over ${p.classNames.length} classes, ${p.C === null ? 'no L2 penalty' : `C=${p.C}`}`,
    hyperparameters: { C: p.C },
    featureCount: p.featureNames.length,
    classCount: p.classNames.length,
  }),
};

export function fitLogisticRegression(data: LabeledDataset, h: LogisticRegressionHyperparameters): LogisticRegressionParams {
  assertLabeledDataset(data);
  if (data.classNames.length < 2) throw new RangeError(`logistic_regression needs at least 2 classes; the data has 1 (${data.classNames[0]})`);
  const fit = fitLogisticNewton(data, { C: h.C, maxIter: h.max_iter, tol: h.tol });
  return {
    algorithm: 'logistic_regression',
    featureNames: [...data.featureNames],
    classNames: [...data.classNames],
    coef: fit.coef,
    intercept: fit.intercept,
    C: h.C,
  };
}
