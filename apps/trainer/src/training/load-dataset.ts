import type { AppConfig } from '@app/config';
import type { DatasetSource } from '@app/contracts';
import { datasetFromRows, irisDataset, parseIrisCsv, type LabeledDataset } from '@app/model';
import { readDatasetFile } from './dataset-file';

export interface LoadedDataset {
  data: LabeledDataset;
  /** How the run record names it: iris, inline, or csv:<path relative to DATA_DIR>. */
  label: string;
}

/** The trainer's only file I/O: CSV files below DATA_DIR. */
export async function loadDataset(source: DatasetSource, config: AppConfig): Promise<LoadedDataset> {
  switch (source.source) {
    case 'iris':
      return { data: irisDataset(), label: 'iris' };
    case 'inline':
      return { data: datasetFromRows(source.rows), label: 'inline' };
    case 'csv': {
      const file = await readDatasetFile(config.DATA_DIR, source.path, config.DATASET_MAX_BYTES);
      return { data: parseIrisCsv(file.text), label: `csv:${file.path}` };
    }
  }
}

/** The trusted set every candidate is also judged on: the bundled iris data, or a CSV the operator put in DATA_DIR. */
export async function loadReferenceDataset(config: AppConfig): Promise<LoadedDataset> {
  return config.REFERENCE_DATASET === 'iris' ? loadDataset({ source: 'iris' }, config) : loadDataset({ source: 'csv', path: config.REFERENCE_DATASET }, config);
}
