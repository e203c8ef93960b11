import type { z } from 'zod';
import { FEATURE_NAMES } from '@app/model';
import { describeIssues } from '../decode-event';
import type { Features } from '../features';
import type { NamedInstance } from '../payloads/named-prediction';
import { featureList, refuseTooManyRows, rowFromValues, validatedNamedRows, validatedRows, type RawRow } from './feature-rows';
import { MLFLOW_FORMAT_SCHEMAS, MLFLOW_INPUT_FORMATS } from './mlflow-schemas';
import { ProtocolInputError } from './protocol-input-error';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Feature rows from an MLflow /invocations JSON body, matched to the features by column name
 * (any order): `dataframe_split` (columns + data), `dataframe_records`, `instances` (records,
 * or rows of four values in FEATURE_NAMES order) or `inputs` (columns by name, or as
 * `instances`). `params` is accepted and ignored, as MLflow does for a model without params.
 */
export function featuresFromMlflowJson(body: unknown): Features[] {
  return validatedRows(rowsFromMlflowJson(body, FEATURE_NAMES));
}

/** featuresFromMlflowJson for a named model: its own features (in their order for rows of values), its own row rules. */
export function namedRowsFromMlflowJson(body: unknown, featureNames: readonly string[], model: string): NamedInstance[] {
  return validatedNamedRows(rowsFromMlflowJson(body, featureNames), featureNames, model);
}

/** Feature rows from text/csv: a header row naming the columns (any order), then one row per line. */
export function featuresFromCsv(text: string): Features[] {
  return validatedRows(rowsFromCsv(text, FEATURE_NAMES));
}

/** featuresFromCsv for a named model. */
export function namedRowsFromCsv(text: string, featureNames: readonly string[], model: string): NamedInstance[] {
  return validatedNamedRows(rowsFromCsv(text, featureNames), featureNames, model);
}

/** Rows by feature name from a JSON body in any of the four formats, not yet held to a model's rules. */
function rowsFromMlflowJson(body: unknown, features: readonly string[]): RawRow[] {
  const expected = `the body must be a JSON object with exactly one of the fields ${MLFLOW_INPUT_FORMATS.join(', ')}`;
  if (!isObject(body)) throw new ProtocolInputError(expected);
  const formats = MLFLOW_INPUT_FORMATS.filter((f) => f in body);
  const others = Object.keys(body).filter((k) => !(MLFLOW_INPUT_FORMATS as string[]).includes(k) && k !== 'params');
  if (formats.length !== 1 || others.length > 0) {
    const received = Object.keys(body).map((k) => k.slice(0, 64));
    throw new ProtocolInputError(`${expected} (and optionally params); received [${received.join(', ')}]`);
  }
  if ('params' in body && !isObject(body.params)) throw new ProtocolInputError('params must be an object');
  const format = formats[0];
  refuseTooManyRows(declaredRows(body[format]));
  const parsed = MLFLOW_FORMAT_SCHEMAS[format].safeParse(body[format]);
  if (!parsed.success) throw new ProtocolInputError(`${format}: ${describeIssues(parsed.error)}`);
  const value = parsed.data;
  switch (format) {
    case 'dataframe_split':
      return fromSplit(value as z.output<(typeof MLFLOW_FORMAT_SCHEMAS)['dataframe_split']>, features);
    case 'dataframe_records':
      return fromRecords(value as Json[], format, features);
    case 'instances':
    case 'inputs':
      return isObject(value) ? fromColumns(value, features) : fromRows(value as Json[] | unknown[][], format, features);
  }
}

function rowsFromCsv(text: string, features: readonly string[]): RawRow[] {
  refuseTooManyRows(lineBreaks(text.trimEnd()));
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new ProtocolInputError('the CSV is empty: send a header row naming the columns, then one row per line');
  const header = splitCsvLine(lines[0]);
  const order = columnOrder(header, features);
  return lines.slice(1).map((line, i) => {
    const fields = splitCsvLine(line);
    if (fields.length !== header.length) throw new ProtocolInputError(`CSV line ${i + 2} has ${fields.length} fields, the header ${header.length}`);
    return rowFromValues(
      order.map((column) => csvNumber(fields[column])),
      features,
    );
  });
}

