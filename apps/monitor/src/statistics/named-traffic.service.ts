import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOPICS, type EventEnvelope, type InputStats, type NamedPredictionMade, type NamedScoredResult } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher } from '@app/messaging';
import { DriftDetector } from '@app/model';
import { RetrainCooldown, TrafficMonitor } from '@app/monitoring';
import { JsonLogger, setNamedDriftPsiMax } from '@app/observability';
import { NamedModels } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';

/**
 * Named models with rolling windows at once; observing one more drops the least recently observed.
 * With the default window (STATS_WINDOW_SIZE 500) 20 models of 200 features serving one version
 * each hold 20 × 500 × 200 × 8 B = 16 MB of window buffers; NAMED_WINDOW_BUDGET_BYTES caps the
 * rest (more features, more versions, a larger window).
 */
export const NAMED_MODELS_MONITORED = 20;

/**
 * Window buffers all named models may hold together: 32 MiB, a fifth of the monitor's ~150 MB RSS
 * budget. A window is allocated whole when its version is first observed (RollingStats' typed
 * arrays: rows × (features × 8 B + 20 B)), and a TrafficMonitor keeps one per version of its three
 * most recently served, so a model is counted at what it actually holds; when the sum would pass
 * the budget, the least recently observed models are dropped first. 100 models of 200 features
 * (the issue's case) stay at 16–32 MB whatever the traffic; one model of 1000 features (MAX_FEATURES)
 * serving three versions holds 12 MB.
 */
export const NAMED_WINDOW_BUDGET_BYTES = 32 * 1024 * 1024;

/** Windows a TrafficMonitor keeps: its most recently served versions (VERSIONS_KEPT in libs/monitoring/src/traffic-monitor.ts). */
export const WINDOWS_PER_MONITOR = 3;

/** A window row's bytes beside its features: class id (Int32), latency and time (Float64). */
const ROW_OVERHEAD_BYTES = 4 + 8 + 8;

/** Recent request event ids remembered for deduplication, as the default model's: bounded. */
const COUNTED_IDS_KEPT = 50_000;

interface Monitored {
  monitor: TrafficMonitor;
  featureNames: string[];
  classNames: string[];
  /** Rows per window: STATS_WINDOW_SIZE, fewer only if three windows of this model alone would pass the budget. */
  rows: number;
  rowBytes: number;
  /** Distinct versions observed, up to WINDOWS_PER_MONITOR: the windows the monitor holds. */
  versions: Set<number>;
}

const bytesOf = (m: Pick<Monitored, 'rows' | 'rowBytes' | 'versions'>) => m.versions.size * m.rows * m.rowBytes;
const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Rolling input statistics and drift of the named models, one TrafficMonitor per model with the
 * features and classes of its registry record: nothing of one model reaches another's window.
 * Drift is checked per model and version against that version's training baselines and published
 * with the model's name. With DRIFT_AUTO_RETRAIN it asks the trainer to retrain that model from
 * its reference set and its labeled live rows (dataset `feedback`), at most once per
 * DRIFT_RETRAIN_COOLDOWN_SECONDS per model.
 */
