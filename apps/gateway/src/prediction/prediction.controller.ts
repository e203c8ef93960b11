import { Body, Controller, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { batchSchema, featuresSchema, type Features, type PredictionMade } from '@app/contracts';
import { validateBody } from '@app/runtime';
import { Access } from '@app/security';
import { BatchRequestDto, BatchResponseDto, IrisFeaturesDto, PredictResponseDto } from './dto/predict.dto';
import { PredictionService, type RequestIds } from './prediction.service';

@ApiTags('prediction')
@Access('predict')
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
    const ids = idsOf(res);
    if (wantsAsync(prefer)) return this.accept([features], ids, res);
    const { reply, latencyMs } = await this.run([features], ids);
    return { status: 'success', ...reply.predictions[0], model_version: reply.model_version, ...idFields(ids), latency_ms: latencyMs };
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
    const ids = idsOf(res);
    if (wantsAsync(prefer)) return this.accept(instances, ids, res);
    const { reply, latencyMs } = await this.run(instances, ids);
    return { status: 'success', model_version: reply.model_version, ...idFields(ids), latency_ms: latencyMs, predictions: reply.predictions };
  }

  /** `Prefer: respond-async` (RFC 7240): 202 now, the result at the Location once scored. */
  private async accept(instances: Features[], ids: RequestIds, res: Response): Promise<AcceptedDto> {
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

interface AcceptedDto {
  status: 'accepted';
  request_id: string;
  client_request_id?: string;
  location: string;
}

function idsOf(res: Response): RequestIds {
  return { requestId: res.locals.requestId as string, clientRequestId: res.locals.clientRequestId as string | undefined };
}

function idFields(ids: RequestIds): { request_id: string; client_request_id?: string } {
  return ids.clientRequestId ? { request_id: ids.requestId, client_request_id: ids.clientRequestId } : { request_id: ids.requestId };
}

function wantsAsync(prefer: string | undefined): boolean {
  return /(^|[,;\s])respond-async($|[,;\s])/i.test(prefer ?? '');
}
