import { Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, ConflictException, Body } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TOPICS } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { ModelRegistry } from '@app/registry';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse, apiErrorBodySchema, validateBody } from '@app/runtime';
import { Access } from '@app/security';
import { modelDetail, modelDetailSchema, modelListSchema, modelSummary, modelSummarySchema } from './model-view';

const promoteBody = z.strictObject({ reason: z.string().min(1).max(500).optional() });
const VERSION = ApiParam({ name: 'version', example: 1 });

@ApiTags('models')
@Controller('models')
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly publisher: EventPublisher,
  ) {}

  @Get()
  @Access('predict')
  @ApiOperation({ summary: 'Every registered version and the current one' })
  @ApiJsonResponse(200, 'The registry', modelListSchema)
  @ApiErrorResponses(apiErrorBodySchema, [401, 403, 429, 503])
  list() {
    const current = this.registry.current();
    return { current_version: current?.version ?? null, models: this.registry.list().map(modelSummary) };
  }

  @Get('current')
  @Access('predict')
  @ApiOperation({ summary: 'The serving version: metrics, parameters, feature baselines' })
  @ApiJsonResponse(200, 'The current version', modelDetailSchema)
  @ApiErrorResponses(apiErrorBodySchema, [401, 403, 404, 429, 503])
  current() {
    const current = this.registry.current();
    if (!current) throw new NotFoundException({ status: 'error', error: 'no_model', message: 'No model has been promoted yet' });
    return modelDetail(current);
  }

  @Get(':version')
  @Access('predict')
  @ApiOperation({ summary: 'One registered version: metrics, parameters, feature baselines' })
  @VERSION
  @ApiJsonResponse(200, 'The version', modelDetailSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 429, 503])
  get(@Param('version', ParseIntPipe) version: number) {
    const record = this.registry.get(version);
    if (!record) throw new NotFoundException({ status: 'error', error: 'not_found', message: `Model version ${version} does not exist` });
    return modelDetail(record);
  }

  /** Rollback or roll forward: the chosen version becomes current and every worker swaps to it. */
  @Post(':version/promote')
  @Access('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make a version current (rollback or roll forward); every worker swaps to it' })
  @VERSION
  @ApiJsonBody(promoteBody, { 'with a reason': { reason: 'rollback drill' }, 'without one': {} }, 'Optional: an empty body is a promotion without a reason')
  @ApiJsonResponse(200, 'The promoted version', modelSummarySchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503])
  async promote(@Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const reason = validateBody(promoteBody.optional(), body ?? undefined)?.reason ?? `manual promotion of version ${version}`;
    if (!this.registry.get(version)) throw new NotFoundException({ status: 'error', error: 'not_found', message: `Model version ${version} does not exist` });
    let records;
    try {
      records = this.registry.promotion(version, reason, new Date());
    } catch (err) {
      throw new ConflictException({ status: 'error', error: 'not_promotable', message: (err as Error).message });
    }
    for (const record of records) {
      await this.publisher.publish(TOPICS.modelRegistered, record, { key: String(record.version) });
      this.registry.apply(record);
    }
    const promoted = records.find((r) => r.version === version)!;
    await this.publisher.publish(TOPICS.modelReady, { model: promoted.model, reason: 'promote' }, { key: 'current' });
    return modelSummary(promoted);
  }
}
