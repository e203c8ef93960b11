import { FEATURE_NAMES } from '@app/model';
import { MAX_BATCH, featuresSchema, type Features } from '../features';
import { namedInstanceProblems } from '../named-instances';
import type { NamedInstance } from '../payloads/named-prediction';
import { ProtocolInputError } from './protocol-input-error';

/** At most this many problems named in one answer. */
const MAX_ISSUES = 10;
/** At most this many feature names spelled out in one message (a named model may have up to 1000). */
const MAX_NAMES_SHOWN = 20;

/** A row before validation: the model's features by name, each value as the protocol delivered it. */
export type RawRow = Record<string, unknown>;

/**
 * What a protocol needs to know of a model to read its rows and answer them: its features in
 * order (the columns of an [N,F] tensor or a data frame) and its classes in order (the columns
 * of the probabilities). The default model's are FEATURE_NAMES and CLASS_NAMES; a named model's
 * are its registered version's `model.params`.
 */
export interface ModelShape {
  featureNames: readonly string[];
  classNames: readonly string[];
}

/**
 * Rows from any protocol validated by the one row schema /predict uses, with the batch bounds
 * of /predict/batch. Problems name the row (0-based, as batch rows are) and the feature.
 */
export function validatedRows(rows: RawRow[]): Features[] {
  refuseRowCount(rows.length);
  const issues: string[] = [];
  const features = rows.map((row, i) => {
    const result = featuresSchema.safeParse(row);
    if (result.success) return result.data;
    for (const issue of result.error.issues) issues.push(`row ${i} ${issue.path.join('.')}: ${issue.message}`);
    return undefined;
  });
  refuseIssues(issues);
  return features as Features[];
}

/**
 * Rows for a named model, held to the rules of POST /models/{name}/predict/batch
 * (namedInstanceProblems: every feature present, a finite number, nothing else), worded as
 * validatedRows words the default model's.
 */
export function validatedNamedRows(rows: RawRow[], featureNames: readonly string[], model: string): NamedInstance[] {
  refuseRowCount(rows.length);
  const issues: string[] = [];
  rows.forEach((row, i) => {
    for (const { field, message } of namedInstanceProblems([row], featureNames, model, '')) issues.push(`row ${i} ${field}: ${message}`);
  });
  refuseIssues(issues);
  return rows as NamedInstance[];
}

function refuseRowCount(rows: number): void {
  if (rows === 0) throw new ProtocolInputError('no rows to score: send at least 1');
  refuseTooManyRows(rows);
}

function refuseIssues(issues: string[]): void {
  if (issues.length === 0) return;
  const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more` : '';
  throw new ProtocolInputError(`invalid rows: ${issues.slice(0, MAX_ISSUES).join('; ')}${more}`);
}

/**
 * The batch bound, for a count a codec reads before it builds anything (a declared shape, an
 * array's length, the lines of a CSV): building 100,000 rows only to refuse them blocks the
 * event loop for every other caller.
 */
export function refuseTooManyRows(rows: number): void {
  if (rows > MAX_BATCH) throw new ProtocolInputError(`${rows} rows: send at most ${MAX_BATCH} per request`);
}

/** A row given as values in feature order (FEATURE_NAMES, the default model's, unless named). */
export function rowFromValues(values: readonly unknown[], featureNames: readonly string[] = FEATURE_NAMES): RawRow {
  return Object.fromEntries(featureNames.map((name, i) => [name, values[i]]));
}

/** Feature names for a message: all of a model's few, the first MAX_NAMES_SHOWN of a wide one. */
export function featureList(names: readonly string[]): string {
  if (names.length <= MAX_NAMES_SHOWN) return names.join(', ');
  return `${names.slice(0, MAX_NAMES_SHOWN).join(', ')}, … (${names.length} features: GET /models/{name} lists them)`;
}
