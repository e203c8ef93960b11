import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type ModelRouting } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { RoutingState } from './routing-state';

@Controller()
export class RoutingHandler {
  constructor(private readonly routing: RoutingState) {}

  @EventPattern(TOPICS.modelRouting, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onRouting(@Payload() event: EventEnvelope<ModelRouting>): void {
    this.routing.apply(event.payload);
  }
}
