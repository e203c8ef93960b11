import { DriftDetector, kolmogorovSurvival, ksStatisticAgainstHistogram, psi } from './drift';
import { computeFeatureBaselines, type FeatureBaseline } from './feature-baseline';
import { FEATURE_NAMES, irisDataset } from '../datasets';
import { mulberry32 } from '../split';

const hist = (binEdges: number[], binCounts: number[]): FeatureBaseline => ({
  feature: 'x',
  count: binCounts.reduce((s, c) => s + c, 0),
  mean: 0,
  std: 0,
  min: binEdges[0],
  max: binEdges[binEdges.length - 1],
  binEdges,
  binCounts,
});

describe('psi', () => {
  it('is 0 for a window distributed exactly like the baseline', () => {
    expect(psi(hist([0, 1, 2], [5, 5]), [0.5, 1.5])).toBe(0);
  });

  it('is Σ (q − p)·ln(q / p) over the baseline bins', () => {
    // p = [0.5, 0.5], q = [0.75, 0.25] → 0.25·ln 1.5 + 0.25·ln 2 = 0.25·ln 3
    expect(psi(hist([0, 1, 2], [5, 5]), [0.5, 0.5, 0.5, 1.5])).toBeCloseTo(0.25 * Math.log(3), 15);
  });

  it('floors an empty baseline bin at 1e-4 so the result is large but finite', () => {
    // p = [1, 1e-4], q = [0.5, 0.5]
    expect(psi(hist([0, 1, 2], [10, 0]), [0.5, 1.5])).toBeCloseTo(-0.5 * Math.log(0.5) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4), 14);
  });

  it('counts values outside the baseline range in the edge bins', () => {
    expect(psi(hist([0, 1, 2], [5, 5]), [-100, 100])).toBe(0);
  });

  it('rejects an empty window', () => {
    expect(() => psi(hist([0, 1], [1]), [])).toThrow(RangeError);
  });
});

describe('ksStatisticAgainstHistogram', () => {
  it('equals scipy kstest against the uniform CDF a one-bin histogram describes', () => {
    // scipy.stats.kstest([0.1, 0.2, 0.9], 'uniform', method='asymp') → 0.4666666666666666, p 0.5307147341406326
    const r = ksStatisticAgainstHistogram(hist([0, 1], [10]), [0.9, 0.1, 0.2]);
    expect(r.statistic).toBeCloseTo(0.4666666666666666, 15);
    expect(r.pValue).toBeCloseTo(0.5307147341406326, 12);
  });

  it('interpolates the CDF linearly inside each bin', () => {
    // CDF: 0.8 at x = 1, then rises linearly to 1 at x = 2; one sample at 1.5 sits at F = 0.9.
    expect(ksStatisticAgainstHistogram(hist([0, 1, 2], [8, 2]), [1.5]).statistic).toBeCloseTo(0.9, 15);
  });

  it('gives statistic 1 and a tiny p-value for a window entirely outside the baseline range', () => {
    const r = ksStatisticAgainstHistogram(
      hist([0, 1], [10]),
      Array.from({ length: 50 }, () => 5),
    );
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBeLessThan(1e-20);
  });
});

describe('kolmogorovSurvival', () => {
  it.each([
    [0.3, 0.9999906941986655],
    [0.5, 0.9639452436648751],
    [1.0, 0.26999967167735456],
    [1.17, 0.12939004218561884],
    [1.18, 0.1234538094297657],
    [1.19, 0.11774229287977166],
    [1.5, 0.022217962616525127],
    [2.0, 0.0006709252557796953],
    [3.0, 3.045995948942526e-8],
  ])('matches scipy kstwobign.sf(%p)', (x, expected) => {
    expect(kolmogorovSurvival(x)).toBeCloseTo(expected, 12);
  });

  it('is 1 at 0', () => expect(kolmogorovSurvival(0)).toBe(1));
});

describe('DriftDetector on iris', () => {
  const iris = irisDataset();
  const baselines = computeFeatureBaselines(iris.X, iris.featureNames);

  // 300 rows resampled with replacement, each value jittered by up to ±0.05 (the data's rounding).
  function resample(seed: number, shift: Partial<Record<string, number>> = {}): Record<string, number[]> {
    const random = mulberry32(seed);
    const rows = Array.from({ length: 300 }, () => iris.X[Math.floor(random() * iris.X.length)]);
    return Object.fromEntries(FEATURE_NAMES.map((name, j) => [name, rows.map((r) => r[j] + (random() - 0.5) * 0.1 + (shift[name] ?? 0))]));
  }

  it('does not evaluate (or flag) a window smaller than minWindow', () => {
    const window = Object.fromEntries(Object.entries(resample(1)).map(([k, v]) => [k, v.slice(0, 99)]));
    expect(new DriftDetector().evaluate(baselines, window)).toEqual({ evaluated: false, drifted: false, features: {}, driftedFeatures: [] });
  });

  it('does not evaluate when a baseline feature is missing from the window', () => {
    const { petal_width: _, ...window } = resample(1);
    expect(new DriftDetector().evaluate(baselines, window).evaluated).toBe(false);
  });

  it.each([1, 2, 3, 4, 5])('raises no drift for an in-distribution sample (seed %i)', (seed) => {
    const report = new DriftDetector().evaluate(baselines, resample(seed));
    expect(report).toMatchObject({ evaluated: true, drifted: false, driftedFeatures: [] });
    for (const f of Object.values(report.features)) expect(f.psi).toBeLessThan(0.2);
  });

  it('would false-alarm on KS alone: the histogram CDF is too coarse a reference for 300 jittered rows', () => {
    // Seed 1 is in distribution, yet petal_width's KS p-value is ~5e-4; only its PSI (~0.08) keeps it quiet.
    const { petal_width } = new DriftDetector().evaluate(baselines, resample(1)).features;
    expect(petal_width.pValue).toBeLessThan(0.01);
    expect(petal_width.psi).toBeLessThan(0.1);
    expect(petal_width.drifted).toBe(false);
  });

  it('flags petal_length, and only petal_length, when it shifts by +2.5 cm', () => {
    const report = new DriftDetector().evaluate(baselines, resample(1, { petal_length: 2.5 }));
    expect(report).toMatchObject({ evaluated: true, drifted: true, driftedFeatures: ['petal_length'] });
    expect(report.features.petal_length.psi).toBeGreaterThan(1);
    expect(report.features.petal_length.pValue).toBeLessThan(1e-10);
  });

  it('requires both tests: a KS rejection with a small PSI is not drift', () => {
    const report = new DriftDetector({ psiThreshold: 1000 }).evaluate(baselines, resample(1, { petal_length: 2.5 }));
    expect(report.drifted).toBe(false);
    expect(report.features.petal_length.pValue).toBeLessThan(0.01);
  });

  it('rejects invalid thresholds', () => {
    expect(() => new DriftDetector({ ksPValueThreshold: 1 })).toThrow(RangeError);
    expect(() => new DriftDetector({ minWindow: 0 })).toThrow(RangeError);
    expect(() => new DriftDetector({ psiThreshold: 0 })).toThrow(RangeError);
  });
});
