import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type LiveEvaluation, type ModelDecision } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { LiveEvaluations } from './live-evaluations';
import { ModelDecisions } from './model-decisions';

@Controller()
export class ModelEventsHandler {
  constructor(
    private readonly decisions: ModelDecisions,
    private readonly live: LiveEvaluations,
  ) {}

  @EventPattern(TOPICS.modelDecision, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onDecision(@Payload() event: EventEnvelope<ModelDecision>): void {
    this.decisions.record(event.payload);
  }

  @EventPattern(TOPICS.modelLive, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onLive(@Payload() event: EventEnvelope<LiveEvaluation>): void {
    this.live.apply(event.payload);
  }
}
