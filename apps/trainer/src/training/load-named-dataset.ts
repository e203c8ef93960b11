import type { AppConfig } from '@app/config';
import type { DatasetSource, FeatureSchemaRecord, NamedLabeledRow } from '@app/contracts';
import { DatasetError, alignDataset, irisDataset, learnSchema, parseTabularCsv, parseTabularRows, type LabeledDataset, type LearnedSchema } from '@app/model';
import { readDatasetFile } from './dataset-file';

export interface NamedDataset {
  data: LabeledDataset;
  schema: LearnedSchema;
  /** How the run record names it: iris or csv:<path relative to DATA_DIR>. */
  label: string;
  /** What a later candidate re-reads to be judged on this data again. */
  reference: FeatureSchemaRecord['reference'];
}

/** A CSV below DATA_DIR with the label column it names, or the bundled iris data (label `species`). */
export async function loadNamedDataset(source: { source: 'iris' } | { source: 'csv'; path: string; label?: string }, config: AppConfig): Promise<NamedDataset> {
  if (source.source === 'iris') {
    const data = irisDataset();
    return { data, schema: learnSchema(data, 'species'), label: 'iris', reference: { dataset: 'iris', label: 'species' } };
  }
  if (source.label === undefined) throw new DatasetError('name the label column of the CSV (dataset.label): every other column is a feature');
  const file = await readDatasetFile(config.DATA_DIR, source.path, config.DATASET_MAX_BYTES);
  const { data, schema } = parseTabularCsv(file.text, source.label);
  return { data, schema, label: `csv:${file.path}`, reference: { dataset: file.path, label: source.label } };
}

/**
 * Inline rows for a model that exists: its reference set stays its first dataset (a file read
 * again for every candidate), which rows sent once could not be.
 */
export function namedRowsDataset(rows: unknown, label: string, reference: FeatureSchemaRecord['reference']): NamedDataset {
  const { data, schema } = parseTabularRows(rows, label);
  return { data, schema, label: `rows:${data.X.length}`, reference };
}

/**
 * What a named model can learn from a file. Its features are learned from the data, so inline
 * rows in the default model's shape are refused with the reason; its own rows and feedback come
 * from the job and the bus (namedRowsDataset, namedFeedbackDataset). The gateway refuses these
 * too, before anything is published.
 */
export function namedDatasetSource(source: DatasetSource | undefined): { source: 'iris' } | { source: 'csv'; path: string; label?: string } {
  if (source === undefined) throw new DatasetError('a named model is trained from a dataset: give dataset {"source":"csv","path":…,"label":…}');
  if (source.source === 'inline' || source.source === 'feedback' || source.source === 'rows')
    throw new DatasetError(
      `a named model is created from a CSV (dataset.source "csv"), and retrained from a CSV, its rows or its feedback; "${source.source}" is not one of them here`,
    );
  return source;
}

/**
 * A named model's trusted reference rows plus what its live traffic taught (its joined labeled
 * rows, from `since` on), in the model's feature and class order: feedback alone could be steered
 * by whoever labels, as for the default model. A labeled row without one of the features or with
 * a class the model does not have cannot be learned from and is left out (the run names how many).
 */
export function namedFeedbackDataset(
  reference: NamedDataset,
  model: { name: string; featureNames: readonly string[]; classNames: readonly string[] },
  rows: readonly NamedLabeledRow[],
  since?: string,
): NamedDataset {
  const base = alignDataset(reference.data, { featureNames: [...model.featureNames], classNames: [...model.classNames] }, 'the reference set');
  const from = since ? Date.parse(since) : -Infinity;
  const live = rows.filter((r) => r.model_name === model.name && r.joined && r.input !== null && Date.parse(r.labeled_at) >= from);
  const usable = live.filter((r) => model.classNames.includes(r.label) && model.featureNames.every((f) => typeof r.input![f] === 'number'));
  const skipped = live.length - usable.length;
  return {
    data: {
      featureNames: base.featureNames,
      classNames: base.classNames,
      X: [...base.X, ...usable.map((r) => model.featureNames.map((f) => r.input![f]))],
      y: [...base.y, ...usable.map((r) => model.classNames.indexOf(r.label))],
    },
    schema: reference.schema,
    label: `feedback:${usable.length}${skipped > 0 ? `:skipped:${skipped}` : ''}${since ? `:since:${since}` : ''}`,
    reference: reference.reference,
  };
}

/** The reference set a model recorded at its creation, read again. */
export function loadNamedReference(reference: FeatureSchemaRecord['reference'], config: AppConfig): Promise<NamedDataset> {
  return reference.dataset === 'iris'
    ? loadNamedDataset({ source: 'iris' }, config)
    : loadNamedDataset({ source: 'csv', path: reference.dataset, label: reference.label }, config);
}
