import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  REPLY_BYTES_PER_REQUEST,
  REPLY_BYTES_PER_ROW,
  REPLY_OVERHEAD_BYTES,
  TOPICS,
  type NamedInstance,
  type NamedRequest,
  type NamedScoredResult,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, RequestBatcher, type BatchItem } from '@app/messaging';
import { predictionBatchRequests, predictionBatchRows } from '@app/observability';
import { APP_CONFIG } from '@app/runtime';
import { PendingReplies } from './pending-replies';
import { ReplyTooLargeError } from './prediction-errors';
import type { RequestIds } from './prediction.service';

interface QueuedRequest extends BatchItem {
  request: NamedRequest;
}

/** Longest JSON of a number, quotes, colon and comma around a name. */
const BYTES_PER_VALUE = 30;

/**
 * A named model's reply bytes per row depend on its names, not the default model's four fields:
 * every feature is echoed by name, and every class has a probability.
 */
function replyBytesPerRow(shape: { featureNames: readonly string[]; classNames: readonly string[] }): number {
  const names = [...shape.featureNames, ...shape.classNames].reduce((n, name) => n + Buffer.byteLength(name) + BYTES_PER_VALUE, 0);
  return REPLY_BYTES_PER_ROW + names;
}

/**
 * Request-reply for named models, as PredictionService is for the default model: concurrent
 * requests travel together in one record of the named-model topic, every one waits for its own
 * answer by request id.
 */
@Injectable()
export class NamedPredictionService {
  private readonly batcher: RequestBatcher<QueuedRequest>;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly pending: PendingReplies,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject('REPLY_PARTITION') private readonly replyPartition: number,
  ) {
    this.batcher = new RequestBatcher(
      (items) => this.publish(items),
      {
        maxDelayMs: config.PREDICT_BATCH_MAX_DELAY_US / 1000,
        maxRows: config.PREDICT_BATCH_MAX_ROWS,
        maxBytes: config.KAFKA_MAX_MESSAGE_BYTES - REPLY_OVERHEAD_BYTES,
      },
      (items) => {
        predictionBatchRequests.observe(items.length);
        predictionBatchRows.observe(items.reduce((n, i) => n + i.rows, 0));
      },
    );
  }

  async predict(
    model: string,
    instances: NamedInstance[],
    shape: { featureNames: readonly string[]; classNames: readonly string[] },
    ids: RequestIds,
    version?: number,
  ): Promise<NamedScoredResult> {
    const perRow = replyBytesPerRow(shape);
    const limit = this.config.KAFKA_MAX_MESSAGE_BYTES;
    const bytes = REPLY_OVERHEAD_BYTES + instances.length * perRow;
    if (bytes > limit) throw new ReplyTooLargeError(instances.length, bytes, limit, Math.floor((limit - REPLY_OVERHEAD_BYTES) / perRow));
    const timeoutMs = this.config.PREDICT_TIMEOUT_MS;
    const reply = this.pending.register<NamedScoredResult>(ids.requestId, timeoutMs);
    const request: NamedRequest = {
      request_id: ids.requestId,
      ...(ids.clientRequestId ? { client_request_id: ids.clientRequestId } : {}),
      model,
      ...(version !== undefined ? { model_version: version } : {}),
      instances,
      deadline: Date.now() + timeoutMs,
    };
    try {
      await this.batcher.add({ rows: instances.length, bytes: REPLY_BYTES_PER_REQUEST + instances.length * perRow, request });
    } catch (err) {
      this.pending.fail(ids.requestId, err as Error);
    }
    return reply;
  }

  private async publish(items: QueuedRequest[]): Promise<void> {
    const requests = items.map((i) => i.request);
    const single = requests.length === 1 ? requests[0] : undefined;
    const batchId = single?.request_id ?? `batch-${randomUUID()}`;
    await this.publisher.publish(
      TOPICS.namedPredictionRequested,
      { reply_to: this.config.INSTANCE_ID, reply_partition: this.replyPartition, requests },
      { key: batchId, requestId: batchId, clientRequestId: single?.client_request_id },
    );
  }
}
