import { ALL_TOPICS, EVENTS, TOPICS, createEnvelope, decodeEvent, resultViews, featureVector, type Features, type PayloadOf, type Topic } from '@app/contracts';
import {
  CLASS_NAMES,
  DriftDetector,
  FEATURE_NAMES,
  IRIS_ROWS,
  MAX_FEATURES,
  MAX_NAME_CHARS,
  compileScorer,
  computeFeatureBaselines,
  irisDataset,
  type ClassName,
} from '@app/model';
import { modelChecksum, trainModel } from '@app/training';
import {
  batchDocuments,
  eventDocument,
  namedPredictionDocuments,
  namedShadowDocuments,
  predictionDocuments,
  shadowDocuments,
  type IndexDocument,
} from './event-documents';
import { ADDED_COMMON_FIELDS, indexTemplates } from './index-templates';
import { TrafficMonitor } from './traffic-monitor';

const AT = new Date('2026-03-04T12:00:00.000Z');
const trained = trainModel(
  irisDataset(),
  { testSize: 0.2, randomState: 42, hyperparameters: { var_smoothing: 1e-9 } },
  { minAccuracy: 0.9, maxRegression: 0.02, minHoldoutRows: 1, maxReferenceRegression: 1 },
  null,
);
const model = {
  version: 2,
  run_id: 'run-2',
  trained_at: AT.toISOString(),
  checksum: modelChecksum(trained.params),
  params: trained.params,
  metrics: trained.evaluation,
  baselines: trained.baselines,
};

const score = compileScorer(trained.params);
const instances = IRIS_ROWS.filter((_, i) => i % 50 === 0).map((r) => Object.fromEntries(FEATURE_NAMES.map((f, j) => [f, r.features[j]])) as Features);
const predictions = instances.map((x) => {
  const s = score(featureVector(x));
  return {
    prediction: s.className as ClassName,
    class_id: s.classId,
    probability: s.probability,
    probabilities: Object.fromEntries(CLASS_NAMES.map((c, k) => [c, s.probabilities[k]])) as Record<ClassName, number>,
  };
});

// Window statistics and drift scores from the real monitor, fed the whole iris table.
const monitor = new TrafficMonitor({
  featureNames: [...FEATURE_NAMES],
  classNames: [...CLASS_NAMES],
  windowSize: 500,
  windowMs: 60_000,
  checkEvery: 150,
  detector: new DriftDetector({ minWindow: 150 }),
});
monitor.observe({
  modelVersion: 2,
  instances: IRIS_ROWS.map((r) => [...r.features]),
  classIds: IRIS_ROWS.map((r) => CLASS_NAMES.indexOf(r.label)),
  latencyMs: 0.8,
  at: AT.getTime(),
});
monitor.checkDrift(2, trained.baselines, AT.getTime());
const stats = monitor.snapshot(AT.getTime());
if (!stats.drift) throw new Error('the stats fixture needs evaluated drift scores');

const run = {
  job_id: 'job-9',
  run_id: 'run-2',
  status: 'promoted' as const,
  params: { test_size: 0.2, random_state: 42, var_smoothing: 1e-9, dataset: 'iris', reason: 'drift' as const },
  dataset: { sha256: 'ab'.repeat(32), rows: 150, class_counts: { setosa: 50, versicolor: 50, virginica: 50 } },
  metrics: trained.evaluation,
  current_model_accuracy_on_holdout: 0.9,
  model_version: 2,
  artifact_checksum: model.checksum,
  code_version: '1a2b3c',
  started_at: AT.toISOString(),
  finished_at: AT.toISOString(),
  duration_ms: 412.5,
  outcome_reason: trained.decision.reason,
};

/** Names the default model's mapping could never take as fields: dots (object paths), spaces, non-ASCII, the longest allowed. */
const NAMED_FEATURES = ['petal.length (cm)', 'größe', 'x'.repeat(200)];

function namedVersion(deletedAt: string | null): PayloadOf<typeof TOPICS.namedModelRegistered> {
  return {
    version: 2,
    status: 'current',
    status_reason: trained.decision.reason,
    parent_version: 1,
    job_id: 'job-9',
    registered_at: AT.toISOString(),
    model,
    model_name: 'churn',
    schema: { label: 'churned', features: NAMED_FEATURES.map((name) => ({ name, min: 0, max: 10 })), reference: { dataset: 'churn.csv', label: 'churned' } },
    deleted_at: deletedAt,
  };
}

