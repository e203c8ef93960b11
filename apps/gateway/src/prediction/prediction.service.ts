import { Inject, Injectable } from '@nestjs/common';
import { TOPICS, type Features, type PredictionMade } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher } from '@app/messaging';
import { APP_CONFIG } from '@app/runtime';
import { PendingReplies } from './pending-replies';

/** Request-reply over the event bus: publish a request, wait for the prediction with the same request id. */
@Injectable()
export class PredictionService {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly pending: PendingReplies,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async predict(instances: Features[], requestId: string): Promise<PredictionMade> {
    // Register before publishing: on the in-process bus the reply can arrive before send() resolves.
    const reply = this.pending.wait(requestId, this.config.PREDICT_TIMEOUT_MS);
    try {
      await this.submit(instances, requestId);
    } catch (err) {
      this.pending.cancel(requestId, err as Error);
    }
    return reply;
  }

  /** Publishes without waiting: the answer is looked up later at /predictions/{request_id}. */
  async submit(instances: Features[], requestId: string): Promise<void> {
    await this.publisher.publish(TOPICS.predictionRequested, { instances, reply_to: this.config.INSTANCE_ID }, { key: requestId, requestId });
  }
}
