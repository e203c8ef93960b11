import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ALL_TOPICS, EVENTS, TOPICS, resultViews, type EventEnvelope, type PredictionBatchMade, type PredictionMade, type Topic } from '@app/contracts';
import { DOCUMENT_SINK, type DocumentSink } from '@app/elasticsearch';
import type { EventPatternOptions, Rejection } from '@app/messaging';
import { batchDocuments, eventDocument, predictionDocuments, type IndexDocument } from '@app/monitoring';
import { SpanKind, contextOf, endSpan, sampled, startSpan, tracingActive } from '@app/observability';
import { LiveEvaluationService } from '../live/live-evaluation.service';
import { TrafficService } from '../statistics/traffic.service';

const TOPIC_OF_TYPE = new Map<string, Topic>(Object.entries(EVENTS).map(([topic, spec]) => [spec.type, topic as Topic]));
/** Indexed per request elsewhere, or not at all: a request is indexed once, as its prediction. */
const PER_REQUEST = new Set<Topic>([
  TOPICS.predictionMade,
  TOPICS.predictionBatchMade,
  TOPICS.predictionRequested,
  TOPICS.predictionBatchRequested,
  TOPICS.predictionShadow,
]);
const OTHER_TOPICS = ALL_TOPICS.filter((t) => !PER_REQUEST.has(t));

/**
 * Indexes every event in one consumer group over all topics. A batch is acknowledged only once
 * the sink accepted it: the handler throws while Elasticsearch is down, so offsets stay put.
 * A new group starts from the beginning of the topics, so a fresh monitor indexes the history too.
 */
@Controller()
export class EventIndexerHandler {
  constructor(
    @Inject(DOCUMENT_SINK) private readonly sink: DocumentSink,
    private readonly traffic: TrafficService,
    private readonly live: LiveEvaluationService,
  ) {}

  /** Batch replies: one document per row of every request, exactly as if each had come alone. */
  @EventPattern(TOPICS.predictionBatchMade, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onPredictionBatches(@Payload() batches: Array<EventEnvelope<PredictionBatchMade>>): Promise<Rejection[]> {
    const recordOf = new Map<string, string>();
    const parents: string[] | undefined = tracingActive() ? [] : undefined;
    const made: Array<EventEnvelope<PredictionMade>> = [];
    const documents: IndexDocument[] = [];
    for (const batch of batches) {
      const views = resultViews(batch);
      for (const v of [...views.made, ...views.failed]) {
        recordOf.set(v.event_id, batch.event_id);
        if (parents && sampled(v.traceparent)) parents.push(v.traceparent!);
      }
      made.push(...views.made);
      documents.push(...batchDocuments(views));
    }
    // Each sampled request's trace shows its indexing, under the worker's reply span: the monitor
    // follows the gateway's sampling decision, so a kept trace is never missing this part.
    const spans = (parents ?? []).map((traceparent) =>
      startSpan(`index ${TOPICS.predictionBatchMade}`, {
        kind: SpanKind.CONSUMER,
        parent: contextOf(traceparent),
        attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': recordOf.size, 'elasticsearch.documents': documents.length },
      }),
    );
    let rejections: Rejection[];
    try {
      rejections = await this.indexPredictions(made, documents);
      for (const span of spans) endSpan(span);
    } catch (err) {
      for (const span of spans) endSpan(span, err);
      throw err;
    }
    // A refused document parks the record that carried it.
    return rejections.map((r) => ({ eventId: recordOf.get(r.eventId) ?? r.eventId, reason: r.reason }));
  }

  /** Single-request replies (v1), from workers not yet upgraded. */
  @EventPattern(TOPICS.predictionMade, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onPredictions(@Payload() events: Array<EventEnvelope<PredictionMade>>): Promise<Rejection[]> {
    return this.indexPredictions(events, events.flatMap(predictionDocuments));
  }

  @EventPattern(OTHER_TOPICS, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onEvents(@Payload() events: Array<EventEnvelope<unknown>>): Promise<Rejection[]> {
    return this.sink.write(events.map((e) => eventDocument(TOPIC_OF_TYPE.get(e.event_type)!, e)));
  }

  /** Writes the documents, then observes the predictions (statistics, drift, label joins). */
  private async indexPredictions(events: Array<EventEnvelope<PredictionMade>>, documents: IndexDocument[]): Promise<Rejection[]> {
    const rejections = await this.sink.write(documents);
    // Counted only once the documents are stored: a batch retried after an outage is observed once.
    for (const e of events) this.traffic.observe(e);
    for (const version of new Set(events.map((e) => e.payload.model_version))) await this.traffic.checkDrift(version);
    await this.live.observePredictions(events);
    return rejections;
  }
}