function namedReply(features: string[]): PayloadOf<typeof TOPICS.namedPredictionMade> {
  const row = (k: number) => Object.fromEntries(features.map((f, j) => [f, k + j / 10]));
  const scored = (prediction: string, classId: number) => ({
    prediction,
    class_id: classId,
    probability: 0.75,
    probabilities: { 'will churn': classId === 1 ? 0.75 : 0.25, 'stays.put': classId === 0 ? 0.75 : 0.25 },
  });
  return {
    worker: 'worker-a',
    reply_to: 'gateway-1',
    results: [
      {
        outcome: 'scored',
        request_id: 'req-n',
        event_id: 'evt-n',
        model: 'churn',
        instances: [row(1), row(2)],
        predictions: [scored('will churn', 1), scored('stays.put', 0)],
        model_version: 2,
        scoring_latency_ms: 0.4,
      },
      { outcome: 'failed', request_id: 'req-m', event_id: 'evt-m', model: 'churn', error: 'invalid_instances', reason: 'row 0 lacks tenure', rows: 2 },
    ],
  };
}

/**
 * A named model's window statistics from the real monitor, by any names: its drift scores
 * evaluated (`drift` set) or not yet (null), with the model's name.
 */
function namedStats(features: string[], classes: string[], evaluated: boolean): PayloadOf<typeof TOPICS.inputStats> {
  const rows = Array.from({ length: 150 }, (_, i) => features.map((_f, j) => ((i * (j + 3)) % 17) + j / 10));
  const named = new TrafficMonitor({
    featureNames: features,
    classNames: classes,
    windowSize: 500,
    windowMs: 60_000,
    checkEvery: 150,
    detector: new DriftDetector({ minWindow: 150 }),
  });
  named.observe({ modelVersion: 2, instances: rows, classIds: rows.map((_, i) => i % classes.length), latencyMs: 0.6, at: AT.getTime() });
  if (evaluated) named.checkDrift(2, computeFeatureBaselines(rows, features), AT.getTime());
  const snapshot = named.snapshot(AT.getTime());
  if (evaluated !== (snapshot.drift !== null)) throw new Error('the named stats fixture needs drift scores evaluated as asked');
  return { model_name: 'churn', ...snapshot };
}
const NAMED_CLASSES = ['will churn', 'stays.put'];

function namedDrift(features: string[]): PayloadOf<typeof TOPICS.driftDetected> {
  const scores = namedStats(features, NAMED_CLASSES, true).drift!;
  return {
    model_name: 'churn',
    model_version: 2,
    window_size: 150,
    drifted_features: [features[0]],
    features: { ...scores, [features[0]]: { ...scores[features[0]], drifted: true } },
    retrain_requested: false,
  };
}

