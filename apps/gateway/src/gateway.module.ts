import { Module, type DynamicModule } from '@nestjs/common';
import { ElasticsearchPredictionIndex, PREDICTION_INDEX, createElasticsearchClient } from '@app/elasticsearch';
import { EVENT_BUS, type EventBus } from '@app/messaging';
import { Readiness } from '@app/observability';
import { ModelRegistry, RegistryModule } from '@app/registry';
import { RuntimeModule, type ServiceContext } from '@app/runtime';
import { FeedbackController } from './feedback/feedback.controller';
import { LiveEvaluations, NamedLiveEvaluations } from './models/live-evaluations';
import { ModelDecisions } from './models/model-decisions';
import { ModelEventsHandler } from './models/model-events.handler';
import { ModelsController } from './models/models.controller';
import { NamedLiveController } from './models/named-live.controller';
import { NamedModelsController } from './models/named-models.controller';
import { NamedRoutingController } from './models/named-routing.controller';
import { NamedPredictionRepliesHandler } from './prediction/named-prediction-replies.handler';
import { NamedPredictionService } from './prediction/named-prediction.service';
import { AcceptedResults } from './prediction/accepted-results';
import { PendingReplies } from './prediction/pending-replies';
import { PredictionController } from './prediction/prediction.controller';
import { PredictionRepliesHandler } from './prediction/prediction-replies.handler';
import { PredictionService } from './prediction/prediction.service';
import { PredictionLookupController } from './prediction/prediction-lookup.controller';
import { RecentPredictions } from './prediction/recent-predictions';
import { InvocationsController } from './protocols/mlflow/invocations.controller';
import { GrpcHealthController } from './protocols/oip/grpc/grpc-health.controller';
import { OipGrpcController } from './protocols/oip/grpc/oip-grpc.controller';
import { OipModel } from './protocols/oip/oip-model';
import { OipRestController } from './protocols/oip/oip-rest.controller';
import { ModelImportController } from './models/model-import.controller';
import { RetrainController } from './retrain/retrain.controller';
import { RetrainJobs } from './retrain/retrain-jobs';

@Module({})
export class GatewayModule {
  static register(ctx: ServiceContext): DynamicModule {
    return {
      module: GatewayModule,
      imports: [RuntimeModule.forRoot(ctx), RegistryModule.register({ baselines: false })],
      controllers: [
        PredictionController,
        PredictionLookupController,
        PredictionRepliesHandler,
        NamedPredictionRepliesHandler,
        ModelsController,
        NamedModelsController,
        NamedLiveController,
        NamedRoutingController,
        ModelEventsHandler,
        RetrainController,
        ModelImportController,
        FeedbackController,
        OipRestController,
        OipGrpcController,
        GrpcHealthController,
        InvocationsController,
      ],
      providers: [
        RetrainJobs,
        PendingReplies,
        ModelDecisions,
        LiveEvaluations,
        NamedLiveEvaluations,
        PredictionService,
        NamedPredictionService,
        OipModel,
        RecentPredictions,
        { provide: AcceptedResults, useValue: new AcceptedResults(ctx.config.ASYNC_RESULT_TTL_SECONDS * 1000, ctx.config.ASYNC_RESULTS_MAX_ROWS) },
        { provide: 'REPLY_PARTITION', useValue: ctx.replyPartition },
        ...(ctx.config.MONITOR_SINK === 'elasticsearch'
          ? [
              {
                provide: PREDICTION_INDEX,
                useFactory: () => new ElasticsearchPredictionIndex(createElasticsearchClient(ctx.config), ctx.config.ES_INDEX_PREFIX),
              },
            ]
          : []),
        {
          provide: 'GATEWAY_READINESS',
          inject: [Readiness, EVENT_BUS, ModelRegistry],
          useFactory: (readiness: Readiness, bus: EventBus, registry: ModelRegistry) => {
            readiness.register('broker', () => bus.isConnected());
            readiness.register('model', () => registry.current() !== undefined);
          },
        },
      ],
    };
  }
}
