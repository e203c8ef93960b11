import { DatasetError } from './dataset-error';
import type { LabeledDataset } from './labeled-dataset';

/** The names a dataset's rows are read by. */
export interface DatasetSchema {
  featureNames: readonly string[];
  classNames: readonly string[];
}

/**
 * Re-expresses `data` in another schema: columns reordered to `schema.featureNames` and labels
 * re-indexed into `schema.classNames`. A holdout read from its own CSV learns its own column
 * order and only the classes it happens to contain; this makes its rows mean what the training
 * rows mean. `what` names the dataset in errors.
 */
export function alignDataset(data: LabeledDataset, schema: DatasetSchema, what: string): LabeledDataset {
  const missing = schema.featureNames.filter((f) => !data.featureNames.includes(f));
  const extra = data.featureNames.filter((f) => !schema.featureNames.includes(f));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [missing.length > 0 && `lacks ${list(missing)}`, extra.length > 0 && `has ${list(extra)} the training data does not`].filter(Boolean);
    throw new DatasetError(`${what} ${parts.join(' and ')}; its features must be the training data's`);
  }
  const unknown = data.classNames.filter((c) => !schema.classNames.includes(c));
  if (unknown.length > 0) throw new DatasetError(`${what} has classes the training data does not: ${list(unknown)}`);
  const column = schema.featureNames.map((f) => data.featureNames.indexOf(f));
  const label = data.classNames.map((c) => schema.classNames.indexOf(c));
  return {
    featureNames: [...schema.featureNames],
    classNames: [...schema.classNames],
    X: data.X.map((row) => column.map((j) => row[j])),
    y: data.y.map((k) => label[k]),
  };
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, 5).map((n) => JSON.stringify(n));
  return names.length > 5 ? `${shown.join(', ')} and ${names.length - 5} more` : shown.join(', ');
}
