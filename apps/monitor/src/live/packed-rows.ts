import type { NamedInstance } from '@app/contracts';

/**
 * A request's named rows kept as numbers: one Float64Array and the feature names once. A decoded
 * row of 200 features is an object whose properties hold about 10 KB of heap (a heap snapshot of
 * the embedded process after `npm run bench:models`: 2,000 remembered rows, 21 MB); packed, the
 * same row is 1.6 KB. Rows whose names differ from the first row's are kept as they came. The
 * labeled windows keep one packed row per label, sharing their names.
 */
export class PackedRows {
  private constructor(
    private readonly names: readonly string[],
    private readonly values: Float64Array,
    private readonly unpacked: readonly NamedInstance[] | undefined,
    readonly length: number,
  ) {}

  /** `shared`: names other packed rows hold (a window's), reused when these rows have exactly them. */
  static of(rows: readonly NamedInstance[], shared?: readonly string[]): PackedRows {
    const first = rows.length > 0 ? Object.keys(rows[0]) : [];
    const names = shared && sameNames(first, shared) ? shared : first;
    const same = rows.every((row) => sameNames(Object.keys(row), names));
    if (!same) return new PackedRows([], new Float64Array(0), rows, rows.length);
    const values = new Float64Array(rows.length * names.length);
    rows.forEach((row, i) => names.forEach((name, j) => (values[i * names.length + j] = row[name])));
    return new PackedRows(names, values, undefined, rows.length);
  }

  /** The names every packed row has, in order (none when the rows were kept as they came). */
  get featureNames(): readonly string[] {
    return this.names;
  }

  /** Feature values held: what the recent-predictions bound weighs. */
  get valueCount(): number {
    return this.unpacked ? this.unpacked.reduce((n, row) => n + Object.keys(row).length, 0) : this.values.length;
  }

  /** Row `i` as it was received, or undefined past the last. */
  row(i: number): NamedInstance | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) return undefined;
    if (this.unpacked) return this.unpacked[i];
    const n = this.names.length;
    const row: NamedInstance = {};
    for (let j = 0; j < n; j++) row[this.names[j]] = this.values[i * n + j];
    return row;
  }
}

function sameNames(keys: readonly string[], names: readonly string[]): boolean {
  return keys.length === names.length && keys.every((k, j) => k === names[j]);
}