const CASES: Array<[string, Topic, PayloadOf<Topic>]> = [
  ['prediction request', TOPICS.predictionRequested, { instances, reply_to: 'gateway-1' }],
  [
    'prediction batch',
    TOPICS.predictionMade,
    { instances, predictions, model_version: 2, scoring_latency_ms: 0.31, worker: 'worker-a', reply_to: 'gateway-1' },
  ],
  [
    'prediction batch reply',
    TOPICS.predictionBatchMade,
    {
      worker: 'worker-a',
      reply_to: 'gateway-1',
      results: [
        {
          outcome: 'scored',
          request_id: 'req-a',
          client_request_id: 'client-a',
          event_id: 'evt-a',
          instances,
          predictions,
          model_version: 2,
          scoring_latency_ms: 0.2,
        },
        { outcome: 'failed', request_id: 'req-b', event_id: 'evt-b', error: 'unknown_model_version', reason: 'model version 9 is not registered', rows: 2 },
      ],
    },
  ],
  [
    'prediction failure',
    TOPICS.predictionFailed,
    { error: 'reply_too_large', reason: 'record of 2000000 bytes exceeds the limit', rows: 1000, worker: 'worker-a', reply_to: 'gateway-1' },
  ],
  ['shadow prediction', TOPICS.predictionShadow, { instances, predictions, model_version: 3, serving_version: 2, worker: 'worker-a' }],
  ['feedback', TOPICS.feedback, { request_id: 'req-7', row: 0, label: 'virginica' }],
  [
    'joined label',
    TOPICS.feedbackLabeled,
    {
      request_id: 'req-7',
      row: 0,
      label: 'virginica',
      labeled_at: AT.toISOString(),
      joined: true,
      served_version: 2,
      predicted: 'versicolor',
      input: instances[0],
      predicted_at: AT.toISOString(),
    },
  ],
  [
    'waiting label',
    TOPICS.feedbackLabeled,
    {
      request_id: 'req-8',
      row: 2,
      label: 'setosa',
      labeled_at: AT.toISOString(),
      joined: false,
      served_version: null,
      predicted: null,
      input: null,
      predicted_at: null,
    },
  ],
  [
    'registry command',
    TOPICS.registryCommand,
    { command_id: 'c-1', action: 'canary_start', version: 3, percent: 10, reason: 'try it', source: 'manual', incumbent_version: null, evidence: null },
  ],
  [
    'routing',
    TOPICS.modelRouting,
    {
      current_version: 2,
      previous_version: 1,
      current_since: AT.toISOString(),
      shadow_version: 3,
      canary: { version: 4, percent: 12.5 },
      updated_at: AT.toISOString(),
    },
  ],
  [
    'automatic rollback',
    TOPICS.modelDecision,
    {
      command_id: 'c-2',
      action: 'rollback',
      source: 'auto',
      outcome: 'applied',
      version: 1,
      previous_version: 2,
      reason: 'version 1 beat current version 2',
      evidence: {
        test: 'mcnemar-exact',
        labeled: 40,
        challenger_only_correct: 30,
        incumbent_only_correct: 0,
        incumbent_accuracy: 0.25,
        challenger_accuracy: 1,
        p_value: 1.862645149230957e-9,
        alpha: 0.01,
      },
      decided_at: AT.toISOString(),
    },
  ],
  [
    'live evaluation',
    TOPICS.modelLive,
    {
      version: 2,
      labeled: 300,
      correct: 288,
      accuracy: 0.96,
      accuracy_ci95: [0.931, 0.977],
      per_class_recall: { setosa: 1, versicolor: 0.94, virginica: null },
      confusion_matrix: [
        [100, 0, 0],
        [0, 94, 6],
        [0, 6, 94],
      ],
      comparisons: [{ other_version: 3, compared: 300, agreement: 0.99, labeled: 300, accuracy: 0.96, other_accuracy: 0.95 }],
      updated_at: AT.toISOString(),
    },
  ],
  ['named feedback', TOPICS.namedFeedback, { model_name: 'wine', request_id: 'req-9', row: 1, label: 'class_2' }],
  [
    "named model's joined label",
    TOPICS.namedFeedbackLabeled,
    {
      model_name: 'wine',
      request_id: 'req-9',
      row: 1,
      label: 'class_2',
      labeled_at: AT.toISOString(),
      joined: true,
      served_version: 3,
      predicted: 'class_1',
      input: { alcohol: 13.2, 'od280/od315_of_diluted_wines': 2.9 },
      predicted_at: AT.toISOString(),
    },
  ],
  [
    "named model's live evaluation",
    TOPICS.namedModelLive,
    {
      model_name: 'wine',
      version: 3,
      labeled: 2,
      correct: 1,
      accuracy: 0.5,
      accuracy_ci95: [0.095, 0.905],
      per_class_recall: { class_1: 1, class_2: 0, class_3: null },
      confusion_matrix: [
        [1, 0, 0],
        [1, 0, 0],
        [0, 0, 0],
      ],
      comparisons: [],
      updated_at: AT.toISOString(),
    },
  ],
  [
    "named model's routing",
    TOPICS.namedModelRouting,
    {
      model_name: 'wine',
      current_version: 2,
      previous_version: 1,
      current_since: AT.toISOString(),
      shadow_version: 4,
      canary: { version: 3, percent: 25 },
      updated_at: AT.toISOString(),
    },
  ],
  [
    "named model's shadow scores",
    TOPICS.namedPredictionShadow,
    {
      model: 'wine',
      instances: [{ alcohol: 13.2, proline: 1050 }],
      predictions: [{ prediction: 'class_0', class_id: 0, probability: 0.9, probabilities: { class_0: 0.9, class_1: 0.1 } }],
      model_version: 4,
      serving_version: 2,
      worker: 'worker-a',
    },
  ],
  ['retrain request', TOPICS.retrainRequested, { job_id: 'job-9', test_size: 0.25, dataset: { source: 'iris' }, reason: 'drift' }],
  ['retrain request without reason', TOPICS.retrainRequested, { job_id: 'job-10' }],
  ['finished training run', TOPICS.trainingRun, run],
  [
    'running training run',
    TOPICS.trainingRun,
    {
      ...run,
      status: 'running',
      dataset: null,
      metrics: null,
      current_model_accuracy_on_holdout: null,
      model_version: null,
      artifact_checksum: null,
      finished_at: null,
      duration_ms: null,
      outcome_reason: null,
    },
  ],
  ['failed retrain', TOPICS.retrainFailed, { job_id: 'job-9', reason: 'dataset has only 3 rows' }],
  [
    'model registration',
    TOPICS.modelRegistered,
    { version: 2, status: 'current', status_reason: trained.decision.reason, parent_version: 1, job_id: 'job-9', registered_at: AT.toISOString(), model },
  ],
  ['model ready', TOPICS.modelReady, { model, reason: 'retrain' }],
  ['input statistics', TOPICS.inputStats, stats],
  [
    'input statistics before any traffic',
    TOPICS.inputStats,
    new TrafficMonitor({
      featureNames: [...FEATURE_NAMES],
      classNames: [...CLASS_NAMES],
      windowSize: 10,
      windowMs: 1,
      checkEvery: 1,
      detector: new DriftDetector(),
    }).snapshot(0),
  ],
  [
    'drift detection',
    TOPICS.driftDetected,
    {
      model_version: 2,
      window_size: 150,
      drifted_features: ['petal_length'],
      features: { ...stats.drift, petal_length: { ...stats.drift.petal_length, drifted: true } },
      retrain_requested: true,
    },
  ],
  [
    'dead letter',
    TOPICS.deadLetter,
    {
      source_topic: TOPICS.predictionRequested,
      partition: 3,
      offset: '1207',
      consumer_group: 'inference-worker.ml.prediction.requested.v1',
      reason: 'invalid JSON: Unexpected end of JSON input',
      key: 'k1',
      value: '{"a"',
      headers: { 'x-request-id': 'req-1' },
    },
  ],
  ['named training run', TOPICS.trainingRun, { ...run, model_name: 'churn' }],
  [
    'named model decision',
    TOPICS.modelDecision,
    {
      command_id: 'c-3',
      model_name: 'churn',
      action: 'archive_model',
      source: 'manual',
      outcome: 'applied',
      version: null,
      previous_version: null,
      reason: 'retired',
      evidence: null,
      decided_at: AT.toISOString(),
    },
  ],
  [
    'named registry command',
    TOPICS.registryCommand,
    {
      command_id: 'c-3',
      model_name: 'churn',
      action: 'archive_model',
      version: null,
      percent: null,
      reason: 'retired',
      source: 'manual',
      incumbent_version: null,
      evidence: null,
    },
  ],
  ['named model registration', TOPICS.namedModelRegistered, namedVersion(null)],
  ['archived named model version', TOPICS.namedModelRegistered, namedVersion(AT.toISOString())],
  ['named prediction reply', TOPICS.namedPredictionMade, namedReply(NAMED_FEATURES)],
  ['named input statistics', TOPICS.inputStats, namedStats(NAMED_FEATURES, NAMED_CLASSES, true)],
  ['named input statistics before drift is evaluated', TOPICS.inputStats, namedStats(NAMED_FEATURES, NAMED_CLASSES, false)],
  ['named drift detection', TOPICS.driftDetected, namedDrift(NAMED_FEATURES)],
];

