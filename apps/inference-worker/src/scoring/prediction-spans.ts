import { SERVED_MODEL_NAME, TOPICS, type EventEnvelope, type PredictionBatchRequested } from '@app/contracts';
import { SpanKind, contextOf, endSpan, failSpan, linksTo, sampled, startSpan, traceparentOf, tracingActive, under, type Span } from '@app/observability';
import type { ScoringOutcome } from './request-scorer';

interface RequestSpans {
  /** The request's own traceparent: passed on as it is when the request is not sampled. */
  traceparent?: string;
  process?: Span;
  reply?: Span;
}

/**
 * The worker's spans for the batch records of one fetch (tracing on). Each sampled record gets a
 * process span in the record's own trace, linked to its sampled requests; each sampled request
 * gets, in its own trace, a process span (child of the gateway's enqueue span, linked to the
 * record's), a score span with the model and rows, and a send span for its reply, whose
 * traceparent the reply carries so the gateway's receive span continues it. A request the gateway
 * did not sample gets no span: its reply carries its own traceparent, so its trace id still
 * reaches the monitor's documents.
 */
export class PredictionSpans {
  private readonly records: Array<Span | undefined>;
  private readonly requests: RequestSpans[];

  private constructor(batches: Array<EventEnvelope<PredictionBatchRequested>>) {
    this.records = batches.map((b) =>
      sampled(b.traceparent)
        ? startSpan(`process ${TOPICS.predictionBatchRequested}`, {
            kind: SpanKind.CONSUMER,
            parent: contextOf(b.traceparent),
            links: linksTo(b.payload.requests.map((r) => (sampled(r.traceparent) ? r.traceparent : undefined))),
            attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': b.payload.requests.length },
          })
        : undefined,
    );
    this.requests = batches.flatMap((b, i) =>
      b.payload.requests.map((r) => {
        if (!sampled(r.traceparent)) return { traceparent: r.traceparent };
        const record = this.records[i];
        return {
          traceparent: r.traceparent,
          process: startSpan(`process ${TOPICS.predictionBatchRequested}`, {
            kind: SpanKind.CONSUMER,
            parent: contextOf(r.traceparent),
            links: record ? [{ context: record.spanContext() }] : [],
            attributes: { 'messaging.system': 'kafka', 'request.id': r.request_id, 'ml.rows': r.instances.length },
          }),
        };
      }),
    );
  }

  /** Undefined with tracing off: the handler then makes no span at all. */
  static start(batches: Array<EventEnvelope<PredictionBatchRequested>>): PredictionSpans | undefined {
    return tracingActive() ? new PredictionSpans(batches) : undefined;
  }

  /** Records request i's scoring (it took scoring_latency_ms, ending now), or its failure. */
  scored(i: number, outcome: ScoringOutcome): void {
    const { process } = this.requests[i];
    if (!process) return;
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

  /** The traceparent request i's reply entry carries: its reply span's, or its own when not sampled. */
  replyContext(i: number): string | undefined {
    const spans = this.requests[i];
    if (!spans.process) return spans.traceparent;
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
