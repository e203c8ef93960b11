import { BadRequestException, Body, Controller, Delete, HttpCode, Inject, Param, ParseIntPipe, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import type { AppConfig } from '@app/config';
import {
  DEFAULT_MODEL,
  MAX_BATCH,
  batchSchema,
  featuresSchema,
  namedInstanceProblems,
  retrainParamsSchema,
  type ModelDecision,
  type NamedInstance,
  type NamedModelRegistered,
  type RegistryAction,
} from '@app/contracts';
import { NamedModels } from '@app/registry';
import { APP_CONFIG, HttpFailure, apiErrorBodySchema, validateBody, type ApiErrorBody } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { NamedPredictionService } from '../prediction/named-prediction.service';
import { PredictionService } from '../prediction/prediction.service';
import { idFields, idsOf } from '../prediction/request-ids';
import { acceptedJobSchema, checkDefaultRetrain } from '../retrain/retrain.controller';
import { RetrainJobs } from '../retrain/retrain-jobs';
import { ModelDecisions } from './model-decisions';
import { modelName, namedOnly, notFound } from './model-name-param';
import { reasonBody } from './models.controller';

/** test/openapi-examples trains wine and wine-old first, so the examples here answer on its platform. */
const NAME = ApiParam({ name: 'name', example: 'wine', description: 'A model name: a lowercase letter, then up to 62 lowercase letters, digits or hyphens' });
const WINE_ROW = {
  alcohol: 13.2,
  malic_acid: 1.78,
  ash: 2.14,
  alcalinity_of_ash: 11.2,
  magnesium: 100,
  total_phenols: 2.65,
  flavanoids: 2.76,
  nonflavanoid_phenols: 0.26,
  proanthocyanins: 1.28,
  color_intensity: 4.38,
  hue: 1.05,
  od280_od315_of_diluted_wines: 3.4,
  proline: 1050,
};
const rowBody = z.record(z.string(), z.number()).meta({ description: 'The model’s features by name (GET /models/{name} lists them)' });
const batchBody = z.strictObject({ instances: z.array(rowBody).min(1).max(MAX_BATCH) });
const scored = z.strictObject({
  prediction: z.string(),
  class_id: z.number().int(),
  probability: z.number(),
  probabilities: z.record(z.string(), z.number()),
});
const common = {
  status: z.literal('success'),
  model: z.string(),
  model_version: z.number().int().positive(),
  request_id: z.string(),
  client_request_id: z.string().optional(),
  latency_ms: z.number(),
};
const predictResponse = scored.extend(common);
const batchResponse = z.strictObject({ ...common, predictions: z.array(scored) });
const ERRORS = ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 502, 503, 504]);

/**
 * The per-model routes. A model is data: its request fields are the features its current version
 * learned, checked here against that version (and again by the worker against the version that
 * scores). The default model answers on these routes too, as POST /predict does.
 */