const documentsOf = (topic: Topic, payload: unknown): IndexDocument[] => {
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const env = createEnvelope(EVENTS[topic].type, payload, { requestId: 'req-1', producer: 'test', eventId: `evt-${topic}`, occurredAt: AT, traceparent });
  const decoded = decodeEvent(topic, JSON.stringify(env));
  if (!decoded.ok) throw new Error(`fixture for ${topic} is not a valid event: ${decoded.reason}`);
  if (topic === TOPICS.predictionMade) return predictionDocuments(decoded.event as never);
  if (topic === TOPICS.predictionBatchMade) return batchDocuments(resultViews(decoded.event as never));
  if (topic === TOPICS.predictionShadow) return shadowDocuments(decoded.event as never);
  if (topic === TOPICS.namedPredictionMade) return namedPredictionDocuments(decoded.event as never);
  if (topic === TOPICS.namedPredictionShadow) return namedShadowDocuments(decoded.event as never);
  return [eventDocument(topic, decoded.event)];
};

interface Field {
  type?: string;
  properties?: Record<string, Field>;
}
const FITS: Record<string, (v: unknown) => boolean> = {
  float: (v) => typeof v === 'number' && Number.isFinite(v),
  double: (v) => typeof v === 'number' && Number.isFinite(v),
  integer: (v) => Number.isInteger(v),
  keyword: (v) => typeof v === 'string',
  text: (v) => typeof v === 'string',
  date: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  boolean: (v) => typeof v === 'boolean',
};
/**
 * What Elasticsearch would refuse under `dynamic: strict` (unmapped paths, values the mapped type
 * cannot hold), and objects in an array outside a nested field, which it would flatten: a query
 * for a feature's name and value could then match one entry's name and another's value.
 */
