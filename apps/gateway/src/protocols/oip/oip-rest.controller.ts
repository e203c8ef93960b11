import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  oipErrorSchema,
  oipInferRequestSchema,
  oipInferResponseSchema,
  oipModelMetadataSchema,
  oipModelReadySchema,
  oipRepositoryIndexRequestSchema,
  oipRepositoryIndexSchema,
  oipServerLiveSchema,
  oipServerMetadataSchema,
  oipServerReadySchema,
  type OipInferResponse,
  type OipModelMetadata,
  type OipRepositoryIndex,
  type OipServerMetadata,
} from '@app/contracts';
import { validateBody } from '@app/runtime';
import { ApiErrorResponses, ApiJsonBody, ApiJsonResponse } from '@app/runtime/openapi';
import { Access } from '@app/security';
import { idsOf } from '../../prediction/request-ids';
import { OIP_MODEL_NAME, OipModel } from './oip-model';

const MODEL = ApiParam({
  name: 'model',
  example: OIP_MODEL_NAME,
  description: 'iris (the default model) or a named model (POST /v2/repository/index lists them)',
});
const VERSION = ApiParam({ name: 'version', example: '1', description: 'A registered version (GET /models lists them)' });
const INFER_ERRORS = ApiErrorResponses(oipErrorSchema, [400, 401, 403, 404, 413, 415, 429, 502, 503, 504]);
const METADATA_ERRORS = ApiErrorResponses(oipErrorSchema, [401, 403, 404, 429, 503]);
const SERVER_ERRORS = ApiErrorResponses(oipErrorSchema, [401, 403, 429, 503]);

const INFER_EXAMPLES = {
  'KServe iris example: one [N,4] FP32 tensor, nested': {
    inputs: [
      {
        name: 'input-0',
        shape: [2, 4],
        datatype: 'FP32',
        data: [
          [6.8, 2.8, 4.8, 1.4],
          [6.0, 3.4, 4.5, 1.6],
        ],
      },
    ],
  },
  'FP64 flat, with an id, parameters and two outputs': {
    id: '42',
    parameters: { tenant: 'demo' },
    inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: [5.1, 3.5, 1.4, 0.2] }],
    outputs: [{ name: 'label' }, { name: 'probabilities' }],
  },
  'four [N] tensors named after the features': {
    inputs: [
      { name: 'sepal_length', shape: [2], datatype: 'FP64', data: [5.1, 6.3] },
      { name: 'sepal_width', shape: [2], datatype: 'FP64', data: [3.5, 3.3] },
      { name: 'petal_length', shape: [2], datatype: 'FP64', data: [1.4, 6.0] },
      { name: 'petal_width', shape: [2], datatype: 'FP64', data: [0.2, 2.5] },
    ],
  },
};

const OUTPUTS = 'label (BYTES [N]), class_id (INT64 [N]), probabilities ([N,C] in the input datatype, C the model’s classes: 3 for iris)';

/**
 * Open Inference Protocol v2 over REST (the KServe/Triton/Seldon "v2" protocol): health,
 * metadata and inference of the default model "iris", on the same request path as /predict,
 * and of every named model, on the path of /models/{name}/predict/batch; the model repository
 * index. Errors are the specification's `{"error": …}` (oipErrorBody, bound to /v2 in the
 * gateway's app options).
 */
@ApiTags('open inference protocol v2')
@Controller('v2')
export class OipRestController {
  constructor(private readonly model: OipModel) {}

  @Get()
  @Access('predict')
  @ApiOperation({ summary: 'Server metadata' })
  @ApiJsonResponse(200, 'Name, version and extensions of the server', oipServerMetadataSchema)
  @SERVER_ERRORS
  serverMetadata(): OipServerMetadata {
    return this.model.serverMetadata();
  }

  @Get('health/live')
  @Access('public')
  @ApiOperation({ summary: 'Server live' })
  @ApiJsonResponse(200, 'The server answers', oipServerLiveSchema)
  live(): { live: boolean } {
    return { live: true };
  }

