import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type ModelRegistered } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { ModelVersions } from './model-versions';

/** Replays the compacted registry topic (in this worker's broadcast group) so any registered version can be scored on request. */
@Controller()
export class ModelRegisteredHandler {
  constructor(private readonly versions: ModelVersions) {}

  @EventPattern(TOPICS.modelRegistered, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onModelRegistered(@Payload() event: EventEnvelope<ModelRegistered>): void {
    this.versions.register(event.payload.model);
  }
}
