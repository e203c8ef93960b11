import { Controller, Get, HttpCode, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { z } from 'zod';
import {
  DEFAULT_MODEL,
  apiErrorBodySchema,
  featuresFromCsv,
  featuresFromMlflowJson,
  mlflowJsonRequestSchema,
  mlflowNamedResponseSchema,
  mlflowResponseSchema,
  modelNameSchema,
  namedRowsFromCsv,
  namedRowsFromMlflowJson,
  type MlflowNamedResponse,
  type MlflowResponse,
} from '@app/contracts';
import { Readiness } from '@app/observability';
import { NamedModels } from '@app/registry';
import { HttpFailure } from '@app/runtime';
import { ApiErrorResponses, ApiJsonResponse, jsonSchemaOf } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { NamedPredictionService } from '../../prediction/named-prediction.service';
import { PredictionService } from '../../prediction/prediction.service';
import { idsOf } from '../../prediction/request-ids';
import { MlflowExceptionsFilter } from './mlflow-exceptions.filter';

const COLUMNS = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
const JSON_EXAMPLES = {
  dataframe_split: {
    dataframe_split: {
      columns: COLUMNS,
      data: [
        [5.1, 3.5, 1.4, 0.2],
        [6.3, 3.3, 6.0, 2.5],
      ],
    },
  },
  dataframe_records: { dataframe_records: [{ sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 }] },
  instances: { instances: [[6.4, 3.2, 4.5, 1.5]] },
  inputs: { inputs: { sepal_length: [5.1, 6.3], sepal_width: [3.5, 3.3], petal_length: [1.4, 6.0], petal_width: [0.2, 2.5] } },
};
const CSV_EXAMPLE = 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.3,3.3,6.0,2.5\n';
const mlflowErrorSchema = apiErrorBodySchema.extend({ error_code: z.string().meta({ description: "MLflow's error code, e.g. BAD_REQUEST" }) });

/**
 * MLflow's scoring protocol, as `mlflow models serve` answers it: POST /invocations with a data
 * frame (JSON in four layouts, or CSV with a header row), columns matched by name; GET /ping.
 * The answer is what an MLflow pyfunc scikit-learn classifier returns: `predict`'s class
 * labels under `predictions`. The request path is /predict's: one prediction event per request.
 * POST /models/{name}/invocations is the same protocol for any model by name: the default
 * model's path for iris, a named model's (/models/{name}/predict/batch's) for any other.
 */
@ApiTags('mlflow')
@Controller()
export class InvocationsController {
  constructor(
    private readonly predictions: PredictionService,
    private readonly named: NamedModels,
    private readonly namedPredictions: NamedPredictionService,
    private readonly readiness: Readiness,
  ) {}

  @Post('invocations')
  @Access('predict')
  @HttpCode(200)
  // The body is read from the request rather than through @Body(): Nest's OpenAPI explorer would
  // give both media types the JSON schema, and each has its own.
  @ApiOperation({
    summary: 'Score a data frame (MLflow scoring protocol)',
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: jsonSchemaOf(mlflowJsonRequestSchema, 'input'), examples: named(JSON_EXAMPLES) },
        'text/csv': {
          schema: { type: 'string', description: 'A header row naming the columns (any order), then one row per line' },
          examples: named({ csv: CSV_EXAMPLE }),
        },
      },
    },
  })
  @ApiJsonResponse(200, 'The class label of each row, in input order', mlflowResponseSchema)
  @ApiErrorResponses(mlflowErrorSchema, [400, 401, 403, 404, 413, 415, 429, 502, 503, 504])
  async invocations(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<MlflowResponse> {
    const body: unknown = req.body;
    const instances = req.is('text/csv') ? featuresFromCsv(typeof body === 'string' ? body : '') : featuresFromMlflowJson(body);
    const reply = await this.predictions.predict(instances, idsOf(res));
    return { predictions: reply.predictions.map((p) => p.prediction) };
  }

  /** Any model by name, its current version; columns are its own features (GET /models/{name} lists them). */
  @Post('models/:name/invocations')
  @Access('predict')
  @HttpCode(200)
  @UseFilters(MlflowExceptionsFilter)
  @ApiOperation({
    summary: 'Score a data frame with a model by name (MLflow scoring protocol)',
    requestBody: {
      required: true,
      content: { 'application/json': { schema: jsonSchemaOf(mlflowJsonRequestSchema, 'input'), examples: named(JSON_EXAMPLES) } },
    },
  })
  @ApiParam({ name: 'name', example: DEFAULT_MODEL, description: 'iris (the default model, as POST /invocations) or a named model, e.g. wine' })
  @ApiJsonResponse(200, 'The class label of each row, in input order', mlflowNamedResponseSchema)
  @ApiErrorResponses(mlflowErrorSchema, [400, 401, 403, 404, 413, 415, 429, 502, 503, 504])
  async namedInvocations(@Param('name') name: string, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<MlflowNamedResponse> {
    if (name === DEFAULT_MODEL) return this.invocations(req, res);
    const parsed = modelNameSchema.safeParse(name);
    if (!parsed.success) throw new HttpFailure(400, 'invalid_model_name', `${JSON.stringify(name.slice(0, 64))} ${parsed.error.issues[0].message}`);
    const registry = this.named.serving(name);
    if (!registry) throw new HttpFailure(404, 'model_not_found', `there is no model named ${name}`);
    const current = registry.current();
    if (!current) {
      throw new HttpFailure(
        503,
        'model_not_ready',
        `model ${name} has no current version: no version has passed the promotion gate yet; name one with POST /models/${name}/versions/{version}/predict/batch`,
      );
    }
    const params = current.model.params;
    const body: unknown = req.body;
    const rows = req.is('text/csv')
      ? namedRowsFromCsv(typeof body === 'string' ? body : '', params.featureNames, name)
      : namedRowsFromMlflowJson(body, params.featureNames, name);
    const reply = await this.namedPredictions.predict(name, rows, params, idsOf(res));
    return { predictions: reply.predictions.map((p) => p.prediction) };
  }

  /** MLflow's health check: 200 once the gateway can serve (broker connected, a model loaded). */
  @Get('ping')
  @Access('public')
  @ApiOperation({ summary: 'Health check (MLflow scoring protocol)' })
  @ApiResponse({ status: 200, description: 'Ready to score', schema: jsonSchemaOf(z.strictObject({ status: z.literal('ready') })) })
  @ApiResponse({ status: 503, description: 'Not ready', schema: jsonSchemaOf(z.strictObject({ status: z.literal('not_ready') })) })
  ping(@Res() res: Response): void {
    const ready = this.readiness.evaluate().ready;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
  }
}

function named(examples: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { summary: name, value }]));
}
