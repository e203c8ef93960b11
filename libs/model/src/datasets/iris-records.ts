import { DatasetError, quoteValue } from './dataset-error';
import { CLASS_NAMES, FEATURE_NAMES, type ClassName } from './iris-dataset';
import type { LabeledDataset } from './labeled-dataset';

/** One parsed row plus where it came from ("line 7", "rows[3]") for error messages. */
export interface IrisRecord {
  where: string;
  features: number[];
  label: ClassName;
}

// Iris measurements are centimetres; anything outside (0, 100] is a unit or parsing mistake.
const MAX_MEASUREMENT = 100;
// The stratified split needs one row of every class in train and one in test.
const MIN_ROWS_PER_CLASS = 2;

/** Accepts 'setosa', 'Setosa', 'Iris-setosa' (UCI / old sklearn CSVs) and 'iris setosa'. */
export function parseIrisLabel(raw: unknown, where: string, column: string): ClassName {
  const text =
    typeof raw === 'string'
      ? raw
          .trim()
          .toLowerCase()
          .replace(/^iris[-_ ]/, '')
      : undefined;
  const label = CLASS_NAMES.find((c) => c === text);
  if (raw === undefined) throw new DatasetError(`${where}: missing column ${column}`);
  if (!label) throw new DatasetError(`${where}, column ${column}: ${quoteValue(raw)} is not one of ${CLASS_NAMES.join(', ')}`);
  return label;
}

/** `shown` is the value as the user wrote it, so a typo is reported verbatim rather than as NaN. */
export function checkMeasurement(value: number, where: string, column: string, shown: string = String(value)): number {
  if (!Number.isFinite(value) || value <= 0 || value > MAX_MEASUREMENT) {
    throw new DatasetError(`${where}, column ${column}: ${shown} is not a measurement in (0, ${MAX_MEASUREMENT}]`);
  }
  return value;
}

export function toIrisDataset(records: IrisRecord[]): LabeledDataset {
  const counts = CLASS_NAMES.map((c) => records.filter((r) => r.label === c).length);
  const short = CLASS_NAMES.flatMap((c, k) => (counts[k] < MIN_ROWS_PER_CLASS ? [`${c} has ${counts[k]}`] : []));
  if (short.length > 0) throw new DatasetError(`every class needs at least ${MIN_ROWS_PER_CLASS} rows; too few for: ${short.join(', ')}`);
  return {
    featureNames: [...FEATURE_NAMES],
    classNames: [...CLASS_NAMES],
    X: records.map((r) => r.features),
    y: records.map((r) => CLASS_NAMES.indexOf(r.label)),
  };
}
