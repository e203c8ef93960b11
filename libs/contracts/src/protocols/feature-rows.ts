import { FEATURE_NAMES } from '@app/model';
import { MAX_BATCH, featuresSchema, type Features } from '../features';
import { ProtocolInputError } from './protocol-input-error';

/** At most this many problems named in one answer. */
const MAX_ISSUES = 10;

/** A row before validation: the four features by name, each value as the protocol delivered it. */
export type RawRow = Record<(typeof FEATURE_NAMES)[number], unknown>;

/**
 * Rows from any protocol validated by the one row schema /predict uses, with the batch bounds
 * of /predict/batch. Problems name the row (0-based, as batch rows are) and the feature.
 */
export function validatedRows(rows: RawRow[]): Features[] {
  if (rows.length === 0) throw new ProtocolInputError('no rows to score: send at least 1');
  refuseTooManyRows(rows.length);
  const issues: string[] = [];
  const features = rows.map((row, i) => {
    const result = featuresSchema.safeParse(row);
    if (result.success) return result.data;
    for (const issue of result.error.issues) issues.push(`row ${i} ${issue.path.join('.')}: ${issue.message}`);
    return undefined;
  });
  if (issues.length > 0) {
    const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more` : '';
    throw new ProtocolInputError(`invalid rows: ${issues.slice(0, MAX_ISSUES).join('; ')}${more}`);
  }
  return features as Features[];
}

/**
 * The batch bound, for a count a codec reads before it builds anything (a declared shape, an
 * array's length, the lines of a CSV): building 100,000 rows only to refuse them blocks the
 * event loop for every other caller.
 */
export function refuseTooManyRows(rows: number): void {
  if (rows > MAX_BATCH) throw new ProtocolInputError(`${rows} rows: send at most ${MAX_BATCH} per request`);
}

/** A row given as four values in FEATURE_NAMES order. */
export function rowFromValues(values: readonly unknown[]): RawRow {
  return Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, values[i]])) as RawRow;
}
