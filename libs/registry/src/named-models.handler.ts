import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type NamedModelRegistered, type NamedModelRouting } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { NamedModels } from './named-models';
import { NamedRoutings } from './named-routings';

/** Keeps this instance's view of the named models and their routing current by replaying their compacted topics. */
@Controller()
export class NamedModelsHandler {
  constructor(
    private readonly models: NamedModels,
    private readonly routings: NamedRoutings,
  ) {}

  @EventPattern(TOPICS.namedModelRegistered, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onNamedModelRegistered(@Payload() event: EventEnvelope<NamedModelRegistered>): void {
    this.models.apply(event.payload);
  }

  @EventPattern(TOPICS.namedModelRouting, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onNamedModelRouting(@Payload() event: EventEnvelope<NamedModelRouting>): void {
    this.routings.apply(event.payload);
  }
}