/** The rows a format's value holds, read from array lengths alone (the schema checks the rest): data frame rows, records, or the longest column. */
function declaredRows(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (!isObject(value)) return 0;
  if (Array.isArray(value.data)) return value.data.length;
  return Math.max(0, ...Object.values(value).map((column) => (Array.isArray(column) ? column.length : 0)));
}

/** Line breaks in a text, counted without splitting it: after the header, one per row. */
function lineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

function fromSplit(split: z.output<(typeof MLFLOW_FORMAT_SCHEMAS)['dataframe_split']>, features: readonly string[]): RawRow[] {
  const order = columnOrder(split.columns, features);
  return split.data.map((row, i) => {
    if (row.length !== split.columns.length)
      throw new ProtocolInputError(`dataframe_split.data[${i}] must be an array of ${split.columns.length} values, one per column`);
    return rowFromValues(
      order.map((column) => row[column]),
      features,
    );
  });
}

function fromRecords(records: Json[], field: string, features: readonly string[]): RawRow[] {
  return records.map((record, i) => {
    const unknown = Object.keys(record).filter((k) => !features.includes(k));
    if (unknown.length > 0) throw new ProtocolInputError(`${field}[${i}]: unknown column${plural(unknown)} ${names(unknown)}; ${takes(features)}`);
    return rowFromValues(
      features.map((name) => record[name]),
      features,
    );
  });
}

/** Records, or rows of values in feature order (the schema allows nothing else). */
function fromRows(rows: Json[] | unknown[][], field: string, features: readonly string[]): RawRow[] {
  if (rows.every(isObject)) return fromRecords(rows as Json[], field, features);
  return (rows as unknown[][]).map((row, i) => {
    if (row.length !== features.length)
      throw new ProtocolInputError(`${field}[${i}] must be a record or an array of ${features.length} values (${featureList(features)})`);
    return rowFromValues(row, features);
  });
}

function fromColumns(columns: Json, features: readonly string[]): RawRow[] {
  checkColumnNames(Object.keys(columns), features);
  const values = features.map((name) => columns[name] as unknown[]);
  if (new Set(values.map((c) => c.length)).size !== 1) throw new ProtocolInputError('inputs by column must give every column as an array of the same length');
  return Array.from({ length: values[0].length }, (_, i) =>
    rowFromValues(
      values.map((c) => c[i]),
      features,
    ),
  );
}

/** For each feature (in the model's order) the index of its column. */
function columnOrder(columns: unknown[], features: readonly string[]): number[] {
  const given = columns.map((c) => String(c));
  checkColumnNames(given, features);
  return features.map((name) => given.indexOf(name));
}

/** The column names must be exactly the features, each once, in any order. */
function checkColumnNames(given: string[], features: readonly string[]): void {
  const unknown = given.filter((c) => !features.includes(c));
  const missing = features.filter((n) => !given.includes(n));
  const repeated = given.filter((c, i) => given.indexOf(c) !== i);
  if (unknown.length > 0) throw new ProtocolInputError(`unknown column${plural(unknown)} ${names(unknown)}; ${takes(features)}`);
  if (missing.length > 0) throw new ProtocolInputError(`missing column${plural(missing)} ${names(missing)}; ${takes(features)}`);
  if (repeated.length > 0) throw new ProtocolInputError(`column${plural(repeated)} ${names(repeated)} given more than once`);
}

const takes = (features: readonly string[]) => `the model takes ${featureList(features)}`;

function splitCsvLine(line: string): string[] {
  return line.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
}

/** A CSV field as a number when it is one; an empty field is a missing value, anything else is kept for the row check to name. */
function csvNumber(field: string): unknown {
  if (field === '') return undefined;
  const n = Number(field);
  return Number.isNaN(n) ? field : n;
}

const plural = (list: unknown[]) => (list.length > 1 ? 's' : '');
const names = (list: string[]) =>
  list
    .slice(0, 10)
    .map((n) => JSON.stringify(n.slice(0, 64)))
    .join(', ');
