import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  REPLY_BYTES_PER_REQUEST,
  REPLY_BYTES_PER_ROW,
  REPLY_OVERHEAD_BYTES,
  TOPICS,
  type BatchedRequest,
  type Features,
  type PredictionMade,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, RequestBatcher, type BatchItem } from '@app/messaging';
import {
  SpanKind,
  activeTraceparent,
  endSpan,
  predictionBatchLimits,
  predictionBatchRequests,
  predictionBatchRows,
  startSpan,
  recordingSpanActive,
  tracingActive,
  traceparentOf,
  type Span,
} from '@app/observability';
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

interface QueuedRequest extends BatchItem {
  request: BatchedRequest;
  /** This request's enqueue span (tracing on, request sampled): linked to the span of the record that carries it. */
  span?: Span;
}

/**
 * Request-reply over the event bus: every request waits for the prediction with its own request
 * id, while the requests that arrive together travel together, in one record (RequestBatcher).
 */
@Injectable()
export class PredictionService {
  private readonly batcher: RequestBatcher<QueuedRequest>;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly pending: PendingReplies,
    private readonly accepted: AcceptedResults,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject('REPLY_PARTITION') private readonly replyPartition: number,
  ) {
    // The reply echoes every row with its scores: the larger of the two records bounds the batch.
    const maxReplyBytes = config.KAFKA_MAX_MESSAGE_BYTES - REPLY_OVERHEAD_BYTES;
    const limits = { maxDelayMs: config.PREDICT_BATCH_MAX_DELAY_US / 1000, maxRows: config.PREDICT_BATCH_MAX_ROWS, maxBytes: maxReplyBytes };
    predictionBatchLimits.set({ limit: 'max_delay_seconds' }, config.PREDICT_BATCH_MAX_DELAY_US / 1e6);
    predictionBatchLimits.set({ limit: 'max_rows' }, config.PREDICT_BATCH_MAX_ROWS);
    predictionBatchLimits.set({ limit: 'max_reply_bytes' }, maxReplyBytes);
    this.batcher = new RequestBatcher(
      (items) => this.publish(items),
      limits,
      (items) => {
        predictionBatchRequests.observe(items.length);
        predictionBatchRows.observe(items.reduce((n, i) => n + i.rows, 0));
      },
    );
  }

  async predict(instances: Features[], ids: RequestIds, choice: ScoringChoice = {}): Promise<PredictionMade> {
    this.checkReplySize(instances.length);
    const timeoutMs = this.config.PREDICT_TIMEOUT_MS;
    const reply = this.pending.register(ids.requestId, timeoutMs);
    try {
      await this.enqueue(queued(instances, ids, choice, Date.now() + timeoutMs));
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
      await this.enqueue(queued(instances, ids, {}, undefined));
    } catch (err) {
      this.accepted.fail(ids.requestId, err);
      throw err;
    }
  }

  /**
   * Resolves once the record carrying the request was sent. With tracing on a sampled request gets
   * an enqueue span of its own (the batch record has its own trace, linked both ways), and its
   * traceparent travels in the request's entry of the record.
   */
  private async enqueue(item: QueuedRequest): Promise<void> {
    if (!tracingActive()) return this.batcher.add(item);
    if (!recordingSpanActive()) {
      // Not sampled: no span, but the request's trace context still travels (logs and documents name its trace).
      item.request.traceparent = activeTraceparent();
      return this.batcher.add(item);
    }
    item.span = startSpan(`enqueue ${TOPICS.predictionBatchRequested}`, {
      kind: SpanKind.PRODUCER,
      attributes: { 'messaging.system': 'kafka', 'request.id': item.request.request_id, 'ml.rows': item.rows },
    });
    item.request.traceparent = traceparentOf(item.span);
    try {
      await this.batcher.add(item);
      endSpan(item.span);
    } catch (err) {
      endSpan(item.span, err);
      throw err;
    }
  }

  private async publish(items: QueuedRequest[]): Promise<void> {
    const requests = items.map((i) => i.request);
    // A record of one request carries that request's ids, so its logs and headers need no batch id.
    const single = requests.length === 1 ? requests[0] : undefined;
    const batchId = single?.request_id ?? `batch-${randomUUID()}`;
    // The record's own trace (sampled on its own), linked both ways to the requests it carries.
    // Named explicitly: the send runs in the async context of whichever request opened the window.
    const span = tracingActive()
      ? startSpan(`send ${TOPICS.predictionBatchRequested}`, {
          kind: SpanKind.PRODUCER,
          root: true,
          links: items.flatMap((i) => (i.span ? [{ context: i.span.spanContext() }] : [])),
          attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': items.length, 'ml.rows': items.reduce((n, i) => n + i.rows, 0) },
        })
      : undefined;
    if (span?.isRecording()) for (const i of items) i.span?.addLink({ context: span.spanContext() });
    try {
      await this.publisher.publish(
        TOPICS.predictionBatchRequested,
        { reply_to: this.config.INSTANCE_ID, reply_partition: this.replyPartition, requests },
        { key: batchId, requestId: batchId, clientRequestId: single?.client_request_id, traceparent: traceparentOf(span) },
      );
      endSpan(span);
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  private checkReplySize(rows: number): void {
    const limit = this.config.KAFKA_MAX_MESSAGE_BYTES;
    const bytes = REPLY_OVERHEAD_BYTES + rows * REPLY_BYTES_PER_ROW;
    if (bytes > limit) throw new ReplyTooLargeError(rows, bytes, limit, Math.floor((limit - REPLY_OVERHEAD_BYTES) / REPLY_BYTES_PER_ROW));
  }
}

function queued(instances: Features[], ids: RequestIds, choice: ScoringChoice, deadline: number | undefined): QueuedRequest {
  return {
    rows: instances.length,
    bytes: REPLY_BYTES_PER_REQUEST + instances.length * REPLY_BYTES_PER_ROW,
    request: {
      request_id: ids.requestId,
      ...(ids.clientRequestId ? { client_request_id: ids.clientRequestId } : {}),
      instances,
      ...(choice.modelVersion !== undefined ? { model_version: choice.modelVersion } : {}),
      ...(deadline !== undefined ? { deadline } : {}),
    },
  };
}
