import { Body, Controller, GatewayTimeoutException, HttpCode, Post, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { batchSchema, featuresSchema, type PredictionMade } from '@app/contracts';
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
  async predictOne(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<PredictResponseDto> {
    const features = validateBody(featuresSchema, body);
    const { reply, requestId, latencyMs } = await this.run([features], res);
    return { status: 'success', ...reply.predictions[0], model_version: reply.model_version, request_id: requestId, latency_ms: latencyMs };
  }

  @Post('batch')
  @HttpCode(200)
  @ApiBody({ type: BatchRequestDto })
  @ApiOkResponse({ type: BatchResponseDto })
  async predictBatch(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<BatchResponseDto> {
    const { instances } = validateBody(batchSchema, body);
    const { reply, requestId, latencyMs } = await this.run(instances, res);
    return { status: 'success', model_version: reply.model_version, request_id: requestId, latency_ms: latencyMs, predictions: reply.predictions };
  }

  private async run(instances: Parameters<PredictionService['predict']>[0], res: Response) {
    const requestId = res.locals.requestId as string;
    const started = process.hrtime.bigint();
    try {
      const reply: PredictionMade = await this.predictions.predict(instances, requestId);
      return { reply, requestId, latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3 };
    } catch (err) {
      if (err instanceof ReplyTimeoutError) {
        throw new GatewayTimeoutException({ status: 'error', error: 'prediction_timeout', message: err.message, request_id: requestId });
      }
      if (err instanceof BusUnavailableError) {
        throw new ServiceUnavailableException({ status: 'error', error: 'broker_unavailable', message: 'Event broker is unreachable', request_id: requestId });
      }
      throw err;
    }
  }
}
