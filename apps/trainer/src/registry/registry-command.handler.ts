import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DEFAULT_MODEL, TOPICS, type EventEnvelope, type RegistryCommand } from '@app/contracts';
import { NamedRegistryOwner } from './named-registry-owner.service';
import { RegistryOwner } from './registry-owner.service';

/** Commands from gateways (promote, shadow, canary) and the monitor (automatic decisions), applied in order. */
@Controller()
export class RegistryCommandHandler {
  constructor(
    private readonly owner: RegistryOwner,
    private readonly named: NamedRegistryOwner,
  ) {}

  @EventPattern(TOPICS.registryCommand)
  async onCommand(@Payload() event: EventEnvelope<RegistryCommand>): Promise<void> {
    const { model_name } = event.payload;
    if (model_name !== undefined && model_name !== DEFAULT_MODEL) await this.named.apply({ ...event.payload, model_name }, event.request_id);
    else await this.owner.apply(event.payload, event.request_id);
  }
}
