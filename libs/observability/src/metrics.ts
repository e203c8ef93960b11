import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process. In the embedded mode all four services share it, so each
 * metric is defined once here and labelled by what it measures, not by who records it.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
// /metrics is open to every prediction key: the exact runtime version would tell any of them
// which published vulnerabilities apply. Operators read it from the image instead.
metricsRegistry.removeSingleMetric('nodejs_version_info');

export const httpRequests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests by route, method and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

export const httpLatency = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request latency',
  labelNames: ['method', 'route'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const eventsConsumed = new Counter({
  name: 'events_consumed_total',
  help: 'Events consumed by topic, consumer group and outcome (ok, dead_lettered, retried)',
  labelNames: ['topic', 'group', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const eventsPublished = new Counter({
  name: 'events_published_total',
  help: 'Records published by topic (a batch record counts once, however many requests it carries)',
  labelNames: ['topic'] as const,
  registers: [metricsRegistry],
});

export const eventBytesPublished = new Counter({
  name: 'event_published_bytes_total',
  help: 'Bytes of the records published by topic: the JSON value, the key and the header names and values, as handed to the client (before Kafka batching and compression)',
  labelNames: ['topic'] as const,
  registers: [metricsRegistry],
});

export const consumerLag = new Gauge({
  name: 'kafka_consumer_lag',
  help: 'Messages behind the partition high watermark, per topic, partition and group',
  labelNames: ['topic', 'partition', 'group'] as const,
  registers: [metricsRegistry],
});

export const kafkaConsumerReplacements = new Counter({
  name: 'kafka_consumer_replacements_total',
  help: 'Kafka consumers replaced because they stayed out of their group (crashed and not back, or commits refused as from an unknown member) longer than the grace',
  labelNames: ['group'] as const,
  registers: [metricsRegistry],
});

export const namedPredictionsTotal = new Counter({
  name: 'named_predictions_total',
  help: 'Rows scored by named models, by model (the first NAMED_MODEL_LABELS names; the rest as _other) and version',
  labelNames: ['model', 'model_version'] as const,
  registers: [metricsRegistry],
});

/** Model names given a label of their own: a series per model and version must not grow without bound. */
export const NAMED_MODEL_LABELS = 100;
const labelledModels = new Set<string>();

export function countNamedPredictions(model: string, version: number, rows: number): void {
  if (!labelledModels.has(model) && labelledModels.size < NAMED_MODEL_LABELS) labelledModels.add(model);
  const labelled = labelledModels.has(model);
  namedPredictionsTotal.inc({ model: labelled ? model : '_other', model_version: labelled ? String(version) : '_other' }, rows);
}

export const namedDriftPsiMax = new Gauge({
  name: 'named_drift_psi_max',
  help: "Latest largest population stability index over a named model's features against its serving version's baseline, by model (the first NAMED_MODEL_LABELS names; the rest get no series)",
  labelNames: ['model'] as const,
  registers: [metricsRegistry],
});

/**
 * A named model's drift in one series per model, not per model and feature (100 models of 200
 * features would be 20,000 series); which features drifted is in its drift event. The names
 * labelled are the same bounded set as named_predictions_total's; a largest PSI over "the rest"
 * would mean nothing, so those models get no series.
 */
export function setNamedDriftPsiMax(model: string, psi: number): void {
  if (!labelledModels.has(model) && labelledModels.size < NAMED_MODEL_LABELS) labelledModels.add(model);
  if (labelledModels.has(model)) namedDriftPsiMax.set({ model }, psi);
}

export const namedLiveAccuracy = new Gauge({
  name: 'named_live_accuracy',
  help: "Accuracy of a named model's version on the labeled rows it served (ground-truth feedback), by model (the first NAMED_MODEL_LABELS names; the rest get no series) and version",
  labelNames: ['model', 'model_version'] as const,
  registers: [metricsRegistry],
});

export function setNamedLiveAccuracy(model: string, version: number, accuracy: number): void {
  if (!labelledModels.has(model) && labelledModels.size < NAMED_MODEL_LABELS) labelledModels.add(model);
  if (labelledModels.has(model)) namedLiveAccuracy.set({ model, model_version: String(version) }, accuracy);
}

export const predictionsTotal = new Counter({
  name: 'predictions_total',
  help: 'Scored instances by predicted class and model version',
  labelNames: ['class', 'model_version'] as const,
  registers: [metricsRegistry],
});

export const scoringLatency = new Histogram({
  name: 'scoring_duration_seconds',
  help: 'Time to score one prediction request (all its instances) in the worker',
  buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
  registers: [metricsRegistry],
});

export const currentModelVersion = new Gauge({
  name: 'model_current_version',
  help: 'Model version this process is serving (0 before one is loaded)',
  registers: [metricsRegistry],
});

export const driftScore = new Gauge({
  name: 'drift_psi',
  help: 'Latest population stability index per feature against the serving model baseline',
  labelNames: ['feature'] as const,
  registers: [metricsRegistry],
});

export const modelSwapLag = new Gauge({
  name: 'model_swap_lag_seconds',
  help: 'Time from a model-ready event being published to this process serving that model',
  registers: [metricsRegistry],
});

export const embeddedRecordsDropped = new Counter({
  name: 'embedded_records_dropped_total',
  help: 'Records the in-process bus dropped unread because a topic exceeded twice its retention',
  labelNames: ['topic'] as const,
  registers: [metricsRegistry],
});

export const unhandledRejections = new Counter({
  name: 'unhandled_rejections_total',
  help: 'Promise rejections nothing handled; each is logged with its request id and the process keeps serving',
  registers: [metricsRegistry],
});

export const liveAccuracy = new Gauge({
  name: 'live_accuracy',
  help: 'Accuracy of each model version on the labeled rows it served (ground-truth feedback)',
  labelNames: ['model_version'] as const,
  registers: [metricsRegistry],
});

export const liveLabeled = new Gauge({
  name: 'live_labeled_rows',
  help: 'Labeled rows joined with predictions, per model version that served them',
  labelNames: ['model_version'] as const,
  registers: [metricsRegistry],
});

export const feedbackTotal = new Counter({
  name: 'feedback_total',
  help: 'Feedback labels by outcome: joined with their prediction, pending (prediction not seen yet), duplicate, or rejected (no such row)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const grpcRequests = new Counter({
  name: 'grpc_requests_total',
  help: 'gRPC calls by method and status code',
  labelNames: ['method', 'code'] as const,
  registers: [metricsRegistry],
});

export const grpcLatency = new Histogram({
  name: 'grpc_request_duration_seconds',
  help: 'gRPC call latency',
  labelNames: ['method'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export const mlflowMirrorPending = new Gauge({
  name: 'mlflow_mirror_pending',
  help: 'Runs, model versions and alias sets the trainer has yet to write to MLflow (0 when in sync or the mirror is off)',
  registers: [metricsRegistry],
});

export const mlflowMirrorErrors = new Counter({
  name: 'mlflow_mirror_errors_total',
  help: 'MLflow writes that failed: retried (MLflow down, slow, 5xx, refusing credentials) or dropped (a request MLflow rejects; written again at the next start)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const predictionBatchRequests = new Histogram({
  name: 'prediction_batch_requests',
  help: 'Requests per batch record a gateway published (one Kafka record carries every request of one batching window)',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  registers: [metricsRegistry],
});

export const predictionBatchRows = new Histogram({
  name: 'prediction_batch_rows',
  help: 'Rows per batch record a gateway published',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 2000],
  registers: [metricsRegistry],
});

export const predictionBatchLimits = new Gauge({
  name: 'prediction_batch_limit',
  help: 'The gateway batching window and caps: max_delay_seconds (PREDICT_BATCH_MAX_DELAY_US), max_rows (PREDICT_BATCH_MAX_ROWS), max_reply_bytes',
  labelNames: ['limit'] as const,
  registers: [metricsRegistry],
});

export const grpcConnectionsOpen = new Gauge({
  name: 'grpc_connections_open',
  help: 'Connections held on the gRPC port: waiting for the HTTP/2 preface or handed to grpc-js',
  registers: [metricsRegistry],
});

export const grpcConnectionsRefused = new Counter({
  name: 'grpc_connections_refused_total',
  help: 'gRPC connections closed by the gate: max_connections (GRPC_MAX_CONNECTIONS), per_address (GRPC_MAX_CONNECTIONS_PER_ADDRESS), handshake (no HTTP/2 preface in time, or something else)',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const trainingRuns = new Counter({
  name: 'training_runs_total',
  help: 'Training runs the trainer finished, by outcome: promoted, rejected (the gate said no) or failed',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});
