import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS, featureVector, type EventEnvelope, type PredictionMade } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher } from '@app/messaging';
import { CLASS_NAMES, DriftDetector, FEATURE_NAMES } from '@app/model';
import { RetrainCooldown, TrafficMonitor } from '@app/monitoring';
import { JsonLogger, driftScore } from '@app/observability';
import { ModelRegistry } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';

/** Recent event ids remembered for deduplication: far more than one redelivered batch, bounded. */
const COUNTED_IDS_KEPT = 50_000;

/** Feeds live traffic into the rolling windows, publishes statistics and drift, and may ask for a retrain. */
@Injectable()
export class TrafficService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly monitor: TrafficMonitor;
  private readonly cooldown: RetrainCooldown;
  private timer?: NodeJS.Timeout;
  /** Events already counted: a batch retried after an outage must not be counted twice. */
  private readonly counted = new Set<string>();

  constructor(
    private readonly registry: ModelRegistry,
    private readonly publisher: EventPublisher,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.monitor = new TrafficMonitor({
      featureNames: [...FEATURE_NAMES],
      classNames: [...CLASS_NAMES],
      windowSize: config.STATS_WINDOW_SIZE,
      windowMs: config.STATS_WINDOW_SECONDS * 1000,
      checkEvery: config.DRIFT_CHECK_EVERY,
      detector: new DriftDetector({ psiThreshold: config.DRIFT_PSI_THRESHOLD, ksPValueThreshold: config.DRIFT_KS_PVALUE, minWindow: config.DRIFT_MIN_WINDOW }),
    });
    this.cooldown = new RetrainCooldown(config.DRIFT_RETRAIN_COOLDOWN_SECONDS * 1000);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.publishStats().catch((err: Error) => this.logger.event('warn', 'statistics not published', { error: err.message })),
      this.config.STATS_PUBLISH_SECONDS * 1000,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Adds a prediction event to its version's window, once per event id (a redelivered batch is not counted twice). */
  observe(event: EventEnvelope<PredictionMade>): void {
    const p = event.payload;
    const at = Date.parse(event.occurred_at);
    if (this.counted.has(event.event_id)) return;
    this.counted.add(event.event_id);
    if (this.counted.size > COUNTED_IDS_KEPT) this.counted.delete(this.counted.values().next().value!);
    this.monitor.observe({
      modelVersion: p.model_version,
      instances: p.instances.map(featureVector),
      classIds: p.predictions.map((x) => x.class_id),
      latencyMs: p.scoring_latency_ms,
      at,
    });
  }

  async checkDrift(version: number): Promise<void> {
    const baselines = this.registry.get(version)?.model.baselines;
    if (!baselines) return;
    const now = Date.now();
    const report = this.monitor.checkDrift(version, baselines, now);
    const latest = this.monitor.snapshot(now, version).drift;
    for (const [feature, d] of Object.entries(latest ?? {})) driftScore.set({ feature }, d.psi);
    if (!report) return;
    const retrain = this.config.DRIFT_AUTO_RETRAIN && this.cooldown.tryAcquire(now);
    const features = Object.fromEntries(Object.entries(report.features).map(([f, d]) => [f, { psi: d.psi, ks: d.ks, p_value: d.pValue, drifted: d.drifted }]));
    const requestId = `drift-${randomUUID()}`;
    this.logger.event('warn', 'input drift detected', { model_version: version, drifted_features: report.driftedFeatures, retrain_requested: retrain });
    await this.publisher.publish(
      TOPICS.driftDetected,
      {
        model_version: version,
        window_size: this.monitor.windowSize(version, now),
        drifted_features: report.driftedFeatures,
        features,
        retrain_requested: retrain,
      },
      { requestId, key: String(version) },
    );
    if (retrain) {
      await this.publisher.publish(TOPICS.retrainRequested, { job_id: randomUUID(), reason: 'drift' }, { requestId });
    }
  }

  async publishStats(): Promise<void> {
    const stats = this.monitor.snapshot(Date.now());
    if (stats.count === 0) return;
    await this.publisher.publish(TOPICS.inputStats, stats, { requestId: `stats-${randomUUID()}` });
  }
}
