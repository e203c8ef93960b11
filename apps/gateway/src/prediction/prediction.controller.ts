import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { batchSchema, featuresSchema, type Features, type PredictionMade } from '@app/contracts';
import { apiErrorBodySchema, validateBody } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { acceptedSchema, batchResponseSchema, predictResponseSchema, type Accepted, type BatchResponse, type PredictResponse } from './prediction-responses';
import { PredictionService, type RequestIds } from './prediction.service';
import { idFields, idsOf } from './request-ids';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VIRGINICA = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, petal_width: 2.5 };
const PREFER = ApiHeader({ name: 'Prefer', required: false, description: '`respond-async`: answer 202 at once, the result at the Location' });
const ERRORS = ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 413, 415, 429, 502, 503, 504]);

@ApiTags('prediction')
@Access('predict')
@Controller('predict')
export class PredictionController {
  constructor(private readonly predictions: PredictionService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Predict the species of one flower' })
  @PREFER
  @ApiJsonBody(featuresSchema, { setosa: SETOSA })
  @ApiJsonResponse(200, 'The prediction', predictResponseSchema)
  @ApiJsonResponse(202, 'Accepted (Prefer: respond-async)', acceptedSchema)
  @ERRORS
  async predictOne(@Body() body: unknown, @Res({ passthrough: true }) res: Response, @Headers('prefer') prefer?: string): Promise<PredictResponse | Accepted> {
    const features = validateBody(featuresSchema, body);
    const ids = idsOf(res);
    if (wantsAsync(prefer)) return this.accept([features], ids, res);
    const { reply, latencyMs } = await this.run([features], ids);
    return { status: 'success', ...reply.predictions[0], model_version: reply.model_version, ...idFields(ids), latency_ms: latencyMs };
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Predict a batch of flowers, answered in input order' })
  @PREFER
  @ApiJsonBody(batchSchema, { 'two flowers': { instances: [SETOSA, VIRGINICA] } })
  @ApiJsonResponse(200, 'One prediction per instance, in input order', batchResponseSchema)
  @ApiJsonResponse(202, 'Accepted (Prefer: respond-async)', acceptedSchema)
  @ERRORS
  async predictBatch(@Body() body: unknown, @Res({ passthrough: true }) res: Response, @Headers('prefer') prefer?: string): Promise<BatchResponse | Accepted> {
    const { instances } = validateBody(batchSchema, body);
    const ids = idsOf(res);
    if (wantsAsync(prefer)) return this.accept(instances, ids, res);
    const { reply, latencyMs } = await this.run(instances, ids);
    return { status: 'success', model_version: reply.model_version, ...idFields(ids), latency_ms: latencyMs, predictions: reply.predictions };
  }

  /** `Prefer: respond-async` (RFC 7240): 202 now, the result at the Location once scored. */
  private async accept(instances: Features[], ids: RequestIds, res: Response): Promise<Accepted> {
    await this.predictions.submit(instances, ids);
    const location = `/predictions/${ids.requestId}`;
    res.status(202).setHeader('Location', location);
    res.setHeader('Preference-Applied', 'respond-async');
    return { status: 'accepted', ...idFields(ids), location };
  }

  private async run(instances: Features[], ids: RequestIds): Promise<{ reply: PredictionMade; latencyMs: number }> {
    const started = process.hrtime.bigint();
    const reply = await this.predictions.predict(instances, ids);
    return { reply, latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3 };
  }
}

function wantsAsync(prefer: string | undefined): boolean {
  return /(^|[,;\s])respond-async($|[,;\s])/i.test(prefer ?? '');
}
