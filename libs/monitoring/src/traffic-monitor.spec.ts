import { CLASS_NAMES, DriftDetector, FEATURE_NAMES, IRIS_ROWS, irisDataset, mulberry32 } from '@app/model';
import { trainModel } from '@app/training';
import { TrafficMonitor, type TrafficMonitorOptions } from './traffic-monitor';

const NOW = 1_700_000_000_000;
const { baselines } = trainModel(
  irisDataset(),
  { testSize: 0.2, randomState: 42, hyperparameters: { var_smoothing: 1e-9 } },
  { minAccuracy: 0.9, maxRegression: 0.02, minHoldoutRows: 1, maxReferenceRegression: 1 },
  null,
);
const detector = new DriftDetector({ psiThreshold: 0.25, ksPValueThreshold: 0.001, minWindow: 200 });

const monitorWith = (options: Partial<TrafficMonitorOptions> = {}) =>
  new TrafficMonitor({
    featureNames: [...FEATURE_NAMES],
    classNames: [...CLASS_NAMES],
    windowSize: 200,
    windowMs: 60_000,
    checkEvery: 200,
    detector,
    ...options,
  });

/** Iris rows resampled with replacement; `petalShift` is added to petal_length. */
function irisTraffic(seed: number) {
  const random = mulberry32(seed);
  return (n: number, petalShift = 0) => {
    const rows = Array.from({ length: n }, () => IRIS_ROWS[Math.floor(random() * IRIS_ROWS.length)]);
    return {
      instances: rows.map(({ features: [sl, sw, pl, pw] }) => [sl, sw, pl + petalShift, pw]),
      classIds: rows.map((r) => CLASS_NAMES.indexOf(r.label)),
    };
  };
}

describe('TrafficMonitor statistics', () => {
  it('summarises the window: count, mean, class mix and latency of a known set', () => {
    const monitor = monitorWith();
    monitor.observe({
      modelVersion: 1,
      instances: [
        [5, 3, 1, 0.2],
        [6, 3, 4, 1.3],
        [7, 3, 6, 2.1],
      ],
      classIds: [0, 1, 2],
      latencyMs: 4,
      at: NOW,
    });
    const s = monitor.snapshot(NOW);
    expect(s.model_version).toBe(1);
    expect(s.count).toBe(3);
    expect(s.features.sepal_length).toEqual({ count: 3, mean: 6, std: Math.sqrt(2 / 3), min: 5, max: 7 });
    expect(s.features.petal_length.mean).toBeCloseTo(11 / 3, 15);
    expect(s.class_mix).toEqual({ setosa: 1 / 3, versicolor: 1 / 3, virginica: 1 / 3 });
    expect(s.latency_ms).toEqual({ p50: 4, p95: 4, p99: 4 });
    expect(s.drift).toBeNull();
  });

  it('gives an empty snapshot before any traffic', () => {
    expect(monitorWith().snapshot(NOW)).toEqual({
      model_version: null,
      count: 0,
      features: {},
      class_mix: {},
      latency_ms: { p50: 0, p95: 0, p99: 0 },
      drift: null,
    });
  });

  it('keeps one window per version: traffic of version 2 does not change version 1', () => {
    const monitor = monitorWith();
    monitor.observe({ modelVersion: 1, instances: [[5, 3, 1, 0.2]], classIds: [0], latencyMs: 1, at: NOW });
    const before = monitor.snapshot(NOW, 1);
    monitor.observe({
      modelVersion: 2,
      instances: [
        [7, 3, 6, 2.1],
        [7, 3, 6, 2.1],
      ],
      classIds: [2, 2],
      latencyMs: 9,
      at: NOW,
    });
    expect(monitor.snapshot(NOW, 1)).toEqual(before);
    expect(monitor.snapshot(NOW).model_version).toBe(2);
    expect([monitor.windowSize(1, NOW), monitor.windowSize(2, NOW)]).toEqual([1, 2]);
  });

  it('keeps the window of an older version that serves again after three newer ones (rollback)', () => {
    const monitor = monitorWith();
    for (const version of [3, 4, 5, 1, 1]) monitor.observe({ modelVersion: version, instances: [[5, 3, 1, 0.2]], classIds: [0], latencyMs: 1, at: NOW });
    expect(monitor.snapshot(NOW).model_version).toBe(1);
    expect(monitor.snapshot(NOW, 1).count).toBe(2);
    expect([3, 4, 5, 1].map((v) => monitor.windowSize(v, NOW))).toEqual([0, 1, 1, 2]);
  });

  it('drops observations older than windowMs from the snapshot', () => {
    const monitor = monitorWith({ windowMs: 1000 });
    monitor.observe({ modelVersion: 1, instances: [[5, 3, 1, 0.2]], classIds: [0], latencyMs: 1, at: NOW });
    expect(monitor.snapshot(NOW + 1000).count).toBe(1);
    expect(monitor.snapshot(NOW + 1001).count).toBe(0);
  });
});

