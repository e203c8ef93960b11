import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  TOPICS,
  decodeEvent,
  featureVector,
  type EventEnvelope,
  type FeedbackReceived,
  type Features,
  type LabeledRow,
  type LiveEvaluation,
  type PredictionMade,
  type ShadowPrediction,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { PREDICTION_INDEX, type PredictionIndex } from '@app/elasticsearch';
import { LabeledWindow, LiveStats, comparePaired, decide, type Classify, type LabeledInput } from '@app/evaluation';
import { EVENT_BUS, EventPublisher, RetryableError, SerialLock, type EventBus } from '@app/messaging';
import { CLASS_NAMES, FEATURE_NAMES, compileScorer, type Scorer } from '@app/model';
import { JsonLogger, feedbackTotal, liveAccuracy, liveLabeled } from '@app/observability';
import { ModelRegistry, RoutingState, VersionCache } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';
import { autoCommand, decisionPolicy } from './auto-decision';
import { RecentPredictions, type SeenPrediction } from './recent-predictions';

/** Predictions remembered for joining labels that arrive soon after them: requests, and rows (about 150 bytes each). */
const RECENT_REQUESTS_KEPT = 20_000;
const RECENT_ROWS_KEPT = 100_000;
/** Labels waiting for their prediction, and labeled rows remembered to count each once. */
const PENDING_KEPT = 100_000;
const JOINED_KEPT = 200_000;

const key = (requestId: string, row: number) => `${requestId}:${row}`;

/**
 * Ground truth joined with predictions, live accuracy per version, shadow agreement, and the
 * automatic decisions they may justify. Labels may come before the prediction (kept pending,
 * joined when it arrives) or long after (looked up in the prediction index). Every labeled row
 * is recorded on a compacted topic with its input, so the state survives restarts and any
 * version can re-score the rows for a paired comparison.
 */
