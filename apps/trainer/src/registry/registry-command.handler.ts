import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type RegistryCommand } from '@app/contracts';
import { RegistryOwner } from './registry-owner.service';

/** Commands from gateways (promote, shadow, canary) and the monitor (automatic decisions), applied in order. */
@Controller()
export class RegistryCommandHandler {
  constructor(private readonly owner: RegistryOwner) {}

  @EventPattern(TOPICS.registryCommand)
  async onCommand(@Payload() event: EventEnvelope<RegistryCommand>): Promise<void> {
    await this.owner.apply(event.payload, event.request_id);
  }
}
