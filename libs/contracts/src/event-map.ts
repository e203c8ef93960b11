import type { z } from 'zod';
import { TOPICS, type Topic } from './topics';
import { predictionFailedSchema, predictionMadeSchema, predictionRequestedSchema } from './payloads/prediction';
import { predictionBatchMadeSchema, predictionBatchRequestedSchema } from './payloads/prediction-batch';
import { modelReadySchema, modelRegisteredSchema } from './payloads/model';
import { retrainFailedSchema, retrainRequestedSchema, trainingRunSchema } from './payloads/training';
import { deadLetterSchema, driftDetectedSchema, inputStatsSchema } from './payloads/monitoring';
import { feedbackReceivedSchema, labeledRowSchema } from './payloads/feedback';
import { liveEvaluationSchema, shadowPredictionSchema } from './payloads/live';
import { namedFeedbackReceivedSchema, namedLabeledRowSchema, namedLiveEvaluationSchema } from './payloads/named-feedback';
import { namedModelRegisteredSchema, namedModelRoutingSchema } from './payloads/named-model';
import { namedPredictionMadeSchema, namedPredictionRequestedSchema, namedShadowPredictionSchema } from './payloads/named-prediction';
import { modelDecisionSchema, modelRoutingSchema, registryCommandSchema } from './payloads/registry';

/** One event type and one payload schema per topic. */
export const EVENTS = {
  [TOPICS.predictionRequested]: { type: 'PredictionRequested', schema: predictionRequestedSchema },
  [TOPICS.predictionMade]: { type: 'PredictionMade', schema: predictionMadeSchema },
  [TOPICS.predictionBatchRequested]: { type: 'PredictionBatchRequested', schema: predictionBatchRequestedSchema },
  [TOPICS.predictionBatchMade]: { type: 'PredictionBatchMade', schema: predictionBatchMadeSchema },
  [TOPICS.predictionFailed]: { type: 'PredictionFailed', schema: predictionFailedSchema },
  [TOPICS.predictionShadow]: { type: 'ShadowPredictionMade', schema: shadowPredictionSchema },
  [TOPICS.feedback]: { type: 'FeedbackReceived', schema: feedbackReceivedSchema },
  [TOPICS.feedbackLabeled]: { type: 'RowLabeled', schema: labeledRowSchema },
  [TOPICS.registryCommand]: { type: 'RegistryCommandIssued', schema: registryCommandSchema },
  [TOPICS.modelRouting]: { type: 'ModelRoutingChanged', schema: modelRoutingSchema },
  [TOPICS.modelDecision]: { type: 'ModelDecisionMade', schema: modelDecisionSchema },
  [TOPICS.modelLive]: { type: 'LiveEvaluationUpdated', schema: liveEvaluationSchema },
  [TOPICS.retrainRequested]: { type: 'RetrainRequested', schema: retrainRequestedSchema },
  [TOPICS.trainingRun]: { type: 'TrainingRunRecorded', schema: trainingRunSchema },
  [TOPICS.retrainFailed]: { type: 'RetrainFailed', schema: retrainFailedSchema },
  [TOPICS.modelRegistered]: { type: 'ModelRegistered', schema: modelRegisteredSchema },
  [TOPICS.modelReady]: { type: 'ModelReady', schema: modelReadySchema },
  [TOPICS.inputStats]: { type: 'InputStatsComputed', schema: inputStatsSchema },
  [TOPICS.driftDetected]: { type: 'DriftDetected', schema: driftDetectedSchema },
  [TOPICS.deadLetter]: { type: 'DeadLettered', schema: deadLetterSchema },
  [TOPICS.namedModelRegistered]: { type: 'NamedModelRegistered', schema: namedModelRegisteredSchema },
  [TOPICS.namedPredictionRequested]: { type: 'NamedPredictionRequested', schema: namedPredictionRequestedSchema },
  [TOPICS.namedPredictionMade]: { type: 'NamedPredictionMade', schema: namedPredictionMadeSchema },
  [TOPICS.namedFeedback]: { type: 'NamedFeedbackReceived', schema: namedFeedbackReceivedSchema },
  [TOPICS.namedFeedbackLabeled]: { type: 'NamedRowLabeled', schema: namedLabeledRowSchema },
  [TOPICS.namedModelLive]: { type: 'NamedLiveEvaluationUpdated', schema: namedLiveEvaluationSchema },
  [TOPICS.namedModelRouting]: { type: 'NamedModelRoutingChanged', schema: namedModelRoutingSchema },
  [TOPICS.namedPredictionShadow]: { type: 'NamedShadowPredictionMade', schema: namedShadowPredictionSchema },
} as const satisfies Record<Topic, { type: string; schema: z.ZodType }>;

/** Payload type per topic: publishing the wrong payload on a topic does not compile. */
export type PayloadOf<T extends Topic> = z.output<(typeof EVENTS)[T]['schema']>;
