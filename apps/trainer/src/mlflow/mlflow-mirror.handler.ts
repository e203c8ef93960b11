import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  TOPICS,
  type EventEnvelope,
  type LiveEvaluation,
  type ModelRegistered,
  type ModelRouting,
  type NamedLiveEvaluation,
  type NamedModelRegistered,
  type NamedModelRouting,
  type TrainingRun,
} from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { MlflowMirror } from '@app/mlflow';

/** Each instance replays the state topics from the start: the records are the mirror's only state. */
const REPLAY = { broadcast: true, fromBeginning: true } satisfies EventPatternOptions;

/**
 * Hands every run, registry, routing and live record to the MLflow mirror, the named models' as
 * the default model's (each registered under its own name); handing over never waits on MLflow.
 */
@Controller()
export class MlflowMirrorHandler {
  constructor(private readonly mirror: MlflowMirror) {}

  @EventPattern(TOPICS.trainingRun, REPLAY)
  onTrainingRun(@Payload() event: EventEnvelope<TrainingRun>): void {
    this.mirror.observeRun(event.payload);
  }

  @EventPattern(TOPICS.modelRegistered, REPLAY)
  onModelRegistered(@Payload() event: EventEnvelope<ModelRegistered>): void {
    this.mirror.observeVersion(event.payload);
  }

  @EventPattern(TOPICS.modelRouting, REPLAY)
  onRouting(@Payload() event: EventEnvelope<ModelRouting>): void {
    this.mirror.observeRouting(event.payload);
  }

  @EventPattern(TOPICS.modelLive, REPLAY)
  onLive(@Payload() event: EventEnvelope<LiveEvaluation>): void {
    this.mirror.observeLive(event.payload);
  }

  @EventPattern(TOPICS.namedModelRegistered, REPLAY)
  onNamedModelRegistered(@Payload() event: EventEnvelope<NamedModelRegistered>): void {
    this.mirror.observeVersion(event.payload);
  }

  @EventPattern(TOPICS.namedModelRouting, REPLAY)
  onNamedRouting(@Payload() event: EventEnvelope<NamedModelRouting>): void {
    this.mirror.observeRouting(event.payload);
  }

  @EventPattern(TOPICS.namedModelLive, REPLAY)
  onNamedLive(@Payload() event: EventEnvelope<NamedLiveEvaluation>): void {
    this.mirror.observeLive(event.payload);
  }
}
