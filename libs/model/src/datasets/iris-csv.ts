import { parseDecimal } from './csv-cells';
import { DatasetError, quoteValue } from './dataset-error';
import { FEATURE_NAMES, type FeatureName } from './iris-dataset';
import { checkMeasurement, parseIrisLabel, toIrisDataset, type IrisRecord } from './iris-records';
import type { LabeledDataset } from './labeled-dataset';


const LABEL_COLUMNS = ['species', 'label'];

/**
 * Parses an uploaded iris CSV. Columns may come in any order and extra columns (e.g. an id) are
 * ignored. Header spellings from common copies are accepted: sepal_length, Sepal.Length (R),
 * "sepal length (cm)" (sklearn), SepalLengthCm (Kaggle). Cells are split on commas; quoting is
 * only stripped, since no valid iris value contains a comma.
 */
export function parseIrisCsv(text: string): LabeledDataset {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new DatasetError('CSV is empty; expected a header line');
  const header = splitCells(lines[headerAt]);
  const where = `line ${headerAt + 1}`;

  const featureColumns = FEATURE_NAMES.map((name) => findColumn(header, (h) => normalizeHeader(h) === squash(name), name, where));
  const labelColumn = findColumn(header, (h) => LABEL_COLUMNS.includes(h.trim().toLowerCase()), LABEL_COLUMNS.join('" or "'), where);

  const records: IrisRecord[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const lineNo = `line ${i + 1}`;
    const cells = splitCells(lines[i]);
    if (cells.length !== header.length) throw new DatasetError(`${lineNo}: expected ${header.length} columns like the header, got ${cells.length}`);
    const features = FEATURE_NAMES.map((name, j) =>
      checkMeasurement(parseDecimal(cells[featureColumns[j]]), lineNo, name, quoteValue(cells[featureColumns[j]])),
    );
    records.push({ where: lineNo, features, label: parseIrisLabel(cells[labelColumn], lineNo, header[labelColumn]) });
  }
  if (records.length === 0) throw new DatasetError('CSV has a header but no data rows');
  return toIrisDataset(records);
}

export type IrisRowInput = { features: readonly number[]; label: string } | ({ [K in FeatureName]: number } & ({ species: string } | { label: string }));

/** Same checks as parseIrisCsv for datasets sent inline as JSON; errors name the row index. */
export function datasetFromRows(rows: readonly IrisRowInput[]): LabeledDataset {
  if (!Array.isArray(rows) || rows.length === 0) throw new DatasetError('rows must be a non-empty array');
  const records = rows.map((row: unknown, i): IrisRecord => {
    const where = `rows[${i}]`;
    if (typeof row !== 'object' || row === null) throw new DatasetError(`${where}: expected an object`);
    const r = row as Record<string, unknown>;
    const labelField = 'species' in r ? 'species' : 'label';
    const label = parseIrisLabel(r[labelField], where, labelField);
    if ('features' in r) {
      const f = r.features;
      if (!Array.isArray(f) || f.length !== FEATURE_NAMES.length)
        throw new DatasetError(`${where}, column features: expected an array of ${FEATURE_NAMES.length} numbers`);
      return { where, label, features: FEATURE_NAMES.map((name, j) => checkMeasurement(numberOrNaN(f[j]), where, name, show(f[j]))) };
    }
    return { where, label, features: FEATURE_NAMES.map((name) => checkMeasurement(numberOrNaN(r[name]), where, name, show(r[name]))) };
  });
  return toIrisDataset(records);
}

function findColumn(header: string[], matches: (h: string) => boolean, wanted: string, where: string): number {
  const found = header.flatMap((h, i) => (matches(h) ? [i] : []));
  if (found.length === 0) throw new DatasetError(`${where}: header has no "${wanted}" column (got ${header.length} columns: ${header.slice(0, 8).map((h) => quoteValue(h, 24)).join(', ')}${header.length > 8 ? ', …' : ''})`);
  if (found.length > 1) throw new DatasetError(`${where}: header has ${found.length} columns for "${wanted}"`);
  return found[0];
}

function normalizeHeader(h: string): string {
  return squash(h.replace(/\(cm\)/i, '')).replace(/cm$/, '');
}

function squash(s: string): string {
  return s.toLowerCase().replace(/[^a-z]/g, '');
}

function splitCells(line: string): string[] {
  return line.split(',').map((c) =>
    c
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );
}

function numberOrNaN(v: unknown): number {
  return typeof v === 'number' ? v : NaN;
}

function show(v: unknown): string {
  if (typeof v === 'number' || v === undefined) return String(v);
  const json = JSON.stringify(v) ?? String(v);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}