function misfits(value: unknown, field: Field | undefined, path: string): string[] {
  if (!field) return [`${path} is not mapped`];
  if (value === null) return [];
  if (Array.isArray(value)) {
    const flattened = field.type !== 'nested' && value.some((v) => typeof v === 'object' && v !== null);
    return [...(flattened ? [`${path} holds objects but is not nested`] : []), ...value.flatMap((v) => misfits(v, field, path))];
  }
  if (field.properties) {
    if (typeof value !== 'object') return [`${path} = ${JSON.stringify(value)} is not an object`];
    return Object.entries(value as object).flatMap(([k, v]) => misfits(v, field.properties![k], path ? `${path}.${k}` : k));
  }
  return FITS[field.type!]?.(value) ? [] : [`${path} = ${JSON.stringify(value)} does not fit ${field.type}`];
}

const templates = new Map(indexTemplates('mlops').map((t) => [t.name, t]));

describe('indexTemplates', () => {
  it('gives every kind a strict template matching its daily indices', () => {
    expect([...templates.values()].map((t) => [t.name, t.index_patterns, t.template.mappings.dynamic])).toEqual(
      ['predictions', 'shadow', 'feedback', 'live', 'stats', 'drift', 'models', 'events'].map((k) => [`mlops-${k}`, [`mlops-${k}-*`], 'strict']),
    );
  });

  it('has a fixture for every topic', () => {
    // A batch request is never indexed: each of its requests is, as its prediction.
    const requests = new Set<Topic>([TOPICS.predictionBatchRequested, TOPICS.namedPredictionRequested]);
    expect(new Set(CASES.map(([, topic]) => topic))).toEqual(new Set(ALL_TOPICS.filter((t) => !requests.has(t))));
  });

  it.each(CASES)('maps every field of the %s document with a type that fits its value', (_label, topic, payload) => {
    const docs = documentsOf(topic, payload);
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const template = templates.get(`mlops-${doc.kind}`)!;
      const body = JSON.parse(JSON.stringify(doc.body)) as unknown;
      expect({ kind: doc.kind, misfits: misfits(body, template.template.mappings as Field, '') }).toEqual({ kind: doc.kind, misfits: [] });
    }
  });

  it('declares every field added since the first release in every template, as the upgrade puts it on older indices', () => {
    for (const t of templates.values()) {
      const properties = t.template.mappings.properties as Record<string, unknown>;
      expect({ template: t.name, fields: Object.fromEntries(Object.keys(t.added).map((f) => [f, properties[f]])) }).toEqual({
        template: t.name,
        fields: t.added,
      });
      expect(t.added).toMatchObject(ADDED_COMMON_FIELDS);
    }
  });

  it("adds a named model's fields to the older indices of their kinds only (the stats and drift indices map features as objects, so theirs have names of their own)", () => {
    expect(Object.fromEntries([...templates.values()].map((t) => [t.name, Object.keys(t.added).sort()]))).toEqual({
      'mlops-predictions': ['class_probabilities', 'features', 'model', 'trace_id'],
      'mlops-shadow': ['features', 'model', 'trace_id'],
      'mlops-feedback': ['features', 'model', 'trace_id'],
      'mlops-live': ['class_recall', 'model', 'trace_id'],
      'mlops-stats': ['class_shares', 'feature_stats', 'model', 'trace_id'],
      'mlops-drift': ['feature_stats', 'model', 'trace_id'],
      'mlops-models': ['deleted_at', 'feature_names', 'model', 'trace_id'],
      'mlops-events': ['model', 'trace_id'],
    });
  });

  it('flags a field the strict mapping does not declare and a value its type cannot hold', () => {
    const [doc] = documentsOf(TOPICS.retrainFailed, { job_id: 'job-9', reason: 'x' });
    const mapping = templates.get('mlops-models')!.template.mappings as Field;
    expect(misfits({ ...doc.body, extra: 1, accuracy: 'high' }, mapping, '')).toEqual(['extra is not mapped', 'accuracy = "high" does not fit float']);
  });

  it('puts each topic in the index of its kind', () => {
    const kinds = Object.fromEntries(CASES.map(([, topic, payload]) => [topic, documentsOf(topic, payload)[0].kind]));
    expect(kinds).toEqual({
      [TOPICS.predictionRequested]: 'events',
      [TOPICS.predictionMade]: 'predictions',
      [TOPICS.predictionBatchMade]: 'predictions',
      [TOPICS.predictionFailed]: 'events',
      [TOPICS.predictionShadow]: 'shadow',
      [TOPICS.feedback]: 'events',
      [TOPICS.feedbackLabeled]: 'feedback',
      [TOPICS.registryCommand]: 'events',
      [TOPICS.modelRouting]: 'models',
      [TOPICS.modelDecision]: 'models',
      [TOPICS.modelLive]: 'live',
      [TOPICS.retrainRequested]: 'events',
      [TOPICS.trainingRun]: 'models',
      [TOPICS.retrainFailed]: 'models',
      [TOPICS.modelRegistered]: 'models',
      [TOPICS.modelReady]: 'models',
      [TOPICS.inputStats]: 'stats',
      [TOPICS.driftDetected]: 'drift',
      [TOPICS.deadLetter]: 'events',
      [TOPICS.namedModelRegistered]: 'models',
      [TOPICS.namedPredictionMade]: 'predictions',
      [TOPICS.namedFeedback]: 'events',
      [TOPICS.namedFeedbackLabeled]: 'feedback',
      [TOPICS.namedModelLive]: 'live',
      [TOPICS.namedModelRouting]: 'models',
      [TOPICS.namedPredictionShadow]: 'shadow',
    });
  });

  it("fits a named model's row of the most features of the longest names without a field per feature", () => {
    const features = Array.from({ length: MAX_FEATURES }, (_, j) => `${j}`.padStart(MAX_NAME_CHARS, 'f'));
    const [first] = documentsOf(TOPICS.namedPredictionMade, namedReply(features));
    expect((first.body.features as unknown[]).length).toBe(MAX_FEATURES);
    const mapping = templates.get('mlops-predictions')!.template.mappings as Field;
    expect(misfits(JSON.parse(JSON.stringify(first.body)), mapping, '')).toEqual([]);
  });

  it("maps a named row's features and class probabilities as nested name/value entries", () => {
    const properties = templates.get('mlops-predictions')!.template.mappings.properties as Record<string, unknown>;
    expect([properties.features, properties.class_probabilities]).toEqual([
      { type: 'nested', properties: { name: { type: 'keyword' }, value: { type: 'double' } } },
      { type: 'nested', properties: { class: { type: 'keyword' }, probability: { type: 'float' } } },
    ]);
  });

  it("fits a named model's statistics and drift of the most features of the longest names, with the default model's iris-keyed fields left out", () => {
    const features = Array.from({ length: MAX_FEATURES }, (_, j) => `${j}`.padStart(MAX_NAME_CHARS, 'f'));
    const classes = Array.from({ length: 20 }, (_, k) => `${k}`.padStart(MAX_NAME_CHARS, 'c'));
    const [stats] = documentsOf(TOPICS.inputStats, namedStats(features, classes, true));
    const [drift] = documentsOf(TOPICS.driftDetected, namedDrift(features));
    expect([(stats.body.feature_stats as unknown[]).length, (stats.body.class_shares as unknown[]).length]).toEqual([MAX_FEATURES, 20]);
    expect((drift.body.feature_stats as unknown[]).length).toBe(MAX_FEATURES);
    for (const doc of [stats, drift]) {
      expect(doc.body.model).toBe('churn');
      expect(['features', 'class_mix', 'drift'].filter((f) => f in doc.body)).toEqual([]);
      const mapping = templates.get(`mlops-${doc.kind}`)!.template.mappings as Field;
      expect(misfits(JSON.parse(JSON.stringify(doc.body)), mapping, '')).toEqual([]);
    }
  });

  it("would refuse a named model's statistics in the default model's shape: its features are not iris's", () => {
    const [doc] = documentsOf(TOPICS.inputStats, namedStats(NAMED_FEATURES, NAMED_CLASSES, true));
    const { feature_stats: _features, class_shares: _classes, ...rest } = doc.body;
    const p = namedStats(NAMED_FEATURES, NAMED_CLASSES, true);
    const asDefault = { ...rest, features: p.features, class_mix: p.class_mix };
    const mapping = templates.get('mlops-stats')!.template.mappings as Field;
    expect(misfits(JSON.parse(JSON.stringify(asDefault)), mapping, '')).toEqual([
      ...NAMED_FEATURES.map((f) => `features.${f} is not mapped`),
      ...NAMED_CLASSES.map((c) => `class_mix.${c} is not mapped`),
    ]);
  });

  it("maps a named model's per-feature statistics and drift and its class shares as nested entries", () => {
    const stats = templates.get('mlops-stats')!.template.mappings.properties as Record<string, unknown>;
    const drift = templates.get('mlops-drift')!.template.mappings.properties as Record<string, unknown>;
    const entry = {
      type: 'nested',
      properties: {
        name: { type: 'keyword' },
        count: { type: 'integer' },
        mean: { type: 'float' },
        std: { type: 'float' },
        min: { type: 'float' },
        max: { type: 'float' },
        psi: { type: 'float' },
        ks: { type: 'float' },
        p_value: { type: 'float' },
        drifted: { type: 'boolean' },
      },
    };
    expect([stats.feature_stats, stats.class_shares, drift.feature_stats]).toEqual([
      entry,
      { type: 'nested', properties: { class: { type: 'keyword' }, share: { type: 'float' } } },
      entry,
    ]);
  });

  it('flags objects in an array of a field that is not nested, which Elasticsearch would flatten', () => {
    const [doc] = documentsOf(TOPICS.namedPredictionMade, namedReply(NAMED_FEATURES));
    const mapping = templates.get('mlops-predictions')!.template.mappings as unknown as Field & { properties: Record<string, Field> };
    const flat = { ...mapping, properties: { ...mapping.properties, features: { properties: mapping.properties.features.properties } } };
    expect(misfits(JSON.parse(JSON.stringify(doc.body)), flat, '')).toEqual(['features holds objects but is not nested']);
  });

  it('names the model in every document that concerns one', () => {
    const unnamed = CASES.flatMap(([label, topic, payload]) => documentsOf(topic, payload).map((d) => [label, d.body.model]))
      .filter(([, name]) => typeof name !== 'string')
      .map(([label]) => label);
    expect(new Set(unnamed)).toEqual(new Set(['failed retrain', 'dead letter']));
    expect(documentsOf(TOPICS.trainingRun, { ...run, model_name: 'churn' })[0].body.model).toBe('churn');
    expect(documentsOf(TOPICS.predictionBatchMade, CASES[2][2]).map((d) => d.body.model)).toEqual([...instances.map(() => 'iris'), 'iris']);
  });
});
