/** Training-time distribution of one feature: the reference that live traffic is compared against. */
export interface FeatureBaseline {
  feature: string;
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** length bins + 1, ascending */
  binEdges: number[];
  binCounts: number[];
}

/** Equal-width histograms over each feature's training [min, max]; std is the population std. */
export function computeFeatureBaselines(X: number[][], featureNames: string[], bins = 10): FeatureBaseline[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a positive integer, got ${bins}`);
  if (X.length === 0) throw new RangeError('cannot compute baselines from zero rows');
  X.forEach((row, i) => {
    if (row.length !== featureNames.length) throw new RangeError(`row ${i} has ${row.length} values, expected ${featureNames.length}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new RangeError(`row ${i}, feature ${featureNames[j]}: ${v} is not a finite number`);
    });
  });
  return featureNames.map((feature, j) =>
    baselineOf(
      feature,
      X.map((row) => row[j]),
      bins,
    ),
  );
}

function baselineOf(feature: string, values: number[], bins: number): FeatureBaseline {
  const count = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / count;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / count);
  // A loop, not Math.min(...values): spreading a large array overflows the call stack.
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // A constant feature would give zero-width bins; widen to a unit interval around it so the
  // histogram (and the CDF interpolated from it) stays well defined.
  const [lo, hi] = min === max ? [min - 0.5, max + 0.5] : [min, max];
  const binEdges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + ((hi - lo) * i) / bins));
  const binCounts = new Array<number>(bins).fill(0);
  for (const v of values) binCounts[binIndex(binEdges, v)]++;
  return { feature, count, mean, std, min, max, binEdges, binCounts };
}

/**
 * Bin i holds [edges[i], edges[i+1]), the last bin also holds its right edge (numpy.histogram's rule);
 * values outside the edges are clamped into the first or last bin.
 */
export function binIndex(binEdges: readonly number[], value: number): number {
  const last = binEdges.length - 2;
  if (value < binEdges[1]) return 0;
  if (value >= binEdges[last]) return last;
  let lo = 1;
  let hi = last;
  // Invariant: binEdges[lo] <= value < binEdges[hi].
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (binEdges[mid] <= value) lo = mid;
    else hi = mid;
  }
  return lo;
}
