import type { InputStats } from '@app/contracts';
import { DriftDetector, RollingStats, type DriftReport, type FeatureBaseline } from '@app/model';

export interface TrafficMonitorOptions {
  featureNames: string[];
  classNames: string[];
  windowSize: number;
  windowMs: number;
  checkEvery: number;
  detector: DriftDetector;
}

export interface ObservedPrediction {
  modelVersion: number;
  instances: number[][];
  classIds: number[];
  latencyMs: number;
  at: number;
}

interface VersionWindow {
  stats: RollingStats;
  sinceCheck: number;
  drifting: boolean;
  lastReport: DriftReport | null;
}

/** Windows of the most recently served versions kept; a rolled-back version counts as recent. */
const VERSIONS_KEPT = 3;

/**
 * Live input statistics and drift per model version: traffic is compared with the training
 * baseline of the version that served it, so a swap starts a fresh window.
 */
export class TrafficMonitor {
  private readonly windows = new Map<number, VersionWindow>();
  private latestVersion: number | null = null;

  constructor(private readonly options: TrafficMonitorOptions) {}

  observe(p: ObservedPrediction): void {
    const window = this.window(p.modelVersion);
    // Most recently served last, so eviction drops the version that has not served the longest.
    this.windows.delete(p.modelVersion);
    this.windows.set(p.modelVersion, window);
    p.instances.forEach((features, i) => window.stats.add({ features, classId: p.classIds[i], latencyMs: p.latencyMs, at: p.at }));
    window.sinceCheck += p.instances.length;
    this.latestVersion = p.modelVersion;
  }

  snapshot(now: number, version = this.latestVersion): InputStats {
    const window = version === null ? undefined : this.windows.get(version);
    const s = window?.stats.snapshot(now);
    const drift = window?.lastReport?.evaluated
      ? Object.fromEntries(Object.entries(window.lastReport.features).map(([f, d]) => [f, { psi: d.psi, ks: d.ks, p_value: d.pValue, drifted: d.drifted }]))
      : null;
    return {
      model_version: version,
      count: s?.count ?? 0,
      features: s?.features ?? {},
      class_mix: s?.classMix ?? {},
      latency_ms: s?.latencyMs ?? { p50: 0, p95: 0, p99: 0 },
      drift,
    };
  }

  /**
   * Evaluates drift once `checkEvery` predictions arrived since the last check. Returns the
   * report only when the version starts drifting: one event per episode, not one per check.
   */
  checkDrift(version: number, baselines: FeatureBaseline[], now: number): DriftReport | null {
    const window = this.windows.get(version);
    if (!window || window.sinceCheck < this.options.checkEvery) return null;
    window.sinceCheck = 0;
    const values = Object.fromEntries(this.options.featureNames.map((f) => [f, window.stats.values(f, now)]));
    const report = this.options.detector.evaluate(baselines, values);
    window.lastReport = report;
    if (!report.evaluated) return null;
    const started = report.drifted && !window.drifting;
    window.drifting = report.drifted;
    return started ? report : null;
  }

  windowSize(version: number, now: number): number {
    return this.windows.get(version)?.stats.snapshot(now).count ?? 0;
  }

  private window(version: number): VersionWindow {
    let window = this.windows.get(version);
    if (!window) {
      const { featureNames, classNames, windowSize, windowMs } = this.options;
      window = {
        stats: new RollingStats({ featureNames, classNames, maxCount: windowSize, maxAgeMs: windowMs }),
        sinceCheck: 0,
        drifting: false,
        lastReport: null,
      };
      if (this.windows.size >= VERSIONS_KEPT) this.windows.delete(this.windows.keys().next().value!);
      this.windows.set(version, window);
    }
    return window;
  }
}
