import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type NamedModelRegistered } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { NamedModels } from './named-models';

/** Keeps this instance's view of the named models current by replaying their compacted topic. */
@Controller()
export class NamedModelsHandler {
  constructor(private readonly models: NamedModels) {}

  @EventPattern(TOPICS.namedModelRegistered, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onNamedModelRegistered(@Payload() event: EventEnvelope<NamedModelRegistered>): void {
    this.models.apply(event.payload);
  }
}
