import { countCsvCells, csvLines, parseDecimal, splitCsvLine } from './csv-cells';
import { DatasetError, quoteValue } from './dataset-error';
import type { LabeledDataset } from './labeled-dataset';
import { compareCodePoints, learnSchema, type LearnedSchema } from './learned-schema';

/**
 * Features a learned schema may have. Every feature becomes a request field, a validation rule,
 * a drift baseline and a monitoring field per model; a thousand is far beyond any tabular model
 * this platform serves, and a header with 10^6 columns is refused before any cell is built.
 */
export const MAX_FEATURES = 1_000;
/**
 * Distinct labels a label column may have. Far more usually means the wrong column was named
 * (an id, a free-text field); each class is a probability in every response and a slot in
 * every confusion matrix, so the cap also bounds those.
 */
export const MAX_CLASSES = 1_000;
/** Header line length: MAX_FEATURES names of 64 characters on average. A 1 MB header is refused before it is split. */
export const MAX_HEADER_CHARS = 65_536;
/** Longest column name or class label; names travel in every response, document and metric. */
export const MAX_NAME_CHARS = 200;

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
  const firstSeen: number[] = [];
  const classIds = new Map<string, number>();
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
    firstSeen.push(classOf(cells[labelAt], where, label, classIds));
  }
  if (X.length === 0) throw new DatasetError('CSV has a header but no data rows');
  if (classIds.size < 2)
    throw new DatasetError(`column ${JSON.stringify(label)} holds one class (${quoteValue([...classIds.keys()][0])}); a classifier needs at least 2`);

  const classNames = [...classIds.keys()].sort(compareCodePoints);
  const sortedId = [...classIds.keys()].map((name) => classNames.indexOf(name));
  const data: LabeledDataset = { featureNames, classNames, X, y: firstSeen.map((k) => sortedId[k]) };
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

function classOf(cell: string, where: string, label: string, classIds: Map<string, number>): number {
  const known = classIds.get(cell);
  if (known !== undefined) return known;
  if (cell === '') throw new DatasetError(`${where}, column ${quoteValue(label)}: empty label`);
  if (cell.length > MAX_NAME_CHARS)
    throw new DatasetError(`${where}, column ${quoteValue(label)}: a label of ${cell.length} characters; at most ${MAX_NAME_CHARS}`);
  if (classIds.size === MAX_CLASSES) {
    throw new DatasetError(
      `${where}, column ${quoteValue(label)}: more than ${MAX_CLASSES} distinct classes; is ${quoteValue(label)} really the label column?`,
    );
  }
  classIds.set(cell, classIds.size);
  return classIds.size - 1;
}
