import type { GaussianNBParams } from './gaussian-nb';

/**
 * Models arrive over the network, so nothing about their shape can be assumed. Returns a fresh
 * copy holding only the known fields, so later mutation of the input cannot reach a compiled scorer.
 */
export function validateModelParams(p: unknown): GaussianNBParams {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new RangeError('model params must be an object');
  const o = p as Record<string, unknown>;
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

  const means = numberMatrix(o.means, 'means', C, F);
  const variances = numberMatrix(o.variances, 'variances', C, F);
  variances.forEach((row, c) =>
    row.forEach((v, j) => {
      if (v <= 0) throw new RangeError(`variances[${c}][${j}]: must be > 0, got ${v}`);
    }),
  );
  const varSmoothing = nonNegative(o.varSmoothing, 'varSmoothing');
  const epsilon = nonNegative(o.epsilon, 'epsilon');
  return { algorithm: 'gaussian_nb', featureNames, classNames, classCounts, logPriors, means, variances, varSmoothing, epsilon };
}

function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new RangeError(`${field}: expected a non-empty array of strings`);
  v.forEach((s, i) => {
    if (typeof s !== 'string' || s === '') throw new RangeError(`${field}[${i}]: expected a non-empty string, got ${show(s)}`);
  });
  if (new Set(v).size !== v.length) throw new RangeError(`${field}: names must be unique`);
  return [...(v as string[])];
}

function numberList(v: unknown, field: string, length: number): number[] {
  if (!Array.isArray(v) || v.length !== length) {
    throw new RangeError(`${field}: expected an array of ${length} numbers, got ${Array.isArray(v) ? `length ${v.length}` : typeof v}`);
  }
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${field}[${i}]: expected a finite number, got ${show(x)}`);
  });
  return [...(v as number[])];
}

function numberMatrix(v: unknown, field: string, rows: number, cols: number): number[][] {
  if (!Array.isArray(v) || v.length !== rows) throw new RangeError(`${field}: expected ${rows} rows (one per class)`);
  return v.map((row, c) => numberList(row, `${field}[${c}]`, cols));
}

function nonNegative(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${field}: expected a finite number >= 0, got ${show(v)}`);
  return v;
}

// JSON.stringify would print NaN as null and undefined as nothing, hiding the actual problem.
function show(v: unknown): string {
  return typeof v === 'number' || v === undefined ? String(v) : JSON.stringify(v);
}
