import { numberList, numberMatrix, objectOf, show, stringList } from '../untrusted-json';

/**
 * A fitted logistic regression in scikit-learn's layout: `coef` is `coef_` ([row][feature]) and
 * `intercept` is `intercept_`. Over K > 2 classes there is one row per class (softmax of the K
 * scores); over 2 classes a single row, the log-odds of the second class, as scikit-learn fits it.
 */
export interface LogisticRegressionParams {
  algorithm: 'logistic_regression';
  featureNames: string[];
  classNames: string[];
  coef: number[][];
  intercept: number[];
  /** The inverse L2 strength the coefficients were fitted with; null for an imported model fitted without an L2 penalty. */
  C: number | null;
}

/** Rows of `coef` a model over `classCount` classes has: one for a binary model, one per class otherwise. */
export function coefRows(classCount: number): number {
  return classCount === 2 ? 1 : classCount;
}

/** Models arrive over the network: validate every field and return a fresh copy holding only the known ones. */
export function deserializeLogisticRegression(p: unknown): LogisticRegressionParams {
  const o = objectOf(p, 'model params');
  if (o.algorithm !== 'logistic_regression') throw new RangeError(`algorithm: expected "logistic_regression", got ${show(o.algorithm)}`);
  const featureNames = stringList(o.featureNames, 'featureNames');
  const classNames = stringList(o.classNames, 'classNames');
  if (classNames.length < 2) throw new RangeError(`classNames: a logistic regression separates at least 2 classes, got ${classNames.length}`);
  const rows = coefRows(classNames.length);
  if (Array.isArray(o.coef) && o.coef.length !== rows) {
    throw new RangeError(
      `coef: ${o.coef.length} rows do not match the ${classNames.length} classNames (a model over ${classNames.length} classes has ${rows} ${rows === 1 ? 'row' : 'rows, one per class'})`,
    );
  }
  const coef = numberMatrix(o.coef, 'coef', rows, featureNames.length, rows === 1 ? 'the log-odds of the second class' : 'one per class');
  const intercept = numberList(o.intercept, 'intercept', rows);
  return { algorithm: 'logistic_regression', featureNames, classNames, coef, intercept, C: inverseStrength(o.C) };
}

function inverseStrength(C: unknown): number | null {
  if (C === null || (typeof C === 'number' && Number.isFinite(C) && C > 0)) return C;
  throw new RangeError(`C: expected a finite number > 0 or null, got ${show(C)}`);
}
