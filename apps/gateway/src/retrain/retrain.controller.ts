import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiAcceptedResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TOPICS, retrainParamsSchema } from '@app/contracts';
import { BusUnavailableError, EventPublisher } from '@app/messaging';
import { TrainingRuns } from '@app/registry';
import { validateBody } from '@app/runtime';
import { Access } from '@app/security';

@ApiTags('retrain')
@Access('admin')
@Controller('retrain')
export class RetrainController {
  private readonly accepted = new Map<string, string>();

  constructor(
    private readonly publisher: EventPublisher,
    private readonly runs: TrainingRuns,
  ) {}

  /** Publishes a retrain request; the trainer picks it up and its run record tells the outcome. */
  @Post()
  @HttpCode(202)
  @ApiAcceptedResponse({ schema: { example: { job_id: '5b0c…', status: 'accepted' } } })
  async retrain(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const params = validateBody(retrainParamsSchema, body ?? {});
    const jobId = randomUUID();
    try {
      await this.publisher.publish(TOPICS.retrainRequested, { ...params, job_id: jobId }, { key: jobId });
    } catch (err) {
      if (err instanceof BusUnavailableError) {
        throw new ServiceUnavailableException({ status: 'error', error: 'broker_unavailable', message: 'Event broker is unreachable' });
      }
      throw err;
    }
    this.accepted.set(jobId, new Date().toISOString());
    // Only bridges the moment before the trainer's first run record arrives; keep it bounded.
    if (this.accepted.size > 10_000) this.accepted.delete(this.accepted.keys().next().value!);
    res.setHeader('Location', `/retrain/${jobId}`);
    return { job_id: jobId, status: 'accepted' };
  }

  @Get(':jobId')
  status(@Param('jobId') jobId: string) {
    const run = this.runs.get(jobId);
    if (run) return run;
    const acceptedAt = this.accepted.get(jobId);
    if (acceptedAt) return { job_id: jobId, status: 'accepted', accepted_at: acceptedAt };
    throw new NotFoundException({ status: 'error', error: 'not_found', message: `No retrain job ${jobId}` });
  }
}
