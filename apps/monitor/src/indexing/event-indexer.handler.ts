import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ALL_TOPICS, EVENTS, TOPICS, type EventEnvelope, type PredictionMade, type Topic } from '@app/contracts';
import { DOCUMENT_SINK, type DocumentSink } from '@app/elasticsearch';
import type { EventPatternOptions, Rejection } from '@app/messaging';
import { eventDocument, predictionDocuments } from '@app/monitoring';
import { LiveEvaluationService } from '../live/live-evaluation.service';
import { TrafficService } from '../statistics/traffic.service';

const TOPIC_OF_TYPE = new Map<string, Topic>(Object.entries(EVENTS).map(([topic, spec]) => [spec.type, topic as Topic]));
/** A request is indexed once, as its prediction: the request event itself adds nothing a user searches for. */
const OTHER_TOPICS = ALL_TOPICS.filter((t) => t !== TOPICS.predictionMade && t !== TOPICS.predictionRequested && t !== TOPICS.predictionShadow);

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

  @EventPattern(TOPICS.predictionMade, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onPredictions(@Payload() events: Array<EventEnvelope<PredictionMade>>): Promise<Rejection[]> {
    const rejections = await this.sink.write(events.flatMap(predictionDocuments));
    // Counted only once the documents are stored: a batch retried after an outage is observed once.
    for (const e of events) this.traffic.observe(e);
    for (const version of new Set(events.map((e) => e.payload.model_version))) await this.traffic.checkDrift(version);
    await this.live.observePredictions(events);
    return rejections;
  }

  @EventPattern(OTHER_TOPICS, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onEvents(@Payload() events: Array<EventEnvelope<unknown>>): Promise<Rejection[]> {
    return this.sink.write(events.map((e) => eventDocument(TOPIC_OF_TYPE.get(e.event_type)!, e)));
  }
}
