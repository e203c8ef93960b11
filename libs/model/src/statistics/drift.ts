import { binIndex, type FeatureBaseline } from './feature-baseline';

/**
 * Floor for bin proportions. An empty bin on either side would make ln(q/p) infinite, so one
 * stray value in a bin the training data never filled would read as unbounded drift; 1e-4 keeps
 * such a bin's contribution large but finite.
 */
const PSI_EPSILON = 1e-4;

/** Population Stability Index of `values` against the baseline histogram, on the baseline's bins. */
export function psi(baseline: FeatureBaseline, values: number[]): number {
  if (values.length === 0) throw new RangeError(`psi needs at least one value for ${baseline.feature}`);
  const actual = new Array<number>(baseline.binCounts.length).fill(0);
  for (const v of values) actual[binIndex(baseline.binEdges, v)]++;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    const p = Math.max(baseline.binCounts[i] / baseline.count, PSI_EPSILON);
    const q = Math.max(actual[i] / values.length, PSI_EPSILON);
    total += (q - p) * Math.log(q / p);
  }
  return total;
}

/**
 * One-sample Kolmogorov–Smirnov test of `values` against the baseline's CDF, taken as piecewise
 * linear through the histogram (uniform within each bin), with the asymptotic Kolmogorov p-value
 * (scipy's kstest mode='asymp'). The raw training rows are not kept, so the histogram is the reference.
 */
export function ksStatisticAgainstHistogram(baseline: FeatureBaseline, values: number[]): { statistic: number; pValue: number } {
  const n = values.length;
  if (n === 0) throw new RangeError(`KS test needs at least one value for ${baseline.feature}`);
  const sorted = Float64Array.from(values).sort();
  const cdf = histogramCdf(baseline);
  let statistic = 0;
  for (let i = 0; i < n; i++) {
    // The reference CDF is continuous, so the sup is attained just before or at each sample point.
    const F = cdf(sorted[i]);
    statistic = Math.max(statistic, (i + 1) / n - F, F - i / n);
  }
  return { statistic, pValue: kolmogorovSurvival(Math.sqrt(n) * statistic) };
}

function histogramCdf({ binEdges, binCounts, count }: FeatureBaseline): (x: number) => number {
  const cumulative = [0];
  for (const c of binCounts) cumulative.push(cumulative[cumulative.length - 1] + c);
  const last = binEdges.length - 1;
  return (x) => {
    if (x <= binEdges[0]) return 0;
    if (x >= binEdges[last]) return 1;
    const i = binIndex(binEdges, x);
    const within = (x - binEdges[i]) / (binEdges[i + 1] - binEdges[i]);
    return (cumulative[i] + binCounts[i] * within) / count;
  };
}

/** P(K > x) for the Kolmogorov distribution, using whichever of its two series converges fast at x. */
export function kolmogorovSurvival(x: number): number {
  if (x <= 0) return 1;
  if (x < 1.18) {
    // Jacobi-theta form of the CDF: terms fall off like exp(-k²π²/8x²), so a handful suffice for small x.
    const t = -(Math.PI * Math.PI) / (8 * x * x);
    let cdf = 0;
    for (let k = 1; k <= 9; k += 2) cdf += Math.exp(k * k * t);
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * cdf));
  }
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

export interface DriftDetectorOptions {
  psiThreshold?: number;
  ksPValueThreshold?: number;
  minWindow?: number;
}

export interface FeatureDrift {
  psi: number;
  ks: number;
  pValue: number;
  drifted: boolean;
}

export interface DriftReport {
  evaluated: boolean;
  drifted: boolean;
  features: Record<string, FeatureDrift>;
  driftedFeatures: string[];
}

/**
 * Flags a feature only when PSI (how much mass moved between bins) AND the KS test (whether
 * that could be chance) agree. Either alone fires too easily: KS rejects the coarse histogram
 * reference on large in-distribution windows, and PSI is noisy on small ones.
 */
export class DriftDetector {
  readonly psiThreshold: number;
  readonly ksPValueThreshold: number;
  readonly minWindow: number;

  constructor({ psiThreshold = 0.2, ksPValueThreshold = 0.01, minWindow = 100 }: DriftDetectorOptions = {}) {
    if (!(psiThreshold > 0)) throw new RangeError(`psiThreshold must be > 0, got ${psiThreshold}`);
    if (!(ksPValueThreshold > 0 && ksPValueThreshold < 1)) throw new RangeError(`ksPValueThreshold must be in (0, 1), got ${ksPValueThreshold}`);
    if (!Number.isInteger(minWindow) || minWindow < 1) throw new RangeError(`minWindow must be a positive integer, got ${minWindow}`);
    this.psiThreshold = psiThreshold;
    this.ksPValueThreshold = ksPValueThreshold;
    this.minWindow = minWindow;
  }

  /** Not evaluated until every baseline feature has minWindow values: small windows give unreliable verdicts. */
  evaluate(baselines: FeatureBaseline[], window: Record<string, number[]>): DriftReport {
    const enough = baselines.length > 0 && baselines.every((b) => (window[b.feature]?.length ?? 0) >= this.minWindow);
    if (!enough) return { evaluated: false, drifted: false, features: {}, driftedFeatures: [] };
    const features: Record<string, FeatureDrift> = {};
    const driftedFeatures: string[] = [];
    for (const baseline of baselines) {
      const values = window[baseline.feature];
      const score = psi(baseline, values);
      const ks = ksStatisticAgainstHistogram(baseline, values);
      const drifted = score >= this.psiThreshold && ks.pValue < this.ksPValueThreshold;
      features[baseline.feature] = { psi: score, ks: ks.statistic, pValue: ks.pValue, drifted };
      if (drifted) driftedFeatures.push(baseline.feature);
    }
    return { evaluated: true, drifted: driftedFeatures.length > 0, features, driftedFeatures };
  }
}
