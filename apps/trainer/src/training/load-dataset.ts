import type { AppConfig } from '@app/config';
import type { DatasetSource, LabeledRow } from '@app/contracts';
import { DatasetError, datasetFromRows, irisDataset, parseIrisCsv, type IrisRowInput, type LabeledDataset } from '@app/model';
import { readDatasetFile } from './dataset-file';

export interface LoadedDataset {
  data: LabeledDataset;
  /** How the run record names it: iris, inline, or csv:<path relative to DATA_DIR>. */
  label: string;
}

/** Joined labeled rows of live traffic, as the monitor recorded them. */
export type LabeledRowsSource = () => Promise<LabeledRow[]>;

/** The trainer's only file I/O: CSV files below DATA_DIR; feedback comes from the bus. */
export async function loadDataset(source: DatasetSource, config: AppConfig, labeledRows?: LabeledRowsSource): Promise<LoadedDataset> {
  switch (source.source) {
    case 'iris':
      return { data: irisDataset(), label: 'iris' };
    case 'inline':
      return { data: datasetFromRows(source.rows), label: 'inline' };
    case 'csv': {
      const file = await readDatasetFile(config.DATA_DIR, source.path, config.DATASET_MAX_BYTES);
      return { data: parseIrisCsv(file.text), label: `csv:${file.path}` };
    }
    case 'rows':
      throw new DatasetError('rows (by feature name, with a label field) are for a named model; the default model takes {"source":"inline"} rows with species');
    case 'feedback': {
      // The trusted reference rows plus what live traffic taught: feedback alone could be steered by whoever labels.
      const reference = await loadReferenceDataset(config);
      const since = source.since ? Date.parse(source.since) : -Infinity;
      const live = ((await labeledRows?.()) ?? []).filter((r) => r.joined && r.input && Date.parse(r.labeled_at) >= since);
      const rows: IrisRowInput[] = [
        ...reference.data.X.map((features, i) => ({ features, label: reference.data.classNames[reference.data.y[i]] })),
        ...live.map((r) => ({ ...r.input!, species: r.label })),
      ];
      return { data: datasetFromRows(rows), label: `feedback:${live.length}${source.since ? `:since:${source.since}` : ''}` };
    }
  }
}

/** The trusted set every candidate is also judged on: the bundled iris data, or a CSV the operator put in DATA_DIR. */
export async function loadReferenceDataset(config: AppConfig): Promise<LoadedDataset> {
  return config.REFERENCE_DATASET === 'iris' ? loadDataset({ source: 'iris' }, config) : loadDataset({ source: 'csv', path: config.REFERENCE_DATASET }, config);
}
