import type { AppConfig } from '@app/config';
import type { DatasetSource, FeatureSchemaRecord } from '@app/contracts';
import { DatasetError, irisDataset, learnSchema, parseTabularCsv, type LabeledDataset, type LearnedSchema } from '@app/model';
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
 * What a named model can learn from. Its features are learned from the data, so a source without
 * a header (inline rows in the default model's shape) or without data of its own (feedback) is
 * refused, with the reason. The gateway refuses these too, before anything is published.
 */
export function namedDatasetSource(source: DatasetSource | undefined): { source: 'iris' } | { source: 'csv'; path: string; label?: string } {
  if (source === undefined) throw new DatasetError('a named model is trained from a dataset: give dataset {"source":"csv","path":…,"label":…}');
  if (source.source === 'inline' || source.source === 'feedback')
    throw new DatasetError(`a named model is trained from a CSV (dataset.source "csv"); "${source.source}" is for the default model`);
  return source;
}

/** The reference set a model recorded at its creation, read again. */
export function loadNamedReference(reference: FeatureSchemaRecord['reference'], config: AppConfig): Promise<NamedDataset> {
  return reference.dataset === 'iris'
    ? loadNamedDataset({ source: 'iris' }, config)
    : loadNamedDataset({ source: 'csv', path: reference.dataset, label: reference.label }, config);
}
