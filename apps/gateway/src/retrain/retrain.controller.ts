import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { AppConfig } from '@app/config';
import { retrainParamsSchema, trainingRunSchema, type RetrainParams } from '@app/contracts';
import { CLASS_NAMES, holdoutRows } from '@app/model';
import { TrainingRuns } from '@app/registry';
import { APP_CONFIG, HttpFailure, apiErrorBodySchema, validateBody } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { RetrainJobs } from './retrain-jobs';

export const acceptedJobSchema = z.strictObject({ job_id: z.string(), status: z.literal('accepted') });
const jobStatusSchema = z.union([trainingRunSchema, acceptedJobSchema.extend({ accepted_at: z.string() })]);

@ApiTags('retrain')
@Access('admin')
@Controller('retrain')
export class RetrainController {
  constructor(
    private readonly jobs: RetrainJobs,
    private readonly runs: TrainingRuns,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Publishes a retrain request; the trainer picks it up and its run record tells the outcome. */
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Request a retrain; the run record at the Location tells the outcome' })
  @ApiJsonBody(retrainParamsSchema, { 'iris, seeded split': { test_size: 0.3, random_state: 7 } }, 'Every parameter is optional')
  @ApiJsonResponse(202, 'Accepted', acceptedJobSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 413, 415, 429, 503])
  async retrain(@Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const params = validateBody(retrainParamsSchema, body ?? {});
    checkDefaultRetrain(params, this.config.MIN_HOLDOUT_ROWS);
    const jobId = await this.jobs.submit(params);
    res.setHeader('Location', `/retrain/${jobId}`);
    return { job_id: jobId, status: 'accepted' };
  }

  @Get(':jobId')
  @ApiOperation({ summary: 'A retrain job: accepted, running, or its run record' })
  @ApiParam({ name: 'jobId', example: '00000000-0000-4000-8000-000000000000' })
  @ApiJsonResponse(200, 'The run record, or accepted while the trainer has not recorded it yet', jobStatusSchema)
  @ApiErrorResponses(apiErrorBodySchema, [401, 403, 404, 429, 503])
  status(@Param('jobId') jobId: string) {
    const run = this.runs.get(jobId);
    if (run) return run;
    const acceptedAt = this.jobs.acceptedAt(jobId);
    if (acceptedAt) return { job_id: jobId, status: 'accepted', accepted_at: acceptedAt };
    throw new NotFoundException({ status: 'error', error: 'not_found', message: 'No retrain job with this id' });
  }
}

/** What the gateway can refuse of a retrain of the default model before anything is published. */
export function checkDefaultRetrain(params: RetrainParams, minHoldoutRows: number): void {
  if (params.dataset?.source === 'rows')
    throw new HttpFailure(
      400,
      'unsupported_dataset',
      'rows by feature name are for a named model (POST /models/{name}/retrain); the default model takes {"source":"inline","rows":[{…, "species": …}]}',
    );
  checkInlineHoldout(params, minHoldoutRows);
}

/** An inline dataset too small for a meaningful holdout is refused before any training (the trainer checks again). */
function checkInlineHoldout(params: RetrainParams, minHoldoutRows: number): void {
  const dataset = params.dataset;
  if (dataset?.source !== 'inline') return;
  const rows = holdoutRows(
    CLASS_NAMES.map((c) => dataset.rows.filter((r) => r.species === c).length),
    params.test_size ?? 0.2,
  );
  if (rows < minHoldoutRows) {
    throw new HttpFailure(
      400,
      'holdout_too_small',
      `with test_size ${params.test_size ?? 0.2} the holdout would have ${rows} rows; a candidate is judged on at least ${minHoldoutRows} (MIN_HOLDOUT_ROWS)`,
    );
  }
}
