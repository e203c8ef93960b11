/** A table of numeric features with integer labels; `y[i]` indexes into `classNames`. */
export interface LabeledDataset {
  featureNames: string[];
  classNames: string[];
  X: number[][];
  y: number[];
}

/**
 * Structural checks every learner needs before it touches the numbers. Throws RangeError
 * because these are caller errors that retrying with the same input cannot fix.
 */
export function assertLabeledDataset(data: LabeledDataset): void {
  const { featureNames, classNames, X, y } = data;
  if (featureNames.length === 0) throw new RangeError('featureNames must not be empty');
  if (classNames.length === 0) throw new RangeError('classNames must not be empty');
  if (X.length === 0) throw new RangeError('dataset has no rows');
  if (X.length !== y.length) throw new RangeError(`X has ${X.length} rows but y has ${y.length} labels`);
  const counts = new Array<number>(classNames.length).fill(0);
  for (let i = 0; i < X.length; i++) {
    const row = X[i];
    if (row.length !== featureNames.length) {
      throw new RangeError(`row ${i} has ${row.length} values, expected ${featureNames.length} (${featureNames.join(', ')})`);
    }
    for (let j = 0; j < row.length; j++) {
      if (!Number.isFinite(row[j])) throw new RangeError(`row ${i}, feature ${featureNames[j]}: ${row[j]} is not a finite number`);
    }
    const label = y[i];
    if (!Number.isInteger(label) || label < 0 || label >= classNames.length) {
      throw new RangeError(`row ${i}: label ${label} is not a class index in [0, ${classNames.length - 1}]`);
    }
    counts[label]++;
  }
  const empty = classNames.filter((_, c) => counts[c] === 0);
  if (empty.length > 0) throw new RangeError(`every class needs at least one row; none for: ${empty.join(', ')}`);
}

export function countByClass(y: readonly number[], classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (const label of y) counts[label]++;
  return counts;
}
