import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ALL_TOPICS, EVENTS, TOPICS, type EventEnvelope, type PredictionMade, type Topic } from '@app/contracts';
import { DOCUMENT_SINK, type DocumentSink } from '@app/elasticsearch';
import type { EventPatternOptions, Rejection } from '@app/messaging';
import { eventDocument, predictionDocuments } from '@app/monitoring';
import { TrafficService } from '../statistics/traffic.service';

const TOPIC_OF_TYPE = new Map<string, Topic>(Object.entries(EVENTS).map(([topic, spec]) => [spec.type, topic as Topic]));
const OTHER_TOPICS = ALL_TOPICS.filter((t) => t !== TOPICS.predictionMade);

/**
 * Indexes every event, each topic in its own consumer group. A batch is acknowledged only once
 * the sink accepted it: the handler throws while Elasticsearch is down, so offsets stay put.
 * New groups start from the beginning of the topics, so a fresh monitor indexes the history too.
 */
@Controller()
export class EventIndexerHandler {
  constructor(
    @Inject(DOCUMENT_SINK) private readonly sink: DocumentSink,
    private readonly traffic: TrafficService,
  ) {}

  @EventPattern(TOPICS.predictionMade, { batch: true, fromBeginning: true } satisfies EventPatternOptions)
  async onPredictions(@Payload() events: Array<EventEnvelope<PredictionMade>>): Promise<Rejection[]> {
    const docs = events.flatMap((e) => predictionDocuments(e, this.traffic.observe(e).features));
    const rejections = await this.sink.write(docs);
    for (const version of new Set(events.map((e) => e.payload.model_version))) await this.traffic.checkDrift(version);
    return rejections;
  }

  @EventPattern(OTHER_TOPICS, { batch: true, fromBeginning: true } satisfies EventPatternOptions)
  async onEvents(@Payload() events: Array<EventEnvelope<unknown>>): Promise<Rejection[]> {
    return this.sink.write(events.map((e) => eventDocument(TOPIC_OF_TYPE.get(e.event_type)!, e)));
  }
}
