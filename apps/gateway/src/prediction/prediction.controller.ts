import { Body, Controller, GatewayTimeoutException, Headers, HttpCode, Post, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { batchSchema, featuresSchema, type Features, type PredictionMade } from '@app/contracts';
import { BusUnavailableError } from '@app/messaging';
import { validateBody } from '@app/runtime';
import { BatchRequestDto, BatchResponseDto, IrisFeaturesDto, PredictResponseDto } from './dto/predict.dto';
import { ReplyTimeoutError } from './pending-replies';
import { PredictionService } from './prediction.service';

@ApiTags('prediction')
@Controller('predict')
export class PredictionController {
  constructor(private readonly predictions: PredictionService) {}

  @Post()
  @HttpCode(200)
  @ApiBody({ type: IrisFeaturesDto })
  @ApiOkResponse({ type: PredictResponseDto })
  async predictOne(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Headers('prefer') prefer?: string,
  ): Promise<PredictResponseDto | AcceptedDto> {
    const features = validateBody(featuresSchema, body);
    if (wantsAsync(prefer)) return this.accept([features], res);
    const { reply, requestId, latencyMs } = await this.run([features], res);
    return { status: 'success', ...reply.predictions[0], model_version: reply.model_version, request_id: requestId, latency_ms: latencyMs };
  }

  @Post('batch')
  @HttpCode(200)
  @ApiBody({ type: BatchRequestDto })
  @ApiOkResponse({ type: BatchResponseDto })
  async predictBatch(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @Headers('prefer') prefer?: string,
  ): Promise<BatchResponseDto | AcceptedDto> {
    const { instances } = validateBody(batchSchema, body);
    if (wantsAsync(prefer)) return this.accept(instances, res);
    const { reply, requestId, latencyMs } = await this.run(instances, res);
    return { status: 'success', model_version: reply.model_version, request_id: requestId, latency_ms: latencyMs, predictions: reply.predictions };
  }

  /** `Prefer: respond-async` (RFC 7240): 202 now, the result at the Location once scored. */
  private async accept(instances: Features[], res: Response): Promise<AcceptedDto> {
    const requestId = res.locals.requestId as string;
    try {
      await this.predictions.submit(instances, requestId);
    } catch (err) {
      throw err instanceof BusUnavailableError ? unavailable(requestId) : err;
    }
    const location = `/predictions/${encodeURIComponent(requestId)}`;
    res.status(202).setHeader('Location', location);
    res.setHeader('Preference-Applied', 'respond-async');
    return { status: 'accepted', request_id: requestId, location };
  }

  private async run(instances: Features[], res: Response) {
    const requestId = res.locals.requestId as string;
    const started = process.hrtime.bigint();
    try {
      const reply: PredictionMade = await this.predictions.predict(instances, requestId);
      return { reply, requestId, latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3 };
    } catch (err) {
      if (err instanceof ReplyTimeoutError) {
        throw new GatewayTimeoutException({ status: 'error', error: 'prediction_timeout', message: err.message, request_id: requestId });
      }
      if (err instanceof BusUnavailableError) throw unavailable(requestId);
      throw err;
    }
  }
}

interface AcceptedDto {
  status: 'accepted';
  request_id: string;
  location: string;
}

function wantsAsync(prefer: string | undefined): boolean {
  return /(^|[,;\s])respond-async($|[,;\s])/i.test(prefer ?? '');
}

function unavailable(requestId: string): ServiceUnavailableException {
  return new ServiceUnavailableException({ status: 'error', error: 'broker_unavailable', message: 'Event broker is unreachable', request_id: requestId });
}
