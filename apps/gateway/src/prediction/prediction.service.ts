import { Inject, Injectable } from '@nestjs/common';
import { REPLY_BYTES_PER_ROW, REPLY_OVERHEAD_BYTES, TOPICS, type Features, type PredictionMade } from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher } from '@app/messaging';
import { APP_CONFIG } from '@app/runtime';
import { AcceptedResults } from './accepted-results';
import { PendingReplies } from './pending-replies';
import { ReplyTooLargeError } from './prediction-errors';

/** The platform's request id and the caller's own, as the request-id middleware set them. */
export interface RequestIds {
  requestId: string;
  clientRequestId?: string;
}

/** Which model scores: the serving one, or a registered version named by the caller. */
export interface ScoringChoice {
  modelVersion?: number;
}

/** Request-reply over the event bus: publish a request, wait for the prediction with the same request id. */
@Injectable()
export class PredictionService {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly pending: PendingReplies,
    private readonly accepted: AcceptedResults,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject('REPLY_PARTITION') private readonly replyPartition: number,
  ) {}

  async predict(instances: Features[], ids: RequestIds, choice: ScoringChoice = {}): Promise<PredictionMade> {
    this.checkReplySize(instances.length);
    const reply = this.pending.register(ids.requestId, this.config.PREDICT_TIMEOUT_MS);
    try {
      await this.publish(instances, ids, choice);
    } catch (err) {
      this.pending.fail(ids.requestId, err as Error);
    }
    return reply;
  }

  /**
   * Publishes without waiting: the answer is looked up later at /predictions/{request_id}, kept
   * for it from before the publish (on the in-process bus the reply can arrive before the send
   * resolves). A failed publish is kept as the request's outcome too.
   */
  async submit(instances: Features[], ids: RequestIds): Promise<void> {
    this.checkReplySize(instances.length);
    this.accepted.accept(ids.requestId, instances.length);
    try {
      await this.publish(instances, ids);
    } catch (err) {
      this.accepted.fail(ids.requestId, err);
      throw err;
    }
  }

  private publish(instances: Features[], ids: RequestIds, choice: ScoringChoice = {}) {
    return this.publisher.publish(
      TOPICS.predictionRequested,
      {
        instances,
        reply_to: this.config.INSTANCE_ID,
        reply_partition: this.replyPartition,
        ...(choice.modelVersion !== undefined ? { model_version: choice.modelVersion } : {}),
      },
      { key: ids.requestId, requestId: ids.requestId, clientRequestId: ids.clientRequestId },
    );
  }

  private checkReplySize(rows: number): void {
    const limit = this.config.KAFKA_MAX_MESSAGE_BYTES;
    const bytes = REPLY_OVERHEAD_BYTES + rows * REPLY_BYTES_PER_ROW;
    if (bytes > limit) throw new ReplyTooLargeError(rows, bytes, limit, Math.floor((limit - REPLY_OVERHEAD_BYTES) / REPLY_BYTES_PER_ROW));
  }
}