  @Get('health/ready')
  @Access('public')
  @ApiOperation({ summary: 'Server ready: broker connected and a model loaded' })
  @ApiJsonResponse(200, 'Ready', oipServerReadySchema)
  @ApiJsonResponse(503, 'Not ready', oipServerReadySchema)
  ready(@Res() res: Response): void {
    const ready = this.model.serverReady();
    res.status(ready ? 200 : 503).json({ ready });
  }

  @Get('models/:model')
  @Access('predict')
  @ApiOperation({ summary: 'Model metadata' })
  @MODEL
  @ApiJsonResponse(200, 'Inputs, outputs and registered versions', oipModelMetadataSchema)
  @METADATA_ERRORS
  metadata(@Param('model') model: string): OipModelMetadata {
    return this.model.metadata(model);
  }

  @Get('models/:model/versions/:version')
  @Access('predict')
  @ApiOperation({ summary: 'Model metadata of a version' })
  @MODEL
  @VERSION
  @ApiJsonResponse(200, 'Inputs, outputs and registered versions', oipModelMetadataSchema)
  @METADATA_ERRORS
  versionMetadata(@Param('model') model: string, @Param('version') version: string): OipModelMetadata {
    return this.model.metadata(model, version);
  }

  @Get('models/:model/ready')
  @Access('predict')
  @ApiOperation({ summary: 'Model ready' })
  @MODEL
  @ApiJsonResponse(200, 'Ready', oipModelReadySchema)
  @ApiJsonResponse(503, 'Not ready', oipModelReadySchema)
  @METADATA_ERRORS
  modelReady(@Param('model') model: string, @Res() res: Response): void {
    this.answerReady(res, model, this.model.modelReady(model));
  }

  @Get('models/:model/versions/:version/ready')
  @Access('predict')
  @ApiOperation({ summary: 'Model ready, for a version' })
  @MODEL
  @VERSION
  @ApiJsonResponse(200, 'Ready', oipModelReadySchema)
  @ApiJsonResponse(503, 'Not ready', oipModelReadySchema)
  @METADATA_ERRORS
  versionReady(@Param('model') model: string, @Param('version') version: string, @Res() res: Response): void {
    this.answerReady(res, model, this.model.modelReady(model, version));
  }

  @Post('models/:model/infer')
  @Access('predict')
  @HttpCode(200)
  @ApiOperation({ summary: 'Inference with the serving version' })
  @MODEL
  @ApiJsonBody(oipInferRequestSchema, INFER_EXAMPLES)
  @ApiJsonResponse(200, OUTPUTS, oipInferResponseSchema)
  @INFER_ERRORS
  infer(@Param('model') model: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<OipInferResponse> {
    return this.model.infer(model, undefined, body, idsOf(res));
  }

  @Post('models/:model/versions/:version/infer')
  @Access('predict')
  @HttpCode(200)
  @ApiOperation({ summary: 'Inference with a registered version' })
  @MODEL
  @VERSION
  @ApiJsonBody(oipInferRequestSchema, INFER_EXAMPLES)
  @ApiJsonResponse(200, OUTPUTS, oipInferResponseSchema)
  @INFER_ERRORS
  inferVersion(
    @Param('model') model: string,
    @Param('version') version: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OipInferResponse> {
    return this.model.infer(model, version, body, idsOf(res));
  }

  /** The model repository extension's index (as Triton and MLServer answer it), at the access level of model metadata. */
  @Post('repository/index')
  @Access('predict')
  @HttpCode(200)
  @ApiOperation({ summary: 'Model repository index: every model, its serving version and state' })
  @ApiJsonBody(oipRepositoryIndexRequestSchema, { 'every model': {}, 'the ready ones only': { ready: true } }, 'Optional')
  @ApiJsonResponse(200, 'The default model, then every named model by name: READY, or UNAVAILABLE with the reason', oipRepositoryIndexSchema)
  @ApiErrorResponses(oipErrorSchema, [400, 401, 403, 413, 415, 429, 503])
  repositoryIndex(@Body() body: unknown): OipRepositoryIndex {
    const { ready } = validateBody(oipRepositoryIndexRequestSchema, body ?? {});
    return this.model.repositoryIndex(ready === true);
  }

  private answerReady(res: Response, model: string, ready: boolean): void {
    res.status(ready ? 200 : 503).json({ name: model, ready });
  }
}
