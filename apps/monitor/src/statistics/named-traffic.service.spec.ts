import { EVENTS, TOPICS, createEnvelope, type EventEnvelope, type NamedModelRegistered, type NamedPredictionMade, type Topic } from '@app/contracts';
import { loadConfig } from '@app/config';
import type { EventPublisher } from '@app/messaging';
import { CLASS_NAMES, DriftDetector, FEATURE_NAMES, MAX_FEATURES, computeFeatureBaselines, mulberry32 } from '@app/model';
import { TrafficMonitor } from '@app/monitoring';
import { JsonLogger, metricsRegistry } from '@app/observability';
import { NamedModels } from '@app/registry';
import { NAMED_MODELS_MONITORED, NAMED_WINDOW_BUDGET_BYTES, NamedTrafficService, WINDOWS_PER_MONITOR } from './named-traffic.service';

interface Spec {
  features: string[];
  classes: string[];
  /** Mean of each feature in the training data (std 1). */
  means: number[];
}

/** Two models sharing a feature name (`x`) with different distributions: a mix-up would show in its mean. */
const WINE: Spec = { features: ['x', 'proline', 'hue'], classes: ['class_0', 'class_1', 'class_2'], means: [10, 700, 1] };
const CHURN: Spec = { features: ['tenure', 'x'], classes: ['stays', 'churns'], means: [30, -5] };

function gaussianRows(spec: Spec, n: number, seed: number, shift: Record<string, number> = {}): number[][] {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: n }, () => spec.features.map((f, j) => spec.means[j] + normal() + (shift[f] ?? 0)));
}

function record(name: string, spec: Spec, version = 1, extra: Partial<NamedModelRegistered> = {}): NamedModelRegistered {
  // The widest models' baselines are not needed (their windows never reach a drift check) and slow to make.
  const baselines = spec.features.length <= 10 ? computeFeatureBaselines(gaussianRows(spec, 2000, 7), spec.features) : [];
  return {
    model_name: name,
    version,
    status: 'current',
    status_reason: 'passed',
    parent_version: null,
    job_id: `job-${name}-${version}`,
    registered_at: '2026-01-01T00:00:00.000Z',
    deleted_at: null,
    schema: { label: 'label', features: [], reference: { dataset: `${name}.csv`, label: 'label' } },
    // What the monitor reads of a version: its features and classes in order, and its training baselines.
    model: { params: { featureNames: spec.features, classNames: spec.classes }, baselines } as unknown as NamedModelRegistered['model'],
    ...extra,
  };
}

let seq = 0;
/** One reply record with one scored request per entry. */
function reply(...requests: Array<{ model: string; spec: Spec; rows: number[][]; version?: number; eventId?: string }>): EventEnvelope<NamedPredictionMade> {
  return createEnvelope(
    'NamedPredictionMade',
    {
      worker: 'worker-a',
      reply_to: 'gateway-1',
      results: requests.map(({ model, spec, rows, version = 1, eventId = `evt-${++seq}` }) => ({
        outcome: 'scored' as const,
        request_id: `req-${eventId}`,
        event_id: eventId,
        model,
        instances: rows.map((x) => Object.fromEntries(spec.features.map((f, j) => [f, x[j]]))),
        predictions: rows.map((_, i) => ({
          prediction: spec.classes[i % spec.classes.length],
          class_id: i % spec.classes.length,
          probability: 0.9,
          probabilities: Object.fromEntries(spec.classes.map((c, k) => [c, k === i % spec.classes.length ? 0.9 : 0.1 / (spec.classes.length - 1)])),
        })),
        model_version: version,
        scoring_latency_ms: 0.5,
      })),
    },
    { requestId: 'req-batch', producer: 'inference-worker', occurredAt: new Date() },
  );
}

