import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  TOPICS,
  type EventEnvelope,
  type FeedbackReceived,
  type NamedFeedbackReceived,
  type NamedShadowPrediction,
  type ShadowPrediction,
} from '@app/contracts';
import { DOCUMENT_SINK, type DocumentSink } from '@app/elasticsearch';
import type { EventPatternOptions, Rejection } from '@app/messaging';
import { namedShadowDocuments, shadowDocuments } from '@app/monitoring';
import { LiveEvaluationService } from './live-evaluation.service';
import { NamedLiveEvaluationService } from './named-live-evaluation.service';

/** Ground truth and shadow scores: joined, counted, compared; shadow rows indexed beside the served ones. */
@Controller()
export class LiveHandler {
  constructor(
    private readonly live: LiveEvaluationService,
    private readonly namedLive: NamedLiveEvaluationService,
    @Inject(DOCUMENT_SINK) private readonly sink: DocumentSink,
  ) {}

  @EventPattern(TOPICS.feedback, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onFeedback(@Payload() events: Array<EventEnvelope<FeedbackReceived>>): Promise<void> {
    await this.live.observeFeedback(events);
  }

  @EventPattern(TOPICS.namedFeedback, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onNamedFeedback(@Payload() events: Array<EventEnvelope<NamedFeedbackReceived>>): Promise<void> {
    await this.namedLive.observeFeedback(events);
  }

  @EventPattern(TOPICS.predictionShadow, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onShadow(@Payload() events: Array<EventEnvelope<ShadowPrediction>>): Promise<Rejection[]> {
    const rejections = await this.sink.write(events.flatMap(shadowDocuments));
    this.live.observeShadow(events);
    return rejections;
  }

  @EventPattern(TOPICS.namedPredictionShadow, { batch: true, fromBeginning: true, throughput: true } satisfies EventPatternOptions)
  async onNamedShadow(@Payload() events: Array<EventEnvelope<NamedShadowPrediction>>): Promise<Rejection[]> {
    const rejections = await this.sink.write(events.flatMap(namedShadowDocuments));
    this.namedLive.observeShadow(events);
    return rejections;
  }
}
