import { readFile } from 'node:fs/promises';
import type { DatasetSource } from '@app/contracts';
import { datasetFromRows, irisDataset, parseIrisCsv, type LabeledDataset } from '@app/model';

/** The trainer's only file I/O: a CSV path it was told to read. */
export async function loadDataset(source: DatasetSource): Promise<LabeledDataset> {
  switch (source.source) {
    case 'iris':
      return irisDataset();
    case 'inline':
      return datasetFromRows(source.rows);
    case 'csv':
      return parseIrisCsv(await readFile(source.path, 'utf8'));
  }
}
