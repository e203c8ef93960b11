import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  ALL_TOPICS,
  EVENTS,
  TOPICS,
  resultViews,
  type EventEnvelope,
  type NamedPredictionMade,
  type PredictionBatchMade,
  type PredictionMade,
  type Topic,
} from '@app/contracts';
import { DOCUMENT_SINK, type DocumentSink } from '@app/elasticsearch';
import type { EventPatternOptions, Rejection } from '@app/messaging';
import { batchDocuments, eventDocument, namedPredictionDocuments, predictionDocuments, type IndexDocument } from '@app/monitoring';
import { SpanKind, contextOf, endSpan, sampled, startSpan, tracingActive } from '@app/observability';
import { LiveEvaluationService } from '../live/live-evaluation.service';
import { NamedLiveEvaluationService } from '../live/named-live-evaluation.service';
import { NamedTrafficService } from '../statistics/named-traffic.service';
import { TrafficService } from '../statistics/traffic.service';

const TOPIC_OF_TYPE = new Map<string, Topic>(Object.entries(EVENTS).map(([topic, spec]) => [spec.type, topic as Topic]));
/** Indexed per request elsewhere, or not at all: a request is indexed once, as its prediction. */
const PER_REQUEST = new Set<Topic>([
  TOPICS.predictionMade,
  TOPICS.predictionBatchMade,
  TOPICS.predictionRequested,
  TOPICS.predictionBatchRequested,
  TOPICS.predictionShadow,
  TOPICS.namedPredictionMade,
  TOPICS.namedPredictionRequested,
  TOPICS.namedPredictionShadow,
]);
const OTHER_TOPICS = ALL_TOPICS.filter((t) => !PER_REQUEST.has(t));

/** A reply record's answers: each request's own event id and trace. */
type BatchReply = EventEnvelope<{ results: Array<{ event_id: string; traceparent?: string }> }>;

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
    private readonly named: NamedTrafficService,
    private readonly namedLive: NamedLiveEvaluationService,
  ) {}

  /** Batch replies: one document per row of every request, exactly as if each had come alone. */
  @EventPattern(TOPICS.predictionBatchMade, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onPredictionBatches(@Payload() batches: Array<EventEnvelope<PredictionBatchMade>>): Promise<Rejection[]> {
    const views = batches.map(resultViews);
    const made = views.flatMap((v) => v.made);
    return this.indexReplies(TOPICS.predictionBatchMade, batches, views.flatMap(batchDocuments), (documents) => this.indexPredictions(made, documents));
  }

  /**
   * Named models' replies, indexed as the default model's, then observed in each model's own
   * rolling statistics and drift (NamedTrafficService) and remembered for its labels (NamedLiveEvaluationService).
   */
  @EventPattern(TOPICS.namedPredictionMade, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onNamedPredictions(@Payload() batches: Array<EventEnvelope<NamedPredictionMade>>): Promise<Rejection[]> {
    return this.indexReplies(TOPICS.namedPredictionMade, batches, batches.flatMap(namedPredictionDocuments), async (documents) => {
      const rejections = await this.sink.write(documents);
      // Observed only once the documents are stored, and once per request: a retried batch is not counted twice.
      await this.named.observe(batches);
      await this.namedLive.observePredictions(batches);
      return rejections;
    });
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

  /** Writes a consumer batch of reply records' documents, each request's carrying its own event id. */
  private async indexReplies(
    topic: Topic,
    batches: BatchReply[],
    documents: IndexDocument[],
    write: (documents: IndexDocument[]) => Promise<Rejection[]>,
  ): Promise<Rejection[]> {
    const recordOf = new Map<string, string>();
    const traced = tracingActive();
    const parents: string[] = [];
    for (const batch of batches) {
      for (const r of batch.payload.results) {
        recordOf.set(r.event_id, batch.event_id);
        if (traced && sampled(r.traceparent)) parents.push(r.traceparent!);
      }
    }
    // Each sampled request's trace shows its indexing, under the worker's reply span: the monitor
    // follows the gateway's sampling decision, so a kept trace is never missing this part.
    const spans = parents.map((traceparent) =>
      startSpan(`index ${topic}`, {
        kind: SpanKind.CONSUMER,
        parent: contextOf(traceparent),
        attributes: { 'messaging.system': 'kafka', 'messaging.batch.message_count': recordOf.size, 'elasticsearch.documents': documents.length },
      }),
    );
    let rejections: Rejection[];
    try {
      rejections = await write(documents);
      for (const span of spans) endSpan(span);
    } catch (err) {
      for (const span of spans) endSpan(span, err);
      throw err;
    }
    // A refused document parks the record that carried it.
    return rejections.map((r) => ({ eventId: recordOf.get(r.eventId) ?? r.eventId, reason: r.reason }));
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
