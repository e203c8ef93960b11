import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type TrainingRun } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { TrainingRuns } from './training-runs';

@Controller()
export class TrainingRunsHandler {
  constructor(private readonly runs: TrainingRuns) {}

  @EventPattern(TOPICS.trainingRun, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onTrainingRun(@Payload() event: EventEnvelope<TrainingRun>): void {
    this.runs.apply(event.payload);
  }
}