function harness(env: Record<string, string> = {}) {
  const config = loadConfig({}, { STATS_WINDOW_SIZE: '200', DRIFT_MIN_WINDOW: '50', DRIFT_CHECK_EVERY: '10', ...env });
  const models = new NamedModels();
  const published: Array<{ topic: Topic; payload: unknown; key?: string }> = [];
  const publisher = {
    publish: async (topic: Topic, payload: unknown, o: { key?: string }) => {
      // Every event must be one its topic's contract accepts.
      const parsed = EVENTS[topic].schema.safeParse(payload);
      if (!parsed.success) throw new Error(`${topic}: ${parsed.error.message}`);
      published.push({ topic, payload, key: o.key });
    },
  };
  const service = new NamedTrafficService(models, publisher as unknown as EventPublisher, new JsonLogger('test', 'error', () => undefined), config);
  const of = <T>(topic: Topic) => published.filter((p) => p.topic === topic) as Array<{ topic: Topic; payload: T; key?: string }>;
  return { service, models, published, of };
}

/** Sends rows in requests of `size` rows, one reply each, as the indexer hands them over. */
async function send(service: NamedTrafficService, model: string, spec: Spec, rows: number[][], size = 10): Promise<void> {
  for (let i = 0; i < rows.length; i += size) await service.observe([reply({ model, spec, rows: rows.slice(i, i + size) })]);
}

type Drift = {
  model_name?: string;
  model_version: number;
  drifted_features: string[];
  features: Record<string, { drifted: boolean }>;
  retrain_requested: boolean;
};
type Stats = {
  model_name?: string;
  model_version: number;
  count: number;
  features: Record<string, { count: number; mean: number }>;
  class_mix: Record<string, number>;
};

