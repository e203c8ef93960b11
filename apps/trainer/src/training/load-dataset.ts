import { readFile } from 'node:fs/promises';
import type { DatasetSource } from '@app/contracts';
import { datasetFromRows, irisDataset, parseIrisCsv, type LabeledDataset } from '@app/model';

/** The trainer's only file I/O: a CSV path it was told to read. */
export async function loadDataset(source: DatasetSource): Promise<{ data: LabeledDataset; label: string }> {
  switch (source.source) {
    case 'iris':
      return { data: irisDataset(), label: 'iris (bundled)' };
    case 'inline':
      return { data: datasetFromRows(source.rows), label: `inline (${source.rows.length} rows)` };
    case 'csv':
      return { data: parseIrisCsv(await readFile(source.path, 'utf8')), label: `csv:${source.path}` };
  }
}
