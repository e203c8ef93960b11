import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  TOPICS,
  decodeEvent,
  type EventEnvelope,
  type NamedFeedbackReceived,
  type NamedInstance,
  type NamedLabeledRow,
  type NamedLiveEvaluation,
  type NamedPredictionMade,
  type NamedShadowPrediction,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { PREDICTION_INDEX, type PredictionIndex } from '@app/elasticsearch';
import { LabeledWindow, LiveStats, comparePaired, decide, type Classify, type LabeledInput, type PairedComparison } from '@app/evaluation';
import { EVENT_BUS, EventPublisher, RetryableError, SerialLock, type EventBus } from '@app/messaging';
import { JsonLogger, feedbackTotal, setNamedLiveAccuracy } from '@app/observability';
import { NamedModels, NamedRoutings, NamedScorers } from '@app/registry';
import { APP_CONFIG } from '@app/runtime';
import { autoCommand, decisionPolicy } from './auto-decision';
import { PackedRows } from './packed-rows';
import { RecentPredictions, type SeenPrediction } from './recent-predictions';

/**
 * Named models' predictions remembered for labels that come soon after: requests, and feature
 * values (a row of 200 features weighs 200). Packed (PackedRows), two million values are 16 MB,
 * the monitor's share for this; as decoded row objects they were about 100 MB.
 */
const RECENT_REQUESTS_KEPT = 20_000;
const RECENT_VALUES_KEPT = 2_000_000;
/** Labels waiting for their prediction, and labeled rows remembered to count each once. */
const PENDING_KEPT = 50_000;
const JOINED_KEPT = 200_000;
/**
 * Feature values a model's labeled window may hold: its last LIVE_WINDOW rows, fewer when they
 * are wide (1 M values is 8 MB packed; as decoded row objects it was about 50 MB). Windows of
 * this many models at most are kept, least recently labeled dropped first: the paired
 * comparisons of the others restart from new labels.
 */
const WINDOW_VALUES_PER_MODEL = 1_000_000;
export const NAMED_LIVE_WINDOWS = 20;

type Waiting = NamedFeedbackReceived & { labeled_at: string };
type Row = LabeledInput<PackedRows> & { version: number };
interface ModelClassifier {
  classify: Classify<NamedInstance>;
  accepts: (row: NamedInstance) => boolean;
}

interface ModelLive {
  stats: LiveStats;
  window?: LabeledWindow<Row>;
  /** The feature names the window's rows share. */
  names?: readonly string[];
}

const rowKey = (model: string, requestId: string, row: number) => `${model}/${requestId}:${row}`;
const versionKey = (model: string, version: number) => `${model}/${version}`;

/**
 * Live accuracy of the named models, as the default model's (LiveEvaluationService) and apart
 * from it: a label names its model, is joined with that model's prediction of the same request
 * (a label for another model's request never joins), remembered or, when older than this
 * monitor's memory, looked up in the prediction index, and counts for the version that served it.
 * Every version of a model is compared with the model's other versions on the same labeled rows,
 * each scoring the rows again (a paired comparison): a LogisticRegression version and a Gaussian
 * NB version of one model are judged on exactly the same live labels. The labeled rows are kept
 * on their own compacted topic, so a restarted monitor rebuilds the figures. With AUTO_PROMOTE or
 * AUTO_ROLLBACK, each model's shadow, canary or previous version replaces its current one when it is
 * significantly more accurate on the same labeled rows, as for the default model.
 */
