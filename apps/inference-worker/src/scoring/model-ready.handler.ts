import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type EventEnvelope, type ModelReady } from '@app/contracts';
import type { EventPatternOptions } from '@app/messaging';
import { JsonLogger, modelSwapLag } from '@app/observability';
import { ServingModel } from './serving-model';

/**
 * Each worker replays the compacted model-ready topic in a group of its own, so a worker
 * started anywhere, at any time, ends up on the current model with no shared filesystem.
 */
@Controller()
export class ModelReadyHandler {
  constructor(
    private readonly serving: ServingModel,
    private readonly logger: JsonLogger,
  ) {}

  @EventPattern(TOPICS.modelReady, { broadcast: true, fromBeginning: true } satisfies EventPatternOptions)
  onModelReady(@Payload() event: EventEnvelope<ModelReady>): void {
    const previous = this.serving.current?.version ?? null;
    const model = event.payload.model;
    this.serving.swap(model);
    const lagMs = Date.now() - Date.parse(event.occurred_at);
    modelSwapLag.set(lagMs / 1000);
    this.logger.event('info', 'model swapped', { previous_version: previous, model_version: model.version, reason: event.payload.reason, swap_lag_ms: lagMs });
  }
}