@ApiTags('models')
@Controller('models')
export class NamedModelsController {
  constructor(
    private readonly models: NamedModels,
    private readonly named: NamedPredictionService,
    private readonly predictions: PredictionService,
    private readonly jobs: RetrainJobs,
    private readonly decisions: ModelDecisions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(':name/predict')
  @Access('predict')
  @HttpCode(200)
  @ApiOperation({ summary: 'Predict one row with a model, by its own feature names' })
  @NAME
  @ApiJsonBody(rowBody, { 'a wine': WINE_ROW })
  @ApiJsonResponse(200, 'The prediction', predictResponse)
  @ERRORS
  predictOne(@Param('name') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    return this.one(name, undefined, body, res);
  }

  @Post(':name/predict/batch')
  @Access('predict')
  @HttpCode(200)
  @ApiOperation({ summary: 'Predict a batch of rows with a model, answered in input order' })
  @NAME
  @ApiJsonBody(batchBody, { 'two wines': { instances: [WINE_ROW, { ...WINE_ROW, proline: 480, flavanoids: 0.6 }] } })
  @ApiJsonResponse(200, 'One prediction per row, in input order', batchResponse)
  @ERRORS
  predictBatch(@Param('name') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    return this.batch(name, undefined, body, res);
  }

  /** Any registered version, a candidate the gate rejected included: comparing versions is what naming one is for. */
  @Post(':name/versions/:version/predict')
  @Access('predict')
  @HttpCode(200)
  @ApiOperation({ summary: 'Predict one row with a given version of a named model' })
  @NAME
  @ApiParam({ name: 'version', example: 1 })
  @ApiJsonBody(rowBody, { 'a wine': WINE_ROW })
  @ApiJsonResponse(200, 'The prediction', predictResponse)
  @ERRORS
  predictOneWithVersion(
    @Param('name') name: string,
    @Param('version', ParseIntPipe) version: number,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.one(namedOnly(name, 'POST /v2/models/iris/versions/{version}/infer'), version, body, res);
  }

  @Post(':name/versions/:version/predict/batch')
  @Access('predict')
  @HttpCode(200)
  @ApiOperation({ summary: 'Predict a batch of rows with a given version of a named model' })
  @NAME
  @ApiParam({ name: 'version', example: 1 })
  @ApiJsonBody(batchBody, { 'two wines': { instances: [WINE_ROW, { ...WINE_ROW, proline: 480, flavanoids: 0.6 }] } })
  @ApiJsonResponse(200, 'One prediction per row, in input order', batchResponse)
  @ERRORS
  predictBatchWithVersion(
    @Param('name') name: string,
    @Param('version', ParseIntPipe) version: number,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.batch(namedOnly(name, 'POST /v2/models/iris/versions/{version}/infer'), version, body, res);
  }

  private async one(name: string, version: number | undefined, body: unknown, res: Response) {
    const started = process.hrtime.bigint();
    const ids = idsOf(res);
    if (modelName(name) === DEFAULT_MODEL) {
      const reply = await this.predictions.predict([validateBody(featuresSchema, body)], ids);
      return {
        status: 'success',
        model: DEFAULT_MODEL,
        ...reply.predictions[0],
        model_version: reply.model_version,
        ...idFields(ids),
        latency_ms: since(started),
      };
    }
    const scoring = this.scoring(name, version);
    const rows = this.checked(scoring, [body], '');
    const reply = await this.named.predict(name, rows, scoring.model.params, ids, version);
    return { status: 'success', model: name, ...reply.predictions[0], model_version: reply.model_version, ...idFields(ids), latency_ms: since(started) };
  }

  private async batch(name: string, version: number | undefined, body: unknown, res: Response) {
    const started = process.hrtime.bigint();
    const ids = idsOf(res);
    if (modelName(name) === DEFAULT_MODEL) {
      const reply = await this.predictions.predict(validateBody(batchSchema, body).instances, ids);
      return {
        status: 'success',
        model: DEFAULT_MODEL,
        model_version: reply.model_version,
        ...idFields(ids),
        latency_ms: since(started),
        predictions: reply.predictions,
      };
    }
    const scoring = this.scoring(name, version);
    const { instances } = validateBody(z.strictObject({ instances: z.array(z.unknown()).min(1).max(MAX_BATCH) }), body);
    const rows = this.checked(scoring, instances, 'instances');
    const reply = await this.named.predict(name, rows, scoring.model.params, ids, version);
    return { status: 'success', model: name, model_version: reply.model_version, ...idFields(ids), latency_ms: since(started), predictions: reply.predictions };
  }

  /** The first retrain of an unknown name creates the model, with the features and classes of its dataset. */
  @Post(':name/retrain')
  @Access('admin')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Train a version of a model from a CSV in DATA_DIR (the first creates the model); the run record at the Location tells the outcome',
  })
  @NAME
  @ApiJsonBody(
    retrainParamsSchema,
    {
      'wine, logistic regression, with a holdout': {
        algorithm: 'logistic_regression',
        params: { C: 1 },
        dataset: { source: 'csv', path: 'wine-train.csv', label: 'class' },
        holdout: { source: 'csv', path: 'wine-test.csv', label: 'class' },
      },
    },
    'dataset names a CSV below DATA_DIR and its label column; every other column is a numeric feature',
  )
  @ApiJsonResponse(202, 'Accepted: follow the job at /retrain/{job_id}', acceptedJobSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503])
  async retrain(@Param('name') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    const model = modelName(name);
    const params = validateBody(retrainParamsSchema, body ?? {});
    if (model === DEFAULT_MODEL) checkDefaultRetrain(params, this.config.MIN_HOLDOUT_ROWS);
    else this.checkNamedRetrain(model, params);
    const jobId = await this.jobs.submit(model === DEFAULT_MODEL ? params : { ...params, model_name: model });
    res.setHeader('Location', `/retrain/${jobId}`);
    return { job_id: jobId, status: 'accepted' };
  }

  @Post(':name/versions/:version/promote')
  @Access('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Make a version of a named model its current one (rollback or roll forward)' })
  @NAME
  @ApiParam({ name: 'version', example: 1 })
  @ApiJsonBody(reasonBody, { 'with a reason': { reason: 'back to the NB' } }, 'Optional')
  @ApiJsonResponse(
    200,
    'Applied by the registry owner',
    z.strictObject({ model: z.string(), version: z.number().nullable(), outcome: z.string(), reason: z.string() }),
  )
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503, 504])
  async promote(@Param('name') name: string, @Param('version', ParseIntPipe) version: number, @Body() body: unknown) {
    const model = namedOnly(name, 'POST /models/{version}/promote');
    if (!this.models.version(model, version)) throw notFound(`model ${model} has no version ${version}`);
    const reason = validateBody(reasonBody.optional(), body ?? undefined)?.reason ?? `manual promotion of version ${version}`;
    const d = await this.command(model, 'promote', version, reason);
    return { model, version: d.version, outcome: d.outcome, reason: d.reason };
  }

  /** Archives the model: its routes answer 404, its name stays taken, its documents stay searchable. */
  @Delete(':name')
  @Access('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Archive a named model: its routes answer 404 after, its name is not reused, its documents stay searchable' })
  @ApiParam({ name: 'name', example: 'wine-old', description: 'A named model' })
  @ApiJsonResponse(200, 'Archived', z.strictObject({ model: z.string(), outcome: z.string(), reason: z.string() }))
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 429, 503, 504])
  async archive(@Param('name') name: string) {
    // A version is never deleted (rollback needs it): there is no such route for a number.
    if (/^\d+$/.test(name)) throw notFound('Cannot DELETE a model version; DELETE /models/{name} archives a named model');
    const model = namedOnly(name, 'nothing: the default model cannot be deleted');
    if (!this.models.registry(model) || this.models.archivedAt(model) !== null) throw notFound(`there is no model named ${model}`);
    const d = await this.command(model, 'archive_model', null, 'deleted by DELETE /models/{name}');
    return { model, outcome: d.outcome, reason: d.reason };
  }

  /** The version that will score: the model's current one, or the one the request names. */
  private scoring(name: string, version: number | undefined): NamedModelRegistered {
    const model = modelName(name);
    const registry = this.models.serving(model);
    if (!registry) {
      const archived = this.models.archivedAt(model);
      throw notFound(archived ? `model ${model} was deleted at ${archived}` : `there is no model named ${model}`);
    }
    if (version !== undefined) return registry.get(version) ?? throwing(notFound(`model ${model} has no version ${version}`));
    const current = registry.current();
    if (!current) throw new HttpFailure(409, 'no_current_version', `model ${model} has no current version: no version passed the promotion gate yet`);
    return current;
  }

  private checked(current: NamedModelRegistered, rows: unknown[], prefix: string): NamedInstance[] {
    const problems = namedInstanceProblems(rows, current.model.params.featureNames, current.model_name, prefix);
    if (problems.length > 0) {
      const body: ApiErrorBody = { status: 'error', error: 'validation_failed', details: problems };
      throw new BadRequestException(body);
    }
    return rows as NamedInstance[];
  }

  /** What the gateway can tell before anything is published; the trainer checks the files themselves. */
  private checkNamedRetrain(model: string, params: z.infer<typeof retrainParamsSchema>): void {
    if (this.models.archivedAt(model) !== null)
      throw new HttpFailure(409, 'model_deleted', `model ${model} was deleted; a deleted model's name is not reused: choose another name`);
    const dataset = params.dataset;
    if (dataset === undefined)
      throw new HttpFailure(400, 'dataset_required', `a model is trained from a dataset: give dataset {"source":"csv","path":…,"label":…}`);
    if (dataset.source === 'inline')
      throw new HttpFailure(
        400,
        'unsupported_dataset',
        'a named model takes its rows as {"source":"rows","label":…,"rows":[{feature: number, …, label: class}]}; "inline" rows (iris, with species) are for the default model',
      );
    if ((dataset.source === 'feedback' || dataset.source === 'rows') && !this.models.registry(model))
      throw notFound(`there is no model named ${model} to retrain from ${dataset.source}: a model learns its features and classes from a CSV first`);
    if (dataset.source === 'csv' && dataset.label === undefined)
      throw new HttpFailure(400, 'label_required', 'name the label column of the CSV (dataset.label): every other column is a feature');
  }

  private command(model: string, action: RegistryAction, version: number | null, reason: string): Promise<ModelDecision> {
    return this.decisions.manual({ model, action, version, reason });
  }
}

function throwing(err: Error): never {
  throw err;
}

function since(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3;
}
