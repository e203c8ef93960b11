import { Body, Controller, HttpCode, NotFoundException, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { DEFAULT_MODEL, SERVED_MODEL_NAME, modelNameSchema } from '@app/contracts';
import { NamedModels } from '@app/registry';
import { ALGORITHMS, CLASS_NAMES, FEATURE_NAMES, importModel, type ImportedModel } from '@app/model';
import { HttpFailure, apiErrorBodySchema } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { acceptedJobSchema } from '../retrain/retrain.controller';
import { RetrainJobs } from '../retrain/retrain-jobs';

/** What scripts/export-sklearn-model.py writes; the estimator's own validator checks the rest. */
const exportedModelSchema = z.looseObject({
  algorithm: z.enum(ALGORITHMS),
  featureNames: z.array(z.string()),
  classNames: z.array(z.string()),
});

/** The seed's own model (bench/baseline/train.py) as the export script writes it. */
const SEED_MODEL = {
  algorithm: 'logistic_regression',
  featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
  classNames: ['setosa', 'versicolor', 'virginica'],
  coef: [
    [-0.39381460805152213, 0.9622086293109458, -2.375191766439146, -0.9987271034201018],
    [0.5085589665942839, -0.25478895194614026, -0.2128609784887375, -0.7757846009236494],
    [-0.11474435854274564, -0.7074196773647979, 2.588052744927897, 1.7745117043437468],
  ],
  intercept: [9.011471124908772, 1.8677421598504393, -10.879213284759098],
  C: 1.0,
  source: { library: 'scikit-learn', version: '1.9.1', estimator: 'LogisticRegression' },
};

@ApiTags('models')
@Controller('models')
export class ModelImportController {
  constructor(
    private readonly jobs: RetrainJobs,
    private readonly models: NamedModels,
  ) {}

  /**
   * Registers a model fitted elsewhere (a scikit-learn GaussianNB or LogisticRegression exported by
   * scripts/export-sklearn-model.py). The trainer, the registry's one writer, judges it through the
   * same gate as a trained candidate; the run record at the Location tells the outcome.
   */
  @Post(':name/versions')
  @Access('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Register a model fitted elsewhere (scikit-learn, exported to JSON); it goes through the same gate as a retrain' })
  @ApiParam({ name: 'name', example: SERVED_MODEL_NAME })
  @ApiJsonBody(exportedModelSchema, { "the seed's LogisticRegression": SEED_MODEL }, 'The JSON scripts/export-sklearn-model.py writes')
  @ApiJsonResponse(202, 'Accepted: follow the job at /retrain/{job_id}', acceptedJobSchema)
  @ApiErrorResponses(apiErrorBodySchema, [400, 401, 403, 404, 409, 413, 415, 429, 503])
  async importVersion(@Param('name') name: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response) {
    if (name === DEFAULT_MODEL) {
      const imported = this.check(body, FEATURE_NAMES, CLASS_NAMES, DEFAULT_MODEL);
      const jobId = await this.jobs.submit({ model: imported.params, reason: 'manual' });
      res.setHeader('Location', `/retrain/${jobId}`);
      return { job_id: jobId, status: 'accepted' };
    }
    // A named model's import is judged on the model's reference set (its first dataset); a new
    // model's import brings that dataset as `reference`, and the model is created from the two.
    const { reference, exported } = splitReference(body);
    const valid = modelNameSchema.safeParse(name).success;
    if (valid && reference && !this.models.registry(name)) {
      const imported = this.check(exported, null, null, name);
      const jobId = await this.jobs.submit({ model: imported.params, dataset: reference, reason: 'manual', model_name: name });
      res.setHeader('Location', `/retrain/${jobId}`);
      return { job_id: jobId, status: 'accepted' };
    }
    if (valid && this.models.archivedAt(name) !== null)
      throw new HttpFailure(409, 'model_deleted', `model ${name} was deleted; a deleted model's name is not reused: choose another name`);
    const current = valid ? this.models.serving(name)?.current() : undefined;
    if (!current) {
      throw new NotFoundException({
        status: 'error',
        error: 'not_found',
        message: `No model named ${JSON.stringify(name.slice(0, 64))} with a current version; create it with POST /models/{name}/retrain, or import its first version with "reference": {"source":"csv","path":…,"label":…} (the dataset it is judged on, now and later)`,
      });
    }
    if (reference) throw new HttpFailure(400, 'reference_exists', `model ${name} exists: its reference set is its first dataset; import without "reference"`);
    const imported = this.check(exported, current.model.params.featureNames, current.model.params.classNames, name);
    const jobId = await this.jobs.submit({ model: imported.params, reason: 'manual', model_name: name });
    res.setHeader('Location', `/retrain/${jobId}`);
    return { job_id: jobId, status: 'accepted' };
  }

  /** The exported model checked; against the model's features and classes when it has them (a new model learns them from its reference CSV). */
  private check(body: unknown, features: readonly string[] | null, classes: readonly string[] | null, model: string): ImportedModel {
    let imported: ImportedModel;
    try {
      imported = importModel(body);
    } catch (err) {
      throw new HttpFailure(400, 'invalid_model', (err as Error).message);
    }
    const { featureNames, classNames } = imported.params;
    if (features === null || classes === null) return imported;
    if (featureNames.join() !== features.join() || classNames.join() !== classes.join()) {
      throw new HttpFailure(
        400,
        'schema_mismatch',
        `the model takes features [${featureNames.join(', ')}] and classes [${classNames.join(', ')}]; "${model}" takes [${features.join(', ')}] and [${classes.join(', ')}], in that order`,
      );
    }
    return imported;
  }
}

const referenceSchema = z.strictObject({ source: z.literal('csv'), path: z.string().min(1).max(4096), label: z.string().min(1).max(200) });

/** The export and, for a new named model, the `reference` CSV it comes with (a 400 naming what is wrong with it). */
function splitReference(body: unknown): { reference?: z.infer<typeof referenceSchema>; exported: unknown } {
  if (typeof body !== 'object' || body === null || !('reference' in body)) return { exported: body };
  const { reference, ...exported } = body as { reference: unknown };
  const parsed = referenceSchema.safeParse(reference);
  if (!parsed.success)
    throw new HttpFailure(
      400,
      'invalid_reference',
      `reference must be {"source":"csv","path":…,"label":…}: ${parsed.error.issues[0].path.join('.') || 'reference'} ${parsed.error.issues[0].message}`,
    );
  return { reference: parsed.data, exported };
}
