import { Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, ConflictException, Body } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { TOPICS } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { ModelRegistry } from '@app/registry';
import { validateBody } from '@app/runtime';
import { Access } from '@app/security';
import { modelDetail, modelSummary } from './model-view';

const promoteBody = z.strictObject({ reason: z.string().min(1).max(500).optional() }).optional();

@ApiTags('models')
@Controller('models')
export class ModelsController {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly publisher: EventPublisher,
  ) {}

  @Get()
  @Access('predict')
  list() {
    const current = this.registry.current();
    return { current_version: current?.version ?? null, models: this.registry.list().map(modelSummary) };
  }

  @Get('current')
  @Access('predict')
  current() {
    const current = this.registry.current();
    if (!current) throw new NotFoundException({ status: 'error', error: 'no_model', message: 'No model has been promoted yet' });
    return modelDetail(current);
  }

  @Get(':version')
  @Access('predict')
  get(@Param('version', ParseIntPipe) version: number) {
    const record = this.registry.get(version);
    if (!record) throw new NotFoundException({ status: 'error', error: 'not_found', message: `Model version ${version} does not exist` });
    return modelDetail(record);
  }

  /** Rollback or roll forward: the chosen version becomes current and every worker swaps to it. */
  @Post(':version/promote')
  @Access('admin')
  @HttpCode(200)
  async promote(@Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const reason = validateBody(promoteBody, body ?? undefined)?.reason ?? `manual promotion of version ${version}`;
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
