import { Controller, Get, Inject, NotFoundException, Optional, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Client } from '@elastic/elasticsearch';
import type { AppConfig } from '@app/config';
import { findIndexedPrediction } from '@app/elasticsearch';
import { APP_CONFIG } from '@app/runtime';
import { RecentPredictions } from './recent-predictions';

export const SEARCH_CLIENT = Symbol('SEARCH_CLIENT');

@ApiTags('prediction')
@Controller('predictions')
export class PredictionLookupController {
  constructor(
    private readonly recent: RecentPredictions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(SEARCH_CLIENT) private readonly search?: Client,
  ) {}

  /** The indexed prediction when the monitor has indexed it, else the one this gateway saw recently. */
  @Get(':requestId')
  async find(@Param('requestId') requestId: string) {
    if (this.search) {
      const indexed = await findIndexedPrediction(this.search, this.config.ES_INDEX_PREFIX, requestId).catch(() => null);
      if (indexed) return { status: 'success', source: 'elasticsearch', ...indexed };
    }
    const event = this.recent.find(requestId);
    if (event) {
      const p = event.payload;
      return {
        status: 'success',
        source: 'recent',
        request_id: requestId,
        event_id: event.event_id,
        occurred_at: event.occurred_at,
        model_version: p.model_version,
        worker: p.worker,
        scoring_latency_ms: p.scoring_latency_ms,
        predictions: p.predictions.map((x, i) => ({ input: p.instances[i], ...x })),
      };
    }
    throw new NotFoundException({ status: 'error', error: 'not_found', message: `No prediction for request ${requestId} (yet)` });
  }
}
