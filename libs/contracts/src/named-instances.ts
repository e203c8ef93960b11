/** A problem with one field of a request, as error details show it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Problems reported per request: a row with 10^5 unknown keys gets a bounded answer. */
const MAX_PROBLEMS = 20;

/**
 * Checks rows against a named model's features: every feature present, a finite number, nothing
 * else. Built from the version that will score them, so a model's schema is data, not code: the
 * gateway checks against the current version, the worker again against the version it scores with.
 * `prefix` is the rows' place in the body (`instances` for a batch, empty for a single row).
 */
export function namedInstanceProblems(rows: readonly unknown[], features: readonly string[], model: string, prefix: string): FieldProblem[] {
  const known = new Set(features);
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => {
    if (problems.length < MAX_PROBLEMS + 1) problems.push({ field, message });
  };
  rows.forEach((row, i) => {
    const at = prefix ? `${prefix}.${i}` : '';
    const field = (name: string) => (at ? `${at}.${name.slice(0, 64)}` : name.slice(0, 64));
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      add(at || '(body)', `must be an object of the ${features.length} features of model ${model}`);
      return;
    }
    const values = row as Record<string, unknown>;
    for (const name of features) {
      // Own properties only: a feature named like an Object.prototype member must not read the prototype's.
      const v = Object.hasOwn(values, name) ? values[name] : undefined;
      if (v === undefined) add(field(name), 'is required');
      else if (typeof v !== 'number') add(field(name), 'must be a number');
      else if (!Number.isFinite(v)) add(field(name), 'must be a finite number');
    }
    for (const name of Object.keys(values)) if (!known.has(name)) add(field(name), `is not a feature of model ${model}`);
  });
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), { field: '(body)', message: 'and more problems' }];
}
