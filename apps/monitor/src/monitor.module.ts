import { Module, type DynamicModule } from '@nestjs/common';
import { join } from 'node:path';
import {
  DOCUMENT_SINK,
  ElasticsearchPredictionIndex,
  ElasticsearchSink,
  FileSink,
  PREDICTION_INDEX,
  createElasticsearchClient,
  type DocumentSink,
} from '@app/elasticsearch';
import { EVENT_BUS, type EventBus } from '@app/messaging';
import { Readiness } from '@app/observability';
import { NamedScorers, RegistryModule } from '@app/registry';
import { RuntimeModule, type ServiceContext } from '@app/runtime';
import { EventIndexerHandler } from './indexing/event-indexer.handler';
import { LiveHandler } from './live/live.handler';
import { LiveEvaluationService } from './live/live-evaluation.service';
import { NamedLiveEvaluationService } from './live/named-live-evaluation.service';
import { NamedTrafficService } from './statistics/named-traffic.service';
import { TrafficService } from './statistics/traffic.service';

@Module({})
export class MonitorModule {
  static register(ctx: ServiceContext): DynamicModule {
    const { config } = ctx;
    return {
      module: MonitorModule,
      imports: [RuntimeModule.forRoot(ctx), RegistryModule],
      controllers: [EventIndexerHandler, LiveHandler],
      providers: [
        TrafficService,
        NamedTrafficService,
        LiveEvaluationService,
        NamedLiveEvaluationService,
        NamedScorers,
        ...(config.MONITOR_SINK === 'elasticsearch'
          ? [{ provide: PREDICTION_INDEX, useFactory: () => new ElasticsearchPredictionIndex(createElasticsearchClient(config), config.ES_INDEX_PREFIX) }]
          : []),
        {
          provide: DOCUMENT_SINK,
          useFactory: (): DocumentSink =>
            config.MONITOR_SINK === 'elasticsearch'
              ? new ElasticsearchSink(createElasticsearchClient(config), config.ES_INDEX_PREFIX)
              : new FileSink({ dir: join(config.EMBEDDED_DATA_DIR, 'documents'), maxBytes: config.MONITOR_FILE_MAX_BYTES, keep: config.MONITOR_FILE_KEEP }),
        },
        {
          provide: 'MONITOR_READINESS',
          inject: [Readiness, EVENT_BUS, DOCUMENT_SINK],
          useFactory: (readiness: Readiness, bus: EventBus, sink: DocumentSink) => {
            readiness.register('broker', () => bus.isConnected());
            readiness.register('sink', () => sink.isHealthy());
          },
        },
      ],
    };
  }
}
