import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type ModelRegistered } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { ModelRegistry } from './model-registry';

/** Keeps this instance's registry view current by replaying the compacted registry topic in a group of its own. */
@Controller()
export class RegistryHandler {
  constructor(private readonly registry: ModelRegistry) {}

  @EventPattern(TOPICS.modelRegistered, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onModelRegistered(@Payload() event: EventEnvelope<ModelRegistered>): void {
    this.registry.apply(event.payload);
  }
}
