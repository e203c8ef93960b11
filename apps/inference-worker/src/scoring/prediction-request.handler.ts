import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  TOPICS,
  derivedEventId,
  requestViews,
  type BatchResult,
  type EventEnvelope,
  type PredictionBatchMade,
  type PredictionBatchRequested,
  type PredictionRequested,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { EventPublisher, MessageTooLargeError, type EventPatternOptions, type Rejection } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { APP_CONFIG } from '@app/runtime';
import { PredictionSpans } from './prediction-spans';
import { RequestScorer, type ScoredRequests, type ScoringOutcome } from './request-scorer';

/**
 * Workers share one group over both request topics, so Kafka spreads records over them by
 * partition. Every record of a fetch is scored, then answered with one produce request: under
 * load that is most of the worker's cost. Answers derive their event ids from their requests', so
 * a request scored twice (redelivered after a crash) answers with the same event.
 */
@Controller()
export class PredictionRequestHandler {
  constructor(
    private readonly scorer: RequestScorer,
    private readonly publisher: EventPublisher,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Batch records (v2): one reply record per request record, every request with its own answer. */
  @EventPattern(TOPICS.predictionBatchRequested, { batch: true } satisfies EventPatternOptions)
  async onPredictionBatches(@Payload() batches: Array<EventEnvelope<PredictionBatchRequested>>): Promise<Rejection[]> {
    const started = process.hrtime.bigint();
    const requests = batches.flatMap((batch) => {
      const views = requestViews(batch);
      return batch.payload.requests.map((r, i) => ({ event: views[i], deadline: r.deadline, batch }));
    });
    const spans = PredictionSpans.start(batches);
    try {
      const scored = await this.scorer.score(requests);
      const byBatch = new Map<EventEnvelope<PredictionBatchRequested>, BatchResult[]>(batches.map((b) => [b, []]));
      scored.outcomes.forEach((outcome, i) => {
        spans?.scored(i, outcome);
        // With tracing off here, a traced request's context is passed on as it came.
        byBatch.get(requests[i].batch)!.push(batchResult(outcome, spans ? spans.replyContext(i) : outcome.request.event.traceparent));
      });
      const replies = [...byBatch].map(([batch, results]) => ({ batch, results }));
      const [rejections] = await Promise.all([this.publishBatchReplies(replies), this.publishShadows(scored)]);
      this.logBatch(started, requests.length, scored);
      spans?.end();
      return rejections;
    } catch (err) {
      spans?.end(err);
      throw err;
    }
  }

  /** Single-request records (v1), still sent by gateways not yet upgraded: answered the v1 way. */
  @EventPattern(TOPICS.predictionRequested, { batch: true } satisfies EventPatternOptions)
  async onPredictionRequests(@Payload() events: Array<EventEnvelope<PredictionRequested>>): Promise<Rejection[]> {
    const started = process.hrtime.bigint();
    const scored = await this.scorer.score(events.map((event) => ({ event })));
    const made = scored.outcomes.flatMap((o) => ('scored' in o ? [{ event: o.request.event, payload: o.scored }] : []));
    const failed = scored.outcomes.flatMap((o) => ('failed' in o ? [{ event: o.request.event, failure: o.failed }] : []));
    const [rejections] = await Promise.all([made.length > 0 ? this.publishV1Replies(made) : Promise.resolve([]), this.publishShadows(scored)]);
    await this.publishV1Failures(failed);
    this.logBatch(started, events.length, scored);
    return rejections;
  }

  private logBatch(started: bigint, requests: number, scored: ScoredRequests): void {
    this.logger.event('debug', 'prediction batch answered', {
      requests,
      rows: scored.outcomes.reduce((n, o) => n + ('scored' in o ? o.scored.predictions.length : 0), 0),
      model_version: scored.currentVersion,
      shadows: scored.shadows.length,
      duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
    });
  }

  /**
   * One produce for every reply record of the fetch. A record the broker refuses as too large is
   * split into one record per request; a request whose answer alone is too large fails on its own.
   */
  private async publishBatchReplies(replies: Array<{ batch: EventEnvelope<PredictionBatchRequested>; results: BatchResult[] }>): Promise<Rejection[]> {
    // A reply split per request (below) needs an id per part; the whole reply has one per record.
    const item = (batch: EventEnvelope<PredictionBatchRequested>, results: BatchResult[], part = '') => ({
      payload: { worker: this.config.INSTANCE_ID, reply_to: batch.payload.reply_to, results } satisfies PredictionBatchMade,
      options: {
        key: batch.request_id,
        requestId: batch.request_id,
        clientRequestId: batch.client_request_id,
        eventId: derivedEventId(batch.event_id, `prediction-batch-made${part}`),
        partition: batch.payload.reply_partition,
      },
    });
    try {
      await this.publisher.publishMany(
        TOPICS.predictionBatchMade,
        replies.map(({ batch, results }) => item(batch, results)),
      );
      return [];
    } catch (err) {
      if (!(err instanceof MessageTooLargeError)) throw err;
    }
    const rejections: Rejection[] = [];
    for (const { batch, results } of replies) {
      for (const result of results) {
        try {
          const part = item(batch, [result], `:${result.request_id}`);
          await this.publisher.publish(TOPICS.predictionBatchMade, part.payload, part.options);
        } catch (err) {
          if (!(err instanceof MessageTooLargeError) || result.outcome === 'failed') throw err;
          const failed: BatchResult = { ...ids(result), outcome: 'failed', error: 'reply_too_large', reason: err.message, rows: result.instances.length };
          const part = item(batch, [failed], `:${result.request_id}`);
          await this.publisher.publish(TOPICS.predictionBatchMade, part.payload, part.options);
          rejections.push({ eventId: batch.event_id, reason: `reply to request ${result.request_id} not sent: ${err.message}` });
        }
      }
    }
    return rejections;
  }

  /** Shadow scores never answer anyone: their own topic, their own (deterministic) event ids. */
  private async publishShadows({ shadows }: ScoredRequests): Promise<void> {
    if (shadows.length === 0) return;
    await this.publisher.publishMany(
      TOPICS.predictionShadow,
      shadows.map(({ event, payload }) => ({
        payload,
        options: { ...replyIds(event), eventId: derivedEventId(event.event_id, `prediction-shadow:${payload.model_version}`) },
      })),
    );
  }

  private async publishV1Replies(
    replies: Array<{ event: EventEnvelope<PredictionRequested>; payload: Extract<ScoringOutcome, { scored: unknown }>['scored'] }>,
  ): Promise<Rejection[]> {
    const item = ({ event, payload }: (typeof replies)[number]) => ({
      payload,
      options: { ...replyIds(event), eventId: derivedEventId(event.event_id, 'prediction-made'), partition: event.payload.reply_partition },
    });
    try {
      await this.publisher.publishMany(TOPICS.predictionMade, replies.map(item));
      return [];
    } catch (err) {
      if (!(err instanceof MessageTooLargeError)) throw err;
    }
    const rejections: Rejection[] = [];
    for (const reply of replies) {
      try {
        await this.publisher.publish(TOPICS.predictionMade, reply.payload, item(reply).options);
      } catch (err) {
        if (!(err instanceof MessageTooLargeError)) throw err;
        const rows = reply.event.payload.instances.length;
        await this.publishV1Failures([{ event: reply.event, failure: { error: 'reply_too_large', reason: err.message, rows } }]);
        rejections.push({ eventId: reply.event.event_id, reason: `reply not sent: ${err.message}` });
      }
    }
    return rejections;
  }

  /** A request naming an unregistered version is answered with a failure (the gateway answers 404), not parked: it is a caller's mistake, not a bad event. */
  private async publishV1Failures(
    failures: Array<{ event: EventEnvelope<PredictionRequested>; failure: Extract<ScoringOutcome, { failed: unknown }>['failed'] }>,
  ): Promise<void> {
    if (failures.length === 0) return;
    await this.publisher.publishMany(
      TOPICS.predictionFailed,
      failures.map(({ event, failure }) => ({
        payload: { ...failure, worker: this.config.INSTANCE_ID, reply_to: event.payload.reply_to },
        options: { ...replyIds(event), eventId: derivedEventId(event.event_id, 'prediction-failed') },
      })),
    );
  }
}

function replyIds(event: EventEnvelope<PredictionRequested>) {
  return { key: event.request_id, requestId: event.request_id, clientRequestId: event.client_request_id };
}

function ids(r: { request_id: string; client_request_id?: string; event_id: string; traceparent?: string }) {
  return {
    request_id: r.request_id,
    ...(r.client_request_id ? { client_request_id: r.client_request_id } : {}),
    event_id: r.event_id,
    ...(r.traceparent ? { traceparent: r.traceparent } : {}),
  };
}

/** A request's answer inside its batch's reply record. */
function batchResult(outcome: ScoringOutcome, traceparent: string | undefined): BatchResult {
  const { event } = outcome.request;
  const base = {
    request_id: event.request_id,
    ...(event.client_request_id ? { client_request_id: event.client_request_id } : {}),
    ...(traceparent ? { traceparent } : {}),
  };
  if ('scored' in outcome) {
    const s = outcome.scored;
    return {
      outcome: 'scored',
      ...base,
      event_id: derivedEventId(event.event_id, 'prediction-made'),
      instances: s.instances,
      predictions: s.predictions,
      model_version: s.model_version,
      scoring_latency_ms: s.scoring_latency_ms,
    };
  }
  return { outcome: 'failed', ...base, event_id: derivedEventId(event.event_id, 'prediction-failed'), ...outcome.failed };
}
