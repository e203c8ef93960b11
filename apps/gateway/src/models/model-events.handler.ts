import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type LiveEvaluation, type ModelDecision, type NamedLiveEvaluation } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { LiveEvaluations, NamedLiveEvaluations } from './live-evaluations';
import { ModelDecisions } from './model-decisions';

@Controller()
export class ModelEventsHandler {
  constructor(
    private readonly decisions: ModelDecisions,
    private readonly live: LiveEvaluations,
    private readonly namedLive: NamedLiveEvaluations,
  ) {}

  @EventPattern(TOPICS.modelDecision, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onDecision(@Payload() event: EventEnvelope<ModelDecision>): void {
    this.decisions.record(event.payload);
  }

  @EventPattern(TOPICS.modelLive, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onLive(@Payload() event: EventEnvelope<LiveEvaluation>): void {
    this.live.apply(event.payload);
  }

  @EventPattern(TOPICS.namedModelLive, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onNamedLive(@Payload() event: EventEnvelope<NamedLiveEvaluation>): void {
    this.namedLive.apply(event.payload);
  }
}