@Injectable()
export class NamedTrafficService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Least recently observed first. */
  private readonly monitored = new Map<string, Monitored>();
  private readonly counted = new Set<string>();
  /** Per model name: a few numbers each, for every model that ever drifted. */
  private readonly cooldowns = new Map<string, RetrainCooldown>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly models: NamedModels,
    private readonly publisher: EventPublisher,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.publishStats().catch((err: Error) => this.logger.event('warn', 'named model statistics not published', { error: err.message })),
      this.config.STATS_PUBLISH_SECONDS * 1000,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Adds every scored request of the replies to its model's window, once per request event id (a
   * redelivered reply is not counted twice), then checks drift of each model version observed.
   */
  async observe(batches: Array<EventEnvelope<NamedPredictionMade>>): Promise<void> {
    const observed = new Map<string, Set<number>>();
    for (const batch of batches) {
      const at = Date.parse(batch.occurred_at);
      for (const r of batch.payload.results) {
        if (r.outcome !== 'scored' || this.counted.has(r.event_id)) continue;
        this.counted.add(r.event_id);
        if (this.counted.size > COUNTED_IDS_KEPT) this.counted.delete(this.counted.values().next().value!);
        if (this.observeResult(r, at)) observed.set(r.model, (observed.get(r.model) ?? new Set()).add(r.model_version));
      }
    }
    for (const [name, versions] of observed) {
      for (const version of versions) await this.checkDrift(name, version);
    }
  }

  async checkDrift(name: string, version: number): Promise<void> {
    const m = this.monitored.get(name);
    const baselines = this.models.registry(name)?.get(version)?.model.baselines;
    if (!m || !baselines) return;
    const now = Date.now();
    const report = m.monitor.checkDrift(version, baselines, now);
    const latest = m.monitor.snapshot(now, version).drift;
    if (latest) setNamedDriftPsiMax(name, Math.max(0, ...Object.values(latest).map((d) => d.psi)));
    if (!report) return;
    const features = Object.fromEntries(Object.entries(report.features).map(([f, d]) => [f, { psi: d.psi, ks: d.ks, p_value: d.pValue, drifted: d.drifted }]));
    const retrain = this.config.DRIFT_AUTO_RETRAIN && this.cooldownOf(name).tryAcquire(now);
    this.logger.event('warn', 'input drift detected', {
      model: name,
      model_version: version,
      drifted_features: report.driftedFeatures,
      retrain_requested: retrain,
    });
    await this.publisher.publish(
      TOPICS.driftDetected,
      {
        model_name: name,
        model_version: version,
        window_size: m.monitor.windowSize(version, now),
        drifted_features: report.driftedFeatures,
        features,
        retrain_requested: retrain,
      },
      { requestId: `drift-${randomUUID()}`, key: `${name}/${version}` },
    );
    // From its reference set and its labeled live rows: what the monitor has is traffic, the labels are what can teach.
    if (retrain)
      await this.publisher.publish(
        TOPICS.retrainRequested,
        // scikit-learn's default split: a named model's dataset may be small (133 wines hold out 27 at 0.2, under MIN_HOLDOUT_ROWS).
        { job_id: randomUUID(), model_name: name, reason: 'drift', dataset: { source: 'feedback' }, test_size: 0.25 },
        { requestId: `drift-retrain-${randomUUID()}` },
      );
  }

  /** Each model's own cool-down: one model's drift never holds back another's retrain. */
  private cooldownOf(name: string): RetrainCooldown {
    let cooldown = this.cooldowns.get(name);
    if (!cooldown) {
      cooldown = new RetrainCooldown(this.config.DRIFT_RETRAIN_COOLDOWN_SECONDS * 1000);
      this.cooldowns.set(name, cooldown);
    }
    return cooldown;
  }

  /** One statistics event per monitored model with traffic in its window, of its most recently served version. */
  async publishStats(): Promise<void> {
    const now = Date.now();
    for (const name of [...this.monitored.keys()]) {
      // An archived model serves no more: its window is only memory.
      if (this.models.archivedAt(name) !== null) {
        this.drop(name, 'archived');
        continue;
      }
      const stats = this.snapshot(name, now);
      if (!stats || stats.count === 0) continue;
      await this.publisher.publish(TOPICS.inputStats, stats, { requestId: `stats-${randomUUID()}`, key: name });
    }
  }

  /** A model's window statistics (of a version, else its most recently served), with its name; undefined if not monitored. */
  snapshot(name: string, now = Date.now(), version?: number): InputStats | undefined {
    const m = this.monitored.get(name);
    return m && { model_name: name, ...m.monitor.snapshot(now, version) };
  }

  /** The models monitored, least recently observed first. */
  monitoredModels(): string[] {
    return [...this.monitored.keys()];
  }

  /** Window buffer bytes the monitored models hold. */
  windowBytes(): number {
    let total = 0;
    for (const m of this.monitored.values()) total += bytesOf(m);
    return total;
  }

  /** True when the request's rows entered its model's window. */
  private observeResult(r: NamedScoredResult, at: number): boolean {
    const params = this.models.registry(r.model)?.get(r.model_version)?.model.params;
    if (!params) {
      // The registry view replays its topic beside this one; a version it does not know yet has no feature order to read.
      this.logger.event('debug', 'named prediction not observed: model version not in the registry view', { model: r.model, model_version: r.model_version });
      return false;
    }
    const { featureNames, classNames } = params;
    const rows = r.instances.map((row) => featureNames.map((f) => row[f]));
    const classIds = r.predictions.map((p) => p.class_id);
    const fits =
      rows.length === classIds.length &&
      rows.every((x) => x.every((v) => typeof v === 'number' && Number.isFinite(v))) &&
      classIds.every((k) => Number.isInteger(k) && k >= 0 && k < classNames.length) &&
      Number.isFinite(r.scoring_latency_ms) &&
      Number.isFinite(at);
    if (!fits) {
      // The worker checked the rows against this version; a mismatch is a bug to see, not a reason to stall indexing.
      this.logger.event('warn', 'named prediction not observed: rows do not fit its version', { model: r.model, model_version: r.model_version });
      return false;
    }
    const m = this.admit(r.model, featureNames, classNames, r.model_version);
    m.monitor.observe({ modelVersion: r.model_version, instances: rows, classIds, latencyMs: r.scoring_latency_ms, at });
    return true;
  }

  /**
   * The model's monitor, most recently observed now, holding a window for `version`: made when
   * the model is new (or its features or classes changed), and room made for it first by dropping
   * the least recently observed other models until both bounds hold.
   */
  private admit(name: string, featureNames: string[], classNames: string[], version: number): Monitored {
    let m = this.monitored.get(name);
    if (m && !(sameNames(m.featureNames, featureNames) && sameNames(m.classNames, classNames))) {
      this.drop(name, 'features or classes changed');
      m = undefined;
    }
    if (!m) {
      const rowBytes = featureNames.length * 8 + ROW_OVERHEAD_BYTES;
      const rows = Math.max(1, Math.min(this.config.STATS_WINDOW_SIZE, Math.floor(NAMED_WINDOW_BUDGET_BYTES / (WINDOWS_PER_MONITOR * rowBytes))));
      m = {
        monitor: new TrafficMonitor({
          featureNames: [...featureNames],
          classNames: [...classNames],
          windowSize: rows,
          windowMs: this.config.STATS_WINDOW_SECONDS * 1000,
          checkEvery: this.config.DRIFT_CHECK_EVERY,
          detector: new DriftDetector({
            psiThreshold: this.config.DRIFT_PSI_THRESHOLD,
            ksPValueThreshold: this.config.DRIFT_KS_PVALUE,
            minWindow: this.config.DRIFT_MIN_WINDOW,
          }),
        }),
        featureNames: [...featureNames],
        classNames: [...classNames],
        rows,
        rowBytes,
        versions: new Set(),
      };
    }
    // Once the monitor holds its most windows, a new version replaces one: the bytes stay the same.
    const versions = m.versions.size < WINDOWS_PER_MONITOR ? new Set(m.versions).add(version) : m.versions;
    this.monitored.delete(name);
    let others = this.windowBytes();
    for (const oldest of this.monitored.keys()) {
      if (this.monitored.size < NAMED_MODELS_MONITORED && others + bytesOf({ ...m, versions }) <= NAMED_WINDOW_BUDGET_BYTES) break;
      others -= bytesOf(this.monitored.get(oldest)!);
      this.drop(oldest, 'least recently observed');
    }
    m.versions = versions;
    this.monitored.set(name, m);
    return m;
  }

  private drop(name: string, reason: string): void {
    if (this.monitored.delete(name)) this.logger.event('info', 'named model no longer monitored', { model: name, reason });
  }
}
