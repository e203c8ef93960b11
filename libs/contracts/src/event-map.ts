import type { z } from 'zod';
import { TOPICS, type Topic } from './topics';
import { predictionFailedSchema, predictionMadeSchema, predictionRequestedSchema } from './payloads/prediction';
import { modelReadySchema, modelRegisteredSchema } from './payloads/model';
import { retrainFailedSchema, retrainRequestedSchema, trainingRunSchema } from './payloads/training';
import { deadLetterSchema, driftDetectedSchema, inputStatsSchema } from './payloads/monitoring';

/** One event type and one payload schema per topic. */
export const EVENTS = {
  [TOPICS.predictionRequested]: { type: 'PredictionRequested', schema: predictionRequestedSchema },
  [TOPICS.predictionMade]: { type: 'PredictionMade', schema: predictionMadeSchema },
  [TOPICS.predictionFailed]: { type: 'PredictionFailed', schema: predictionFailedSchema },
  [TOPICS.retrainRequested]: { type: 'RetrainRequested', schema: retrainRequestedSchema },
  [TOPICS.trainingRun]: { type: 'TrainingRunRecorded', schema: trainingRunSchema },
  [TOPICS.retrainFailed]: { type: 'RetrainFailed', schema: retrainFailedSchema },
  [TOPICS.modelRegistered]: { type: 'ModelRegistered', schema: modelRegisteredSchema },
  [TOPICS.modelReady]: { type: 'ModelReady', schema: modelReadySchema },
  [TOPICS.inputStats]: { type: 'InputStatsComputed', schema: inputStatsSchema },
  [TOPICS.driftDetected]: { type: 'DriftDetected', schema: driftDetectedSchema },
  [TOPICS.deadLetter]: { type: 'DeadLettered', schema: deadLetterSchema },
} as const satisfies Record<Topic, { type: string; schema: z.ZodType }>;

/** Payload type per topic: publishing the wrong payload on a topic does not compile. */
export type PayloadOf<T extends Topic> = z.output<(typeof EVENTS)[T]['schema']>;