@Injectable()
export class NamedLiveEvaluationService implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Per model; windows least recently labeled first. */
  private readonly live = new Map<string, ModelLive>();
  private readonly recent = new RecentPredictions<PackedRows>(RECENT_REQUESTS_KEPT, RECENT_VALUES_KEPT, (seen) => seen.instances.valueCount);
  private readonly pending = new Map<string, Waiting>();
  private readonly pendingRequests = new Map<string, number>();
  private readonly joined = new Set<string>();
  private readonly dirty = new Set<string>();
  /** Shadow agreement per model and pair of versions (`model:serving:shadow`): counts only. */
  private readonly agreements = new Map<string, { compared: number; agreed: number }>();
  /** Decisions already requested, per model and routing state: the owner's answer arrives as a routing change. */
  private readonly issued = new Set<string>();
  /** Both kinds of event change the same state one at a time (see LiveEvaluationService). */
  private readonly lock = new SerialLock();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly publisher: EventPublisher,
    private readonly models: NamedModels,
    private readonly routings: NamedRoutings,
    private readonly scorers: NamedScorers,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(PREDICTION_INDEX) private readonly index?: PredictionIndex,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const m of await this.bus.readToEnd(TOPICS.namedFeedbackLabeled)) {
      const d = decodeEvent(TOPICS.namedFeedbackLabeled, m.value);
      if (!d.ok) continue;
      const r = d.event.payload;
      if (r.joined && r.served_version !== null && r.predicted !== null && r.input !== null) this.count(r, r.served_version, r.predicted, r.input);
      else if (!r.joined) this.wait({ model_name: r.model_name, request_id: r.request_id, row: r.row, label: r.label, labeled_at: r.labeled_at });
    }
    this.timer = setInterval(
      () => void this.publish().catch((err: Error) => this.logger.event('warn', 'named live evaluation not published', { error: err.message })),
      this.config.LIVE_PUBLISH_SECONDS * 1000,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Scored requests as they are indexed: remembered for labels to come, joined with labels that came first. */
  observePredictions(batches: Array<EventEnvelope<NamedPredictionMade>>): Promise<void> {
    return this.lock.run(async () => {
      const rows: NamedLabeledRow[] = [];
      for (const batch of batches) {
        for (const r of batch.payload.results) {
          if (r.outcome !== 'scored') continue;
          const seen = {
            version: r.model_version,
            instances: PackedRows.of(r.instances, this.featureNames(r.model, r.model_version)),
            classes: r.predictions.map((p) => p.prediction),
            at: batch.occurred_at,
          };
          const requestKey = `${r.model}/${r.request_id}`;
          this.recent.remember(requestKey, seen);
          if (!this.pendingRequests.has(requestKey)) continue;
          for (let row = 0; row < seen.classes.length; row++) {
            const waiting = this.pending.get(rowKey(r.model, r.request_id, row));
            if (waiting) rows.push(joined(waiting, seen));
          }
        }
      }
      await this.record(rows);
    });
  }

  observeFeedback(events: Array<EventEnvelope<NamedFeedbackReceived>>): Promise<void> {
    return this.lock.run(async () => {
      const rows: NamedLabeledRow[] = [];
      const inBatch = new Set<string>();
      const notIndexed = new Set<string>();
      for (const e of events) {
        const f: Waiting = { ...e.payload, labeled_at: e.occurred_at };
        const k = rowKey(f.model_name, f.request_id, f.row);
        if (this.joined.has(k) || this.pending.has(k) || inBatch.has(k)) {
          feedbackTotal.inc({ outcome: 'duplicate' });
          continue;
        }
        const seen = this.recent.get(`${f.model_name}/${f.request_id}`) ?? (await this.lookUp(f.model_name, f.request_id, notIndexed));
        if (seen && f.row >= seen.classes.length) {
          feedbackTotal.inc({ outcome: 'rejected' });
          this.logger.event('warn', 'feedback for a row the prediction does not have', {
            model: f.model_name,
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
    });
  }

  /** Agreement of a model's shadow version with the version that answered, row by row on the same requests. */
  observeShadow(events: Array<EventEnvelope<NamedShadowPrediction>>): void {
    for (const e of events) {
      const p = e.payload;
      const serving = this.classifier(p.model, p.serving_version);
      if (!serving) continue;
      const k = `${p.model}:${p.serving_version}:${p.model_version}`;
      const counts = this.agreements.get(k) ?? { compared: 0, agreed: 0 };
      p.instances.forEach((row, i) => {
        counts.compared++;
        if (serving.classify(row) === p.predictions[i].prediction) counts.agreed++;
      });
      this.agreements.set(k, counts);
      this.dirty.add(versionKey(p.model, p.serving_version));
      this.dirty.add(versionKey(p.model, p.model_version));
    }
  }

  /** A version's figures, with a paired comparison against every other version of its model that has a scorer. */
  evaluation(model: string, version: number): NamedLiveEvaluation {
    const m = this.live.get(model);
    const f = (m?.stats ?? new LiveStats(this.models.registry(model)?.get(version)?.model.params.classNames ?? [])).figures(version);
    const registry = this.models.registry(model);
    const routing = this.routings.get(model);
    const others = new Set<number>([
      ...(m?.stats.versionsSeen() ?? []),
      ...[registry?.current()?.version, routing?.shadow_version, routing?.canary?.version, routing?.previous_version].filter(
        (v): v is number => typeof v === 'number',
      ),
    ]);
    others.delete(version);
    const rows = m?.window?.values() ?? [];
    const mine = this.classifier(model, version);
    const comparisons = [...others]
      .sort((a, b) => a - b)
      .flatMap((other) => {
        const theirs = this.classifier(model, other);
        if (!mine || !theirs) return [];
        const paired = this.compare(rows, theirs, mine);
        const shared = this.agreements.get(`${model}:${version}:${other}`) ?? this.agreements.get(`${model}:${other}:${version}`);
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
      model_name: model,
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

  /**
   * Publishes the figures of every version whose rows changed, and of the model's other versions
   * too (a new labeled row changes their paired comparisons with it), then considers decisions.
   */
  async publish(): Promise<void> {
    const changed = [...this.dirty];
    this.dirty.clear();
    const keys = new Set<string>();
    for (const k of changed) {
      const model = k.slice(0, k.lastIndexOf('/'));
      for (const v of this.live.get(model)?.stats.versionsSeen() ?? []) keys.add(versionKey(model, v));
      keys.add(k);
    }
    if (keys.size > 0) await this.publishFigures(keys);
    // Every tick, not only on new labels: a cool-down may have ended since the last ones.
    for (const [model, m] of [...this.live]) if (m.window) await this.considerDecision(model);
  }

  private async publishFigures(keys: Set<string>): Promise<void> {
    const evaluations = [...keys].map((k) => {
      const slash = k.lastIndexOf('/');
      return this.evaluation(k.slice(0, slash), Number(k.slice(slash + 1)));
    });
    await this.publisher.publishMany(
      TOPICS.namedModelLive,
      evaluations.map((payload) => ({
        payload,
        options: { key: versionKey(payload.model_name, payload.version), requestId: `live-${payload.model_name}-${payload.version}` },
      })),
    );
  }

  /** A model's shadow, canary or previous version in place of its current one, when the labels say so and the configuration allows. */
  private async considerDecision(model: string): Promise<void> {
    if (!this.config.AUTO_PROMOTE && !this.config.AUTO_ROLLBACK) return;
    const routing = this.routings.get(model);
    const currentVersion = this.models.serving(model)?.current()?.version;
    const current = currentVersion === undefined ? undefined : this.classifier(model, currentVersion);
    if (currentVersion === undefined || !current) return;
    const rows = this.live.get(model)?.window?.values() ?? [];
    const compare = (v: number | null | undefined): PairedComparison | null => {
      const other = v ? this.classifier(model, v) : undefined;
      return other ? this.compare(rows, current, other) : null;
    };
    const challengers = [routing?.shadow_version, routing?.canary?.version].flatMap((v) => {
      const comparison = compare(v);
      return v && comparison ? [{ version: v, comparison }] : [];
    });
    const decision = decide(
      {
        now: Date.now(),
        lastChangeAt: routing?.current_since ? Date.parse(routing.current_since) : null,
        current: currentVersion,
        previous: routing?.previous_version ?? null,
        challengers,
        previousComparison: compare(routing?.previous_version),
      },
      decisionPolicy(this.config),
    );
    if (!decision) return;
    const once = `${model}:${decision.action}:${decision.version}:${decision.incumbent}:${routing?.current_since}`;
    if (this.issued.has(once)) return;
    this.issued.add(once);
    const c = decision.comparison;
    this.logger.event('warn', `automatic ${decision.action} requested`, {
      model,
      version: decision.version,
      incumbent: decision.incumbent,
      p_value: c.pValue,
      labeled: c.labeled,
    });
    await this.publisher.publish(TOPICS.registryCommand, autoCommand(decision, this.config.LIVE_ALPHA, model), {
      requestId: `decision-${randomUUID()}`,
      key: model,
    });
  }

  /** Two versions on the same labeled rows, those both can score (a version trained on other columns cannot). */
  private compare(rows: readonly Row[], incumbent: ModelClassifier, challenger: ModelClassifier): PairedComparison {
    const unpacked = rows.map((r) => ({ features: r.features.row(0)!, label: r.label }));
    return comparePaired(
      unpacked.filter((r) => incumbent.accepts(r.features) && challenger.accepts(r.features)),
      incumbent.classify,
      challenger.classify,
    );
  }

  /** The version's feature names as the registry holds them: packed rows in that order share the array. */
  private featureNames(model: string, version: number): readonly string[] | undefined {
    return this.models.registry(model)?.get(version)?.model.params.featureNames;
  }

  private classifier(model: string, version: number): ModelClassifier | undefined {
    const scorer = this.scorers.get(model, version);
    if (!scorer) return undefined;
    return {
      classify: (row) => scorer.score(row).prediction,
      // A version trained on other columns cannot score the row: it is left out of that comparison.
      accepts: (row) => scorer.features.every((f) => typeof row[f] === 'number'),
    };
  }

  private count(r: Pick<NamedLabeledRow, 'model_name' | 'request_id' | 'row' | 'label'>, version: number, predicted: string, input: NamedInstance): void {
    const k = rowKey(r.model_name, r.request_id, r.row);
    if (this.joined.has(k)) return;
    this.joined.add(k);
    if (this.joined.size > JOINED_KEPT) this.joined.delete(this.joined.values().next().value!);
    const m = this.modelLive(r.model_name, version);
    m.stats.add(version, r.label, predicted);
    m.window ??= this.newWindow(r.model_name, input);
    const packed = PackedRows.of([input], m.names);
    m.names = packed.featureNames;
    m.window.push({ features: packed, label: r.label, version });
    this.dirty.add(versionKey(r.model_name, version));
    const f = m.stats.figures(version);
    if (f.accuracy !== null) setNamedLiveAccuracy(r.model_name, version, f.accuracy);
  }

  /** The model's live state, moved to the most recently labeled end; beyond NAMED_LIVE_WINDOWS the oldest windows go. */
  private modelLive(model: string, version: number): ModelLive {
    let m = this.live.get(model);
    if (m) this.live.delete(model);
    else m = { stats: new LiveStats(this.models.registry(model)?.get(version)?.model.params.classNames ?? [], { grow: true }) };
    this.live.set(model, m);
    let windows = 0;
    for (const x of [...this.live.values()].reverse()) if (x.window && ++windows > NAMED_LIVE_WINDOWS) x.window = undefined;
    return m;
  }

  private newWindow(model: string, input: NamedInstance): LabeledWindow<Row> {
    const width = Math.max(1, Object.keys(input).length);
    const rows = Math.max(10, Math.min(this.config.LIVE_WINDOW, Math.floor(WINDOW_VALUES_PER_MODEL / width)));
    this.logger.event('debug', 'named live window', { model, rows, features: width });
    return new LabeledWindow<Row>(rows);
  }

  private wait(f: Waiting): void {
    const k = rowKey(f.model_name, f.request_id, f.row);
    const requestKey = `${f.model_name}/${f.request_id}`;
    this.pending.set(k, f);
    this.pendingRequests.set(requestKey, (this.pendingRequests.get(requestKey) ?? 0) + 1);
    if (this.pending.size > PENDING_KEPT) {
      const [oldest, o] = this.pending.entries().next().value!;
      this.unwait(o, oldest);
    }
  }

  private unwait(f: Pick<Waiting, 'model_name' | 'request_id'>, k: string): void {
    if (!this.pending.delete(k)) return;
    const requestKey = `${f.model_name}/${f.request_id}`;
    const left = (this.pendingRequests.get(requestKey) ?? 1) - 1;
    if (left <= 0) this.pendingRequests.delete(requestKey);
    else this.pendingRequests.set(requestKey, left);
  }

  /**
   * A prediction older than this monitor's memory (made before a restart): from the index, where
   * there is one, and then remembered, since the labels of a request's other rows tend to follow.
   * `notIndexed` spares a batch of labels for one such request a search per label.
   */
  private async lookUp(model: string, requestId: string, notIndexed: Set<string>): Promise<SeenPrediction<PackedRows> | undefined> {
    const requestKey = `${model}/${requestId}`;
    if (!this.index || notIndexed.has(requestKey)) return undefined;
    const found = await this.index.findNamed(model, requestId).catch((err: Error) => {
      // Waiting out an index outage beats parking a label.
      throw new RetryableError(`prediction index unavailable: ${err.message}`);
    });
    if (!found) {
      notIndexed.add(requestKey);
      return undefined;
    }
    const seen = {
      version: found.model_version,
      instances: PackedRows.of(found.instances, this.featureNames(model, found.model_version)),
      classes: found.predictions,
      at: found.occurred_at,
    };
    this.recent.remember(requestKey, seen);
    return seen;
  }

  /** Publishes the labeled rows, and only then changes state (a retried batch computes the same rows again). */
  private async record(rows: NamedLabeledRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.publisher.publishMany(
      TOPICS.namedFeedbackLabeled,
      rows.map((payload) => ({ payload, options: { key: rowKey(payload.model_name, payload.request_id, payload.row), requestId: payload.request_id } })),
    );
    for (const r of rows) {
      if (r.joined && r.served_version !== null && r.predicted !== null && r.input !== null) {
        this.unwait(r, rowKey(r.model_name, r.request_id, r.row));
        this.count(r, r.served_version, r.predicted, r.input);
        feedbackTotal.inc({ outcome: 'joined' });
      } else {
        this.wait(r);
        feedbackTotal.inc({ outcome: 'pending' });
      }
    }
  }
}

function joined(f: Waiting, seen: SeenPrediction<PackedRows>): NamedLabeledRow {
  return { ...f, joined: true, served_version: seen.version, predicted: seen.classes[f.row], input: seen.instances.row(f.row) ?? null, predicted_at: seen.at };
}
