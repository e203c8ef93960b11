/**
 * Every Kafka topic the platform uses. The version suffix is part of the name so a
 * breaking payload change ships as a new topic that old and new services can share
 * during a rollout.
 */
export const TOPICS = {
  /** v1: one record per request; still read (workers, monitor) during a rolling upgrade from gateways that send it. */
  predictionRequested: 'ml.prediction.requested.v1',
  predictionMade: 'ml.prediction.made.v1',
  /** v2: one record per batch of concurrent requests, answered with one record. */
  predictionBatchRequested: 'ml.prediction.requested.v2',
  predictionBatchMade: 'ml.prediction.made.v2',
  predictionFailed: 'ml.prediction.failed.v1',
  predictionShadow: 'ml.prediction.shadow.v1',
  feedback: 'ml.feedback.v1',
  feedbackLabeled: 'ml.feedback.labeled.v1',
  registryCommand: 'ml.registry.command.v1',
  modelRouting: 'ml.model.routing.v1',
  modelDecision: 'ml.model.decision.v1',
  modelLive: 'ml.model.live.v1',
  retrainRequested: 'ml.retrain.requested.v1',
  trainingRun: 'ml.training.run.v1',
  retrainFailed: 'ml.retrain.failed.v1',
  modelRegistered: 'ml.model.registered.v1',
  modelReady: 'ml.model.ready.v1',
  inputStats: 'ml.monitoring.input-stats.v1',
  driftDetected: 'ml.monitoring.drift.v1',
  deadLetter: 'ml.dead-letter.v1',
  /** Named models (any name but the default model's): their registry and their predictions. */
  namedModelRegistered: 'ml.models.registered.v1',
  namedPredictionRequested: 'ml.models.prediction.requested.v1',
  namedPredictionMade: 'ml.models.prediction.made.v1',
  /** Named models' ground truth, labeled rows and live figures, as the default model's. */
  namedFeedback: 'ml.models.feedback.v1',
  namedFeedbackLabeled: 'ml.models.feedback.labeled.v1',
  namedModelLive: 'ml.models.live.v1',
  namedModelRouting: 'ml.models.routing.v1',
  namedPredictionShadow: 'ml.models.prediction.shadow.v1',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type Topic = (typeof TOPICS)[TopicKey];

export interface TopicSpec {
  partitions: number;
  /** Compacted topics are state: the newest record per key is what a fresh reader needs. */
  compacted: boolean;
}

/** Partition counts bound how many workers of one consumer group can share the load. */
export const TOPIC_SPECS: Record<Topic, TopicSpec> = {
  [TOPICS.predictionRequested]: { partitions: 6, compacted: false },
  [TOPICS.predictionMade]: { partitions: 6, compacted: false },
  [TOPICS.predictionBatchRequested]: { partitions: 6, compacted: false },
  [TOPICS.predictionBatchMade]: { partitions: 6, compacted: false },
  [TOPICS.predictionFailed]: { partitions: 1, compacted: false },
  [TOPICS.predictionShadow]: { partitions: 6, compacted: false },
  [TOPICS.feedback]: { partitions: 6, compacted: false },
  // Keyed by request and row: the newest record per labeled row is what the monitor and trainer replay.
  [TOPICS.feedbackLabeled]: { partitions: 1, compacted: true },
  // One partition: the registry owner applies commands one at a time, in order.
  [TOPICS.registryCommand]: { partitions: 1, compacted: false },
  [TOPICS.modelRouting]: { partitions: 1, compacted: true },
  [TOPICS.modelDecision]: { partitions: 1, compacted: false },
  [TOPICS.modelLive]: { partitions: 1, compacted: true },
  [TOPICS.retrainRequested]: { partitions: 1, compacted: false },
  [TOPICS.trainingRun]: { partitions: 1, compacted: true },
  [TOPICS.retrainFailed]: { partitions: 1, compacted: false },
  [TOPICS.modelRegistered]: { partitions: 1, compacted: true },
  [TOPICS.modelReady]: { partitions: 1, compacted: true },
  [TOPICS.inputStats]: { partitions: 1, compacted: false },
  [TOPICS.driftDetected]: { partitions: 1, compacted: false },
  [TOPICS.deadLetter]: { partitions: 1, compacted: false },
  // Keyed name/version: the newest record per version of every named model.
  [TOPICS.namedModelRegistered]: { partitions: 1, compacted: true },
  [TOPICS.namedPredictionRequested]: { partitions: 6, compacted: false },
  [TOPICS.namedPredictionMade]: { partitions: 6, compacted: false },
  [TOPICS.namedFeedback]: { partitions: 6, compacted: false },
  // Keyed model/request/row, and name/version: the newest record per labeled row and per version.
  [TOPICS.namedFeedbackLabeled]: { partitions: 1, compacted: true },
  [TOPICS.namedModelLive]: { partitions: 1, compacted: true },
  // Keyed by name: one writer (the trainer), in order.
  [TOPICS.namedModelRouting]: { partitions: 1, compacted: true },
  [TOPICS.namedPredictionShadow]: { partitions: 6, compacted: false },
};

export const ALL_TOPICS = Object.values(TOPICS) as Topic[];

/** Kafka header names; the request id rides in headers so it survives any payload. */
export const HEADERS = {
  requestId: 'x-request-id',
  clientRequestId: 'x-client-request-id',
  eventType: 'x-event-type',
  producer: 'x-producer',
  /** W3C trace context of the span that produced the record (when tracing is on). */
  traceparent: 'traceparent',
} as const;