@Injectable()
export class LiveEvaluationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stats = new LiveStats(CLASS_NAMES);
  private readonly window: LabeledWindow<LabeledInput & { version: number }>;
  private readonly recent = new RecentPredictions(RECENT_REQUESTS_KEPT, RECENT_ROWS_KEPT);
  private readonly pending = new Map<string, FeedbackReceived & { labeled_at: string }>();
  private readonly pendingRequests = new Map<string, number>();
  private readonly joined = new Set<string>();
  private readonly agreements = new Map<string, { compared: number; agreed: number }>();
  private readonly dirty = new Set<number>();
  private readonly scorers: VersionCache<Scorer>;
  private readonly issued = new Set<string>();
  /**
   * Predictions and labels are consumed concurrently (other topics, other partitions). A label
   * computed as waiting while its prediction is being observed would never be joined: the two
   * are applied one at a time.
   */
  private readonly lock = new SerialLock();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly publisher: EventPublisher,
    private readonly registry: ModelRegistry,
    private readonly routing: RoutingState,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(PREDICTION_INDEX) private readonly index?: PredictionIndex,
  ) {
    this.window = new LabeledWindow(config.LIVE_WINDOW);
    this.scorers = new VersionCache(registry, (artifact) => compileScorer(artifact.params));
  }

  /** Rebuilds the figures and the waiting labels from the labeled-row topic. */
  async onApplicationBootstrap(): Promise<void> {
    for (const m of await this.bus.readToEnd(TOPICS.feedbackLabeled)) {
      const d = decodeEvent(TOPICS.feedbackLabeled, m.value);
      if (!d.ok) continue;
      const r = d.event.payload;
      if (r.joined && r.served_version !== null && r.predicted && r.input) this.count(r.request_id, r.row, r.label, r.served_version, r.predicted, r.input);
      else if (!r.joined) this.wait({ request_id: r.request_id, row: r.row, label: r.label, labeled_at: r.labeled_at });
    }
    this.timer = setInterval(
      () => void this.tick().catch((err: Error) => this.logger.event('warn', 'live evaluation not published', { error: err.message })),
      this.config.LIVE_PUBLISH_SECONDS * 1000,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Predictions as they are indexed: remembered for labels to come, and joined with labels that came first. */
  observePredictions(events: Array<EventEnvelope<PredictionMade>>): Promise<void> {
    return this.lock.run(() => this.joinPredictions(events));
  }

  observeFeedback(events: Array<EventEnvelope<FeedbackReceived>>): Promise<void> {
    return this.lock.run(() => this.joinFeedback(events));
  }

  private async joinPredictions(events: Array<EventEnvelope<PredictionMade>>): Promise<void> {
    const rows: LabeledRow[] = [];
    for (const e of events) {
      const seen = {
        version: e.payload.model_version,
        instances: e.payload.instances,
        classes: e.payload.predictions.map((p) => p.prediction),
        at: e.occurred_at,
      };
      this.recent.remember(e.request_id, seen);
      if (!this.pendingRequests.has(e.request_id)) continue;
      for (let row = 0; row < seen.classes.length; row++) {
        const waiting = this.pending.get(key(e.request_id, row));
        if (waiting) rows.push(joined(waiting, seen));
      }
    }
    await this.record(rows);
  }

  private async joinFeedback(events: Array<EventEnvelope<FeedbackReceived>>): Promise<void> {
    const rows: LabeledRow[] = [];
    const inBatch = new Set<string>();
    for (const e of events) {
      const f = { ...e.payload, labeled_at: e.occurred_at };
      const k = key(f.request_id, f.row);
      if (this.joined.has(k) || this.pending.has(k) || inBatch.has(k)) {
        feedbackTotal.inc({ outcome: 'duplicate' });
        continue;
      }
      const seen = this.recent.get(f.request_id) ?? (await this.lookUp(f.request_id));
      if (seen && f.row >= seen.classes.length) {
        feedbackTotal.inc({ outcome: 'rejected' });
        this.logger.event('warn', 'feedback for a row the prediction does not have', {
          target_request_id: f.request_id,
          row: f.row,
          rows: seen.classes.length,
        });
        continue;
      }
      inBatch.add(k);
      rows.push(seen ? joined(f, seen) : { ...f, joined: false, served_version: null, predicted: null, input: null, predicted_at: null });
    }
    await this.record(rows);
  }

  /** Agreement of a shadow version with the version that answered, row by row on the same requests. */
  observeShadow(events: Array<EventEnvelope<ShadowPrediction>>): void {
    for (const e of events) {
      const serving = this.classifier(e.payload.serving_version);
      if (!serving) continue;
      const k = `${e.payload.serving_version}:${e.payload.model_version}`;
      const counts = this.agreements.get(k) ?? { compared: 0, agreed: 0 };
      e.payload.instances.forEach((f, i) => {
        counts.compared++;
        if (serving(featureVector(f)) === e.payload.predictions[i].prediction) counts.agreed++;
      });
      this.agreements.set(k, counts);
      this.dirty.add(e.payload.serving_version);
      this.dirty.add(e.payload.model_version);
    }
  }

  /** The figures of one version as the gateway serves them at /models/{v}/live. */
  evaluation(version: number): LiveEvaluation {
    const f = this.stats.figures(version);
    const others = new Set<number>();
    for (const k of this.agreements.keys()) {
      const [a, b] = k.split(':').map(Number);
      if (a === version) others.add(b);
      if (b === version) others.add(a);
    }
    const routing = this.routing.current;
    for (const v of [routing?.current_version, routing?.shadow_version, routing?.canary?.version, routing?.previous_version])
      if (v && v !== version) others.add(v);
    const rows = this.window.values();
    const mine = this.classifier(version);
    const comparisons = [...others]
      .sort((a, b) => a - b)
      .flatMap((other) => {
        const theirs = this.classifier(other);
        if (!mine || !theirs) return [];
        const shared = this.agreements.get(`${version}:${other}`) ?? this.agreements.get(`${other}:${version}`);
        const paired = comparePaired(rows, theirs, mine);
        return [
          {
            other_version: other,
            compared: shared?.compared ?? 0,
            agreement: shared && shared.compared > 0 ? shared.agreed / shared.compared : null,
            labeled: paired.labeled,
            accuracy: paired.challengerAccuracy,
            other_accuracy: paired.incumbentAccuracy,
          },
        ];
      });
    return {
      version,
      labeled: f.labeled,
      correct: f.correct,
      accuracy: f.accuracy,
      accuracy_ci95: f.accuracyCi95,
      per_class_recall: f.perClassRecall,
      confusion_matrix: f.confusionMatrix,
      comparisons,
      updated_at: new Date().toISOString(),
    };
  }

  /** Publishes changed figures, then considers an automatic decision. */
  async tick(): Promise<void> {
    const versions = [...this.dirty];
    this.dirty.clear();
    if (versions.length > 0) {
      await this.publisher.publishMany(
        TOPICS.modelLive,
        versions.map((v) => ({ payload: this.evaluation(v), options: { key: String(v), requestId: `live-${v}` } })),
      );
    }
    await this.considerDecision();
  }

  private async considerDecision(): Promise<void> {
    const routing = this.routing.current;
    if (!routing?.current_version || (!this.config.AUTO_PROMOTE && !this.config.AUTO_ROLLBACK)) return;
    const current = this.classifier(routing.current_version);
    if (!current) return;
    const rows = this.window.values();
    const compare = (v: number | null | undefined) => {
      const other = v ? this.classifier(v) : undefined;
      return other ? comparePaired(rows, current, other) : null;
    };
    const challengers = [routing.shadow_version, routing.canary?.version].flatMap((v) => {
      const comparison = compare(v);
      return v && comparison ? [{ version: v, comparison }] : [];
    });
    const decision = decide(
      {
        now: Date.now(),
        lastChangeAt: routing.current_since ? Date.parse(routing.current_since) : null,
        current: routing.current_version,
        previous: routing.previous_version,
        challengers,
        previousComparison: compare(routing.previous_version),
      },
      decisionPolicy(this.config),
    );
    if (!decision) return;
    // One command per decision and routing state: the owner's answer arrives as a routing change.
    const once = `${decision.action}:${decision.version}:${decision.incumbent}:${routing.current_since}`;
    if (this.issued.has(once)) return;
    this.issued.add(once);
    const c = decision.comparison;
    this.logger.event('warn', `automatic ${decision.action} requested`, {
      version: decision.version,
      incumbent: decision.incumbent,
      p_value: c.pValue,
      labeled: c.labeled,
    });
    await this.publisher.publish(TOPICS.registryCommand, autoCommand(decision, this.config.LIVE_ALPHA), { requestId: `decision-${randomUUID()}` });
  }

  private classifier(version: number): Classify | undefined {
    const scorer = this.scorers.get(version);
    return scorer && ((x) => scorer(x).className);
  }

  private count(requestId: string, row: number, label: string, version: number, predicted: string, input: Features): void {
    const k = key(requestId, row);
    if (this.joined.has(k)) return;
    this.joined.add(k);
    if (this.joined.size > JOINED_KEPT) this.joined.delete(this.joined.values().next().value!);
    this.stats.add(version, label, predicted);
    this.window.push({ features: featureVector(input), label, version });
    this.dirty.add(version);
    const f = this.stats.figures(version);
    liveLabeled.set({ model_version: String(version) }, f.labeled);
    if (f.accuracy !== null) liveAccuracy.set({ model_version: String(version) }, f.accuracy);
  }

  private wait(f: FeedbackReceived & { labeled_at: string }): void {
    const k = key(f.request_id, f.row);
    this.pending.set(k, f);
    this.pendingRequests.set(f.request_id, (this.pendingRequests.get(f.request_id) ?? 0) + 1);
    if (this.pending.size > PENDING_KEPT) {
      const [oldest, o] = this.pending.entries().next().value!;
      this.unwait(o.request_id, oldest);
    }
  }

  private unwait(requestId: string, k: string): void {
    if (!this.pending.delete(k)) return;
    const left = (this.pendingRequests.get(requestId) ?? 1) - 1;
    if (left <= 0) this.pendingRequests.delete(requestId);
    else this.pendingRequests.set(requestId, left);
  }

  /** A prediction older than this monitor's memory (made before a restart): from the index, where there is one. */
  private async lookUp(requestId: string): Promise<SeenPrediction | undefined> {
    if (!this.index) return undefined;
    const found = await this.index.find(requestId).catch((err: Error) => {
      // Waiting out an index outage beats parking a label.
      throw new RetryableError(`prediction index unavailable: ${err.message}`);
    });
    if (!found) return undefined;
    const instances = found.predictions.map((p) => p.input as Features);
    if (instances.some((x) => !x || FEATURE_NAMES.some((n) => typeof x[n] !== 'number'))) return undefined;
    return { version: found.model_version, instances, classes: found.predictions.map((p) => String(p.prediction)), at: found.occurred_at };
  }

  /**
   * Publishes the labeled rows, and only then changes state: a batch retried after a failed publish
   * computes the same rows again instead of finding them counted and never recorded.
   */
  private async record(rows: LabeledRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.publisher.publishMany(
      TOPICS.feedbackLabeled,
      rows.map((payload) => ({ payload, options: { key: key(payload.request_id, payload.row), requestId: payload.request_id } })),
    );
    for (const r of rows) {
      if (r.joined && r.served_version !== null && r.predicted && r.input) {
        this.unwait(r.request_id, key(r.request_id, r.row));
        this.count(r.request_id, r.row, r.label, r.served_version, r.predicted, r.input);
        feedbackTotal.inc({ outcome: 'joined' });
      } else {
        this.wait(r);
        feedbackTotal.inc({ outcome: 'pending' });
      }
    }
  }
}

function joined(f: FeedbackReceived & { labeled_at: string }, seen: SeenPrediction): LabeledRow {
  const predicted = seen.classes[f.row] as LabeledRow['label'];
  return { ...f, joined: true, served_version: seen.version, predicted, input: seen.instances[f.row], predicted_at: seen.at };
}
