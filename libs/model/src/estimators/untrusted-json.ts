/**
 * Field checks shared by the estimators' deserializers. Each throws a RangeError whose message
 * starts with the field's path (`means[1][2]: ...`), which the gateway passes on as a 400.
 */

export function objectOf(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RangeError(`${what} must be an object`);
  return v as Record<string, unknown>;
}

export function stringList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new RangeError(`${field}: expected a non-empty array of strings`);
  v.forEach((s, i) => {
    if (typeof s !== 'string' || s === '') throw new RangeError(`${field}[${i}]: expected a non-empty string, got ${show(s)}`);
  });
  if (new Set(v).size !== v.length) throw new RangeError(`${field}: names must be unique`);
  return [...(v as string[])];
}

export function numberList(v: unknown, field: string, length: number): number[] {
  if (!Array.isArray(v) || v.length !== length) {
    throw new RangeError(`${field}: expected an array of ${length} numbers, got ${Array.isArray(v) ? `length ${v.length}` : typeof v}`);
  }
  v.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new RangeError(`${field}[${i}]: expected a finite number, got ${show(x)}`);
  });
  return [...(v as number[])];
}

export function numberMatrix(v: unknown, field: string, rows: number, cols: number, rowsAre: string): number[][] {
  if (!Array.isArray(v) || v.length !== rows) {
    throw new RangeError(`${field}: expected ${rows} rows (${rowsAre}), got ${Array.isArray(v) ? v.length : typeof v}`);
  }
  return v.map((row, c) => numberList(row, `${field}[${c}]`, cols));
}

export function nonNegative(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${field}: expected a finite number >= 0, got ${show(v)}`);
  return v;
}

// JSON.stringify would print NaN as null and undefined as nothing, hiding the actual problem.
export function show(v: unknown): string {
  return typeof v === 'number' || v === undefined ? String(v) : (JSON.stringify(v) ?? String(v));
}

/** Hyperparameters from a request: absent means every default; an unknown name is refused, so a typo (`c` for `C`) is not silently ignored. */
const MAX_NAMED_KEYS = 5;

export function hyperparameterObject(raw: unknown, algorithm: string, known: readonly string[]): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  const o = objectOf(raw, `${algorithm} params`);
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    // A body may carry 60,000 keys: the message names a few, each cut short.
    const named = unknown.slice(0, MAX_NAMED_KEYS).map((k) => JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k));
    const more = unknown.length > MAX_NAMED_KEYS ? ` and ${unknown.length - MAX_NAMED_KEYS} more` : '';
    throw new RangeError(`${algorithm} params: unknown ${named.join(', ')}${more}; known: ${known.join(', ')}`);
  }
  return o;
}

/** A number hyperparameter within [min, max] (exclusive bounds where said), or its default when absent. */
export function numberInRange(
  o: Record<string, unknown>,
  field: string,
  fallback: number,
  range: { min: number; max: number; minExclusive?: boolean; integer?: boolean },
): number {
  const v = o[field];
  if (v === undefined) return fallback;
  const low = range.minExclusive ? `> ${range.min}` : `>= ${range.min}`;
  const kind = range.integer ? 'an integer' : 'a number';
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!range.integer || Number.isInteger(v)) &&
    (range.minExclusive ? v > range.min : v >= range.min) &&
    v <= range.max;
  if (!ok) throw new RangeError(`${field}: expected ${kind} ${low} and <= ${range.max}, got ${show(v)}`);
  return v as number;
}
