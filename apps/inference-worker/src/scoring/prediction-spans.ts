import { SERVED_MODEL_NAME, TOPICS, type EventEnvelope, type PredictionBatchRequested } from '@app/contracts';
import { SpanKind, contextOf, endSpan, failSpan, linksTo, startSpan, traceparentOf, tracingActive, under, type Span } from '@app/observability';
import type { ScoringOutcome } from './request-scorer';

interface RequestSpans {
  process: Span;
  reply?: Span;
}

/**
 * The worker's spans for the batch records of one fetch (tracing on). Each record gets a process
 * span in the record's own trace, linked to its requests; each request gets, in its own trace, a
 * process span (child of the gateway's enqueue span, linked to the record's), a score span with
 * the model and rows, and a send span for its reply, whose traceparent the reply carries so the
 * gateway's receive span continues it.
 */
export class PredictionSpans {
  private readonly records: Span[];
  private readonly requests: RequestSpans[];

  private constructor(batches: Array<EventEnvelope<PredictionBatchRequested>>) {
    this.records = batches.map((b) =>
      startSpan(`process ${TOPICS.predictionBatchRequested}`, {
        kind: SpanKind.CONSUMER,
        parent: contextOf(b.traceparent),
        links: linksTo(b.payload.requests.map((r) => r.traceparent)),
        attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': b.payload.requests.length },
      }),
    );
    this.requests = batches.flatMap((b, i) =>
      b.payload.requests.map((r) => ({
        process: startSpan(`process ${TOPICS.predictionBatchRequested}`, {
          kind: SpanKind.CONSUMER,
          parent: contextOf(r.traceparent),
          links: [{ context: this.records[i].spanContext() }],
          attributes: { 'messaging.system': 'kafka', 'request.id': r.request_id, 'ml.rows': r.instances.length },
        }),
      })),
    );
  }

  /** Undefined with tracing off: the handler then makes no span at all. */
  static start(batches: Array<EventEnvelope<PredictionBatchRequested>>): PredictionSpans | undefined {
    return tracingActive() ? new PredictionSpans(batches) : undefined;
  }

  /** Records request i's scoring (it took scoring_latency_ms, ending now), or its failure. */
  scored(i: number, outcome: ScoringOutcome): void {
    const { process } = this.requests[i];
    if ('failed' in outcome) {
      failSpan(process, `${outcome.failed.error}: ${outcome.failed.reason}`);
      process.setAttribute('ml.failure', outcome.failed.error);
      return;
    }
    const end = performance.timeOrigin + performance.now();
    const s = outcome.scored;
    startSpan('score', {
      parent: under(process),
      startTime: end - s.scoring_latency_ms,
      attributes: { 'ml.model.name': SERVED_MODEL_NAME, 'ml.model.version': s.model_version, 'ml.rows': s.predictions.length },
    }).end(end);
  }

  /** Starts request i's reply span; the traceparent its reply entry carries. */
  replyContext(i: number): string | undefined {
    const spans = this.requests[i];
    spans.reply = startSpan(`send ${TOPICS.predictionBatchMade}`, { kind: SpanKind.PRODUCER, parent: under(spans.process) });
    return traceparentOf(spans.reply);
  }

  end(error?: unknown): void {
    for (const { process, reply } of this.requests) {
      endSpan(reply, error);
      endSpan(process, error);
    }
    for (const record of this.records) endSpan(record, error);
  }
}