describe('TrafficMonitor.checkDrift', () => {
  const feed = (monitor: TrafficMonitor, batch: { instances: number[][]; classIds: number[] }) =>
    monitor.observe({ modelVersion: 1, ...batch, latencyMs: 1, at: NOW });

  it('returns null until checkEvery predictions arrived, even for drifted traffic', () => {
    const monitor = monitorWith();
    const traffic = irisTraffic(1);
    feed(monitor, traffic(199, 2.5));
    expect(monitor.checkDrift(1, baselines, NOW)).toBeNull();
    expect(monitor.snapshot(NOW).drift).toBeNull();
    feed(monitor, traffic(1, 2.5));
    expect(monitor.checkDrift(1, baselines, NOW)?.driftedFeatures).toEqual(['petal_length']);
  });

  it('returns null for a version it has never seen', () => {
    expect(monitorWith().checkDrift(7, baselines, NOW)).toBeNull();
  });

  it('fires when drift starts, stays silent while it persists, and fires again after a normal window', () => {
    const monitor = monitorWith();
    const traffic = irisTraffic(2);
    const verdicts: Array<string[] | null> = [];
    for (const shift of [2.5, 2.5, 0, 2.5]) {
      feed(monitor, traffic(200, shift));
      verdicts.push(monitor.checkDrift(1, baselines, NOW)?.driftedFeatures ?? null);
    }
    expect(verdicts).toEqual([['petal_length'], null, null, ['petal_length']]);
  });

  it('publishes the latest drift scores in the snapshot once a check was evaluated', () => {
    const monitor = monitorWith();
    feed(monitor, irisTraffic(3)(200, 2.5));
    monitor.checkDrift(1, baselines, NOW);
    const drift = monitor.snapshot(NOW).drift!;
    expect(Object.keys(drift)).toEqual([...FEATURE_NAMES]);
    expect(drift.petal_length.drifted).toBe(true);
    expect(drift.petal_length.psi).toBeGreaterThanOrEqual(0.25);
    expect(drift.petal_length.p_value).toBeLessThan(0.001);
  });

  it.each([7, 11, 23])('never fires on 5000 in-distribution iris predictions checked every 100 (seed %p)', (seed) => {
    const monitor = monitorWith({ windowSize: 1000, checkEvery: 100 });
    const traffic = irisTraffic(seed);
    const fired: string[][] = [];
    for (let i = 0; i < 50; i++) {
      feed(monitor, traffic(100));
      const report = monitor.checkDrift(1, baselines, NOW);
      if (report) fired.push(report.driftedFeatures);
    }
    expect(monitor.snapshot(NOW).drift).not.toBeNull();
    expect(fired).toEqual([]);
  });

  it('fires on petal_length + 2.5 with the same settings', () => {
    const monitor = monitorWith({ windowSize: 1000, checkEvery: 100 });
    const traffic = irisTraffic(7);
    const fired: string[][] = [];
    for (let i = 0; i < 10; i++) {
      feed(monitor, traffic(100, 2.5));
      const report = monitor.checkDrift(1, baselines, NOW);
      if (report) fired.push(report.driftedFeatures);
    }
    expect(fired).toEqual([['petal_length']]);
  });
});
