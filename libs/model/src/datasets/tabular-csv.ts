import { ClassLabels } from './class-labels';
import { countCsvCells, csvLines, parseDecimal, splitCsvLine } from './csv-cells';
import { DatasetError, quoteValue } from './dataset-error';
import type { LabeledDataset } from './labeled-dataset';
import { learnSchema, type LearnedSchema } from './learned-schema';
import { MAX_FEATURES, MAX_HEADER_CHARS, MAX_NAME_CHARS } from './limits';

export interface TabularDataset {
  data: LabeledDataset;
  schema: LearnedSchema;
}

/**
 * Parses a CSV of any numeric classification dataset: a header row, one label column named by
 * the caller, every other column a numeric feature. Learns the schema from it: feature names in
 * header order, class labels sorted as np.unique sorts them, each feature's observed range.
 * Hostile files fail fast with a DatasetError naming the line, the column and the problem;
 * counts are checked while parsing, so nothing larger than the caps is ever built.
 */
export function parseTabularCsv(text: string, label: string): TabularDataset {
  const lines = csvLines(text);
  // Stepped by hand: breaking out of a for...of would close the generator before the rows are read.
  let next = lines.next();
  while (!next.done && next.value.line.trim() === '') next = lines.next();
  if (next.done) throw new DatasetError('CSV is empty; expected a header line');
  const header = next.value;
  const columns = readHeader(header.line, `line ${header.lineNo}`, label);
  const labelAt = columns.indexOf(label);
  const featureNames = columns.filter((_, j) => j !== labelAt);

  const X: number[][] = [];
  const labels = new ClassLabels(label);
  for (const { line, lineNo } of lines) {
    if (line.trim() === '') continue;
    const where = `line ${lineNo}`;
    const cells = splitCsvLine(line, columns.length, where);
    if (cells.length !== columns.length) {
      throw new DatasetError(
        `${where}: ${cells.length > columns.length ? 'more than' : 'only'} ${Math.min(cells.length, columns.length)} cells; the header has ${columns.length} columns`,
      );
    }
    const row = new Array<number>(featureNames.length);
    for (let j = 0, f = 0; j < cells.length; j++) {
      if (j === labelAt) continue;
      row[f++] = featureValue(cells[j], where, columns[j]);
    }
    X.push(row);
    labels.add(cells[labelAt], where);
  }
  if (X.length === 0) throw new DatasetError('CSV has a header but no data rows');
  const data: LabeledDataset = { featureNames, X, ...labels.finish() };
  return { data, schema: learnSchema(data, label) };
}

function readHeader(line: string, where: string, label: string): string[] {
  const count = countCsvCells(line);
  if (count > MAX_FEATURES + 1)
    throw new DatasetError(`${where}: the header has ${count} columns; at most ${MAX_FEATURES + 1} (${MAX_FEATURES} features and the label)`);
  if (line.length > MAX_HEADER_CHARS) throw new DatasetError(`${where}: the header is ${line.length} characters long; at most ${MAX_HEADER_CHARS}`);
  const columns = splitCsvLine(line, MAX_FEATURES + 1, where);
  const seen = new Map<string, number>();
  columns.forEach((name, j) => {
    if (name === '') throw new DatasetError(`${where}: column ${j + 1} of the header has an empty name`);
    if (name.length > MAX_NAME_CHARS)
      throw new DatasetError(`${where}: column ${j + 1} of the header has a name of ${name.length} characters; at most ${MAX_NAME_CHARS}`);
    const before = seen.get(name);
    if (before !== undefined) throw new DatasetError(`${where}: columns ${before + 1} and ${j + 1} of the header are both named ${quoteValue(name)}`);
    seen.set(name, j);
  });
  if (!seen.has(label)) {
    const shown = columns.slice(0, 8).map((h) => quoteValue(h, 24));
    throw new DatasetError(
      `${where}: the header has no label column ${quoteValue(label)} (its ${columns.length} columns: ${shown.join(', ')}${columns.length > 8 ? ', …' : ''})`,
    );
  }
  if (columns.length < 2) throw new DatasetError(`${where}: the header has only the label column; a dataset needs at least one feature`);
  return columns;
}

function featureValue(cell: string, where: string, column: string): number {
  if (cell === '') throw new DatasetError(`${where}, column ${quoteValue(column)}: empty cell; every feature must be a number`);
  const value = parseDecimal(cell);
  if (Number.isNaN(value)) throw new DatasetError(`${where}, column ${quoteValue(column)}: ${quoteValue(cell)} is not a number`);
  if (!Number.isFinite(value)) throw new DatasetError(`${where}, column ${quoteValue(column)}: ${quoteValue(cell)} is not a finite number`);
  return value;
}
