import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type RetrainRequested } from '@app/contracts';
import { TrainerService } from './trainer.service';

@Controller()
export class RetrainRequestedHandler {
  constructor(private readonly trainer: TrainerService) {}

  @EventPattern(TOPICS.retrainRequested)
  async onRetrainRequested(@Payload() event: EventEnvelope<RetrainRequested>): Promise<void> {
    await this.trainer.run(event.payload, event.request_id);
  }
}