describe('NamedTrafficService', () => {
  it("keeps each model's window with its own features and classes: a feature name two models share never mixes", async () => {
    const { service, models, of } = harness();
    models.apply(record('wine', WINE));
    models.apply(record('churn', CHURN));
    // Both models in the same reply records, interleaved.
    const wine = gaussianRows(WINE, 30, 1);
    const churn = gaussianRows(CHURN, 20, 2);
    for (let i = 0; i < 10; i++) {
      await service.observe([
        reply({ model: 'wine', spec: WINE, rows: wine.slice(3 * i, 3 * i + 3) }, { model: 'churn', spec: CHURN, rows: churn.slice(2 * i, 2 * i + 2) }),
      ]);
    }
    const w = service.snapshot('wine')!;
    const c = service.snapshot('churn')!;
    expect([w.model_name, w.model_version, w.count, Object.keys(w.features), Object.keys(w.class_mix)]).toEqual(['wine', 1, 30, WINE.features, WINE.classes]);
    expect([c.model_name, c.model_version, c.count, Object.keys(c.features), Object.keys(c.class_mix)]).toEqual([
      'churn',
      1,
      20,
      CHURN.features,
      CHURN.classes,
    ]);
    const mean = (rows: number[][], j: number) => rows.reduce((s, r) => s + r[j], 0) / rows.length;
    expect(w.features.x.mean).toBeCloseTo(mean(wine, 0), 9);
    expect(c.features.x.mean).toBeCloseTo(mean(churn, 1), 9);
    expect(w.features.x.count + c.features.x.count).toBe(50);
    expect(service.snapshot('fraud')).toBeUndefined();

    // One statistics event per model, named, keyed by the model, each its own window.
    await service.publishStats();
    const stats = of<Stats>(TOPICS.inputStats);
    expect(stats.map((s) => [s.key, s.payload.model_name, s.payload.count, Object.keys(s.payload.features)])).toEqual([
      ['wine', 'wine', 30, WINE.features],
      ['churn', 'churn', 20, CHURN.features],
    ]);
    expect(stats[0].payload).toEqual(JSON.parse(JSON.stringify(w)));
  });

  it('raises drift for the shifted feature of one model only, once per episode, naming the model and requesting no retrain (DRIFT_AUTO_RETRAIN off)', async () => {
    const { service, models, of } = harness();
    models.apply(record('wine', WINE));
    models.apply(record('churn', CHURN));
    await send(service, 'wine', WINE, gaussianRows(WINE, 100, 11));
    await send(service, 'churn', CHURN, gaussianRows(CHURN, 100, 12));
    // Both evaluated, neither drifting: in-distribution traffic.
    expect(service.snapshot('wine')!.drift).toEqual(expect.objectContaining({ proline: expect.objectContaining({ drifted: false }) }));
    expect(service.snapshot('churn')!.drift).not.toBeNull();
    expect(of(TOPICS.driftDetected)).toEqual([]);

    await send(service, 'wine', WINE, gaussianRows(WINE, 300, 13, { proline: 1400 }));
    await send(service, 'churn', CHURN, gaussianRows(CHURN, 300, 14));
    const drift = of<Drift>(TOPICS.driftDetected);
    expect(drift.map((d) => [d.key, d.payload.model_name, d.payload.model_version, d.payload.drifted_features, d.payload.retrain_requested])).toEqual([
      ['wine/1', 'wine', 1, ['proline'], false],
    ]);
    expect(Object.keys(drift[0].payload.features)).toEqual(WINE.features);
    expect(of(TOPICS.retrainRequested)).toEqual([]);
    expect(service.snapshot('churn')!.drift!.x.drifted).toBe(false);
    const gauge = await metricsRegistry.getSingleMetric('named_drift_psi_max')!.get();
    const psi = Object.fromEntries(gauge.values.map((v) => [v.labels.model, v.value]));
    expect(psi.wine).toBeGreaterThan(1);
    expect(psi.churn).toBeLessThan(0.25);
    // No feature label: one series per model.
    expect(gauge.values.every((v) => Object.keys(v.labels).join() === 'model')).toBe(true);
  });

  it('with DRIFT_AUTO_RETRAIN, retrains the drifted model from its reference set and labels, once per cool-down of that model', async () => {
    const { service, models, of } = harness({ DRIFT_AUTO_RETRAIN: 'true', DRIFT_RETRAIN_COOLDOWN_SECONDS: '3600' });
    models.apply(record('wine', WINE));
    models.apply(record('churn', CHURN));
    await send(service, 'wine', WINE, gaussianRows(WINE, 100, 21));
    await send(service, 'wine', WINE, gaussianRows(WINE, 300, 22, { proline: 1400 }));
    // Back in distribution, then drifting again: a second episode, within the cool-down.
    await send(service, 'wine', WINE, gaussianRows(WINE, 600, 23));
    await send(service, 'wine', WINE, gaussianRows(WINE, 600, 24, { proline: 1400 }));
    await send(service, 'churn', CHURN, gaussianRows(CHURN, 100, 25));
    await send(service, 'churn', CHURN, gaussianRows(CHURN, 300, 26, { tenure: 40 }));
    const drift = of<Drift>(TOPICS.driftDetected).map((d) => [d.payload.model_name, d.payload.retrain_requested]);
    expect(drift).toEqual([
      ['wine', true],
      ['wine', false],
      ['churn', true],
    ]);
    expect(of<{ model_name: string; reason: string; dataset: unknown }>(TOPICS.retrainRequested).map((r) => r.payload)).toEqual([
      expect.objectContaining({ model_name: 'wine', reason: 'drift', dataset: { source: 'feedback' }, test_size: 0.25 }),
      expect.objectContaining({ model_name: 'churn', reason: 'drift', dataset: { source: 'feedback' }, test_size: 0.25 }),
    ]);
  });

  it('checks drift per version against that version’s baselines', async () => {
    const { service, models, of } = harness();
    models.apply(record('wine', WINE, 1));
    // Version 2 was trained on proline 1400 higher: the shifted traffic is its own distribution.
    const v2 = record('wine', { ...WINE, means: [10, 2100, 1] }, 2);
    models.apply(v2);
    const shifted = gaussianRows(WINE, 200, 21, { proline: 1400 });
    for (let i = 0; i < shifted.length; i += 10) await service.observe([reply({ model: 'wine', spec: WINE, rows: shifted.slice(i, i + 10), version: 2 })]);
    expect(of(TOPICS.driftDetected)).toEqual([]);
    for (let i = 0; i < shifted.length; i += 10) await service.observe([reply({ model: 'wine', spec: WINE, rows: shifted.slice(i, i + 10), version: 1 })]);
    expect(of<Drift>(TOPICS.driftDetected).map((d) => [d.payload.model_version, d.payload.drifted_features])).toEqual([[1, ['proline']]]);
  });

  it('counts a request once by its event id, however often its reply is redelivered', async () => {
    const { service, models } = harness();
    models.apply(record('wine', WINE));
    const rows = gaussianRows(WINE, 5, 3);
    const first = reply({ model: 'wine', spec: WINE, rows, eventId: 'evt-once' });
    await service.observe([first, first]);
    // Redelivered in a new record (a new record event id), the request's own event id is the same.
    await service.observe([reply({ model: 'wine', spec: WINE, rows, eventId: 'evt-once' })]);
    expect(service.snapshot('wine')!.count).toBe(5);
    await service.observe([reply({ model: 'wine', spec: WINE, rows, eventId: 'evt-other' })]);
    expect(service.snapshot('wine')!.count).toBe(10);
  });

  it('monitors at most NAMED_MODELS_MONITORED models, dropping the least recently observed', async () => {
    const { service, models } = harness();
    const names = Array.from({ length: NAMED_MODELS_MONITORED + 1 }, (_, i) => `m${i}`);
    for (const name of names) models.apply(record(name, CHURN));
    const observe = (name: string) => service.observe([reply({ model: name, spec: CHURN, rows: gaussianRows(CHURN, 2, 5) })]);
    for (const name of names.slice(0, NAMED_MODELS_MONITORED)) await observe(name);
    expect(service.monitoredModels()).toEqual(names.slice(0, NAMED_MODELS_MONITORED));
    // m0 observed again is the most recent: m1 goes when m20 comes.
    await observe('m0');
    await observe('m20');
    expect(service.monitoredModels()).toHaveLength(NAMED_MODELS_MONITORED);
    expect(service.monitoredModels()).not.toContain('m1');
    expect(service.monitoredModels().slice(-2)).toEqual(['m0', 'm20']);
    expect(service.snapshot('m1')).toBeUndefined();
    // A dropped model starts a fresh window when it is observed again.
    await observe('m1');
    expect(service.snapshot('m1')!.count).toBe(2);
    expect(service.monitoredModels()).not.toContain('m2');
  });

  it('keeps all window buffers within NAMED_WINDOW_BUDGET_BYTES: the widest models serving three versions each', async () => {
    const { service, models } = harness({ STATS_WINDOW_SIZE: '500' });
    const wide: Spec = {
      features: Array.from({ length: MAX_FEATURES }, (_, j) => `f${j}`),
      classes: ['a', 'b'],
      means: new Array<number>(MAX_FEATURES).fill(0),
    };
    const perWindow = 500 * (MAX_FEATURES * 8 + 20);
    for (const name of ['w0', 'w1', 'w2']) for (const v of [1, 2, 3, 4]) models.apply(record(name, wide, v));
    for (const name of ['w0', 'w1', 'w2']) {
      for (const v of [1, 2, 3, 4]) {
        await service.observe([reply({ model: name, spec: wide, rows: gaussianRows(wide, 1, v), version: v })]);
        expect(service.windowBytes()).toBeLessThanOrEqual(NAMED_WINDOW_BUDGET_BYTES);
      }
    }
    // Three windows of 1000 features × 500 rows are 12 MB a model: two fit in 32 MiB, the third pushed out the oldest.
    expect(service.windowBytes()).toBe(2 * WINDOWS_PER_MONITOR * perWindow);
    expect(service.monitoredModels()).toEqual(['w1', 'w2']);
  });

  it('shrinks the window of a model that alone would pass the budget (a large STATS_WINDOW_SIZE)', async () => {
    const { service, models } = harness({ STATS_WINDOW_SIZE: '100000' });
    const wide: Spec = {
      features: Array.from({ length: MAX_FEATURES }, (_, j) => `f${j}`),
      classes: ['a', 'b'],
      means: new Array<number>(MAX_FEATURES).fill(0),
    };
    for (const v of [1, 2, 3]) {
      models.apply(record('wide', wide, v));
      await service.observe([reply({ model: 'wide', spec: wide, rows: gaussianRows(wide, 1, v), version: v })]);
    }
    expect(service.windowBytes()).toBeLessThanOrEqual(NAMED_WINDOW_BUDGET_BYTES);
    expect(service.windowBytes()).toBeGreaterThan(NAMED_WINDOW_BUDGET_BYTES * 0.99);
  });

  it('counts the windows a TrafficMonitor actually keeps: its three most recently served versions', () => {
    // The memory accounting above relies on this: a fourth version replaces a window, it adds none.
    const monitor = new TrafficMonitor({
      featureNames: [...FEATURE_NAMES],
      classNames: [...CLASS_NAMES],
      windowSize: 10,
      windowMs: 60_000,
      checkEvery: 1,
      detector: new DriftDetector(),
    });
    for (const v of [1, 2, 3, 4]) monitor.observe({ modelVersion: v, instances: [[5, 3, 1.5, 0.2]], classIds: [0], latencyMs: 1, at: 0 });
    expect([1, 2, 3, 4].map((v) => monitor.windowSize(v, 0))).toEqual([0, 1, 1, 1]);
    expect(WINDOWS_PER_MONITOR).toBe(3);
  });

  it('skips rows it cannot read (a version not yet in the registry view, rows not of its features) without stalling', async () => {
    const { service, models } = harness();
    await expect(service.observe([reply({ model: 'wine', spec: WINE, rows: gaussianRows(WINE, 3, 1) })])).resolves.toBeUndefined();
    expect(service.monitoredModels()).toEqual([]);
    models.apply(record('wine', WINE));
    await service.observe([reply({ model: 'wine', spec: CHURN, rows: gaussianRows(CHURN, 3, 1) })]);
    expect(service.monitoredModels()).toEqual([]);
    await service.observe([reply({ model: 'wine', spec: WINE, rows: gaussianRows(WINE, 3, 1) })]);
    expect(service.snapshot('wine')!.count).toBe(3);
  });

  it('publishes events the contracts accept, which still accept the default model’s without a model name', async () => {
    const { service, models, of } = harness();
    models.apply(record('wine', WINE));
    await send(service, 'wine', WINE, gaussianRows(WINE, 60, 1));
    await service.publishStats();
    const [named] = of<Stats>(TOPICS.inputStats).map((s) => s.payload);
    const { model_name: _name, ...unnamed } = named;
    expect(EVENTS[TOPICS.inputStats].schema.safeParse(unnamed).success).toBe(true);
    expect(EVENTS[TOPICS.inputStats].schema.safeParse({ ...named, model_name: 'Wine!' }).success).toBe(false);
  });

  it('starts a fresh window when a version changes the features, and forgets an archived model', async () => {
    const { service, models, of } = harness();
    models.apply(record('wine', WINE, 1));
    await send(service, 'wine', WINE, gaussianRows(WINE, 5, 1));
    const renamed: Spec = { ...WINE, features: ['x', 'proline', 'colour'] };
    models.apply(record('wine', renamed, 2));
    await service.observe([reply({ model: 'wine', spec: renamed, rows: gaussianRows(renamed, 2, 2), version: 2 })]);
    expect([service.snapshot('wine')!.count, Object.keys(service.snapshot('wine')!.features)]).toEqual([2, renamed.features]);
    models.apply(record('wine', renamed, 2, { deleted_at: '2026-01-02T00:00:00.000Z' }));
    await service.publishStats();
    expect(service.monitoredModels()).toEqual([]);
    expect(of(TOPICS.inputStats)).toEqual([]);
  });
});
