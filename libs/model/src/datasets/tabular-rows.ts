import { ClassLabels } from './class-labels';
import { DatasetError, quoteValue } from './dataset-error';
import type { LabeledDataset } from './labeled-dataset';
import { learnSchema } from './learned-schema';
import { MAX_FEATURES, MAX_NAME_CHARS } from './limits';
import type { TabularDataset } from './tabular-csv';

/**
 * Inline rows as a request sends them: one object per row, each feature a number under its name
 * (the shape of a prediction request) and the class under `label`. The features are the first
 * row's other keys in their order (JSON keys that look like integers come first: JavaScript
 * orders them so); every row must have exactly those keys. Same caps, same schema and same
 * messages as parseTabularCsv, with rows named rows[i].
 */
export function parseTabularRows(rows: unknown, label: string): TabularDataset {
  if (!Array.isArray(rows) || rows.length === 0) throw new DatasetError('rows must be a non-empty array of objects');
  const first = rowObject(rows[0], 'rows[0]');
  let keyCount = 0;
  for (const key in first) if (Object.hasOwn(first, key) && ++keyCount > MAX_FEATURES + 1) break;
  if (keyCount > MAX_FEATURES + 1) throw new DatasetError(`rows[0]: more than ${MAX_FEATURES + 1} fields; at most ${MAX_FEATURES} features and the label`);
  if (!Object.hasOwn(first, label)) throw new DatasetError(`rows[0]: no label field ${quoteValue(label)}`);
  const featureNames = Object.keys(first).filter((k) => k !== label);
  if (featureNames.length === 0) throw new DatasetError(`rows[0]: only the label field; a dataset needs at least one feature`);
  const long = featureNames.find((name) => name === '' || name.length > MAX_NAME_CHARS);
  if (long !== undefined) throw new DatasetError(`rows[0]: a feature name must have 1 to ${MAX_NAME_CHARS} characters, got ${quoteValue(long)}`);

  const labels = new ClassLabels(label);
  const X = rows.map((raw: unknown, i): number[] => {
    const where = `rows[${i}]`;
    const row = rowObject(raw, where);
    const extra = Object.keys(row).find((k) => k !== label && !featureNames.includes(k));
    if (extra !== undefined) throw new DatasetError(`${where}: field ${quoteValue(extra)} is not a feature of rows[0]`);
    const values = featureNames.map((name) => {
      const v = row[name];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new DatasetError(`${where}, column ${quoteValue(name)}: expected a finite number, got ${shown(v)}`);
      }
      return v;
    });
    labels.add(row[label], where);
    return values;
  });
  const data: LabeledDataset = { featureNames, X, ...labels.finish() };
  return { data, schema: learnSchema(data, label) };
}

function rowObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DatasetError(`${where}: expected an object of features and the label`);
  return v as Record<string, unknown>;
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `the text ${quoteValue(v)}`;
  return quoteValue(JSON.stringify(v) ?? String(v));
}
