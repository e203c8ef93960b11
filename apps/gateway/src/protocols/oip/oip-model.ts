import { Inject, Injectable } from '@nestjs/common';
import {
  SERVED_MODEL_NAME,
  OIP_INPUT_METADATA,
  OIP_OUTPUT_METADATA,
  decodeInferInputs,
  encodeInferOutputs,
  oipInferRequestSchema,
  requestedOutputs,
  type OipInferResponse,
  type OipModelMetadata,
  type OipServerMetadata,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { Readiness } from '@app/observability';
import { ModelRegistry } from '@app/registry';
import { APP_CONFIG, HttpFailure, validateBody } from '@app/runtime';
import { PredictionService, type RequestIds } from '../../prediction/prediction.service';

/** The one model this server serves, under the name clients address it by. */
export const OIP_MODEL_NAME = SERVED_MODEL_NAME;
const SERVER_NAME = 'iris-platform';
const PLATFORM = 'iris-platform_gaussian-nb';

/**
 * The model as the Open Inference Protocol sees it, shared by the REST and gRPC transports:
 * metadata and readiness from this gateway's registry view, inference through the same
 * Kafka request path as /predict. Versions are the registry's (any registered version can be
 * named, a rejected candidate included: comparing versions is what naming one is for).
 */
@Injectable()
export class OipModel {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly readiness: Readiness,
    private readonly predictions: PredictionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  serverMetadata(): OipServerMetadata {
    return { name: SERVER_NAME, version: this.config.CODE_VERSION, extensions: [] };
  }

  serverReady(): boolean {
    return this.readiness.evaluate().ready;
  }

  metadata(model: string, version?: string): OipModelMetadata {
    this.resolve(model, version);
    return {
      name: OIP_MODEL_NAME,
      versions: this.registry.list().map((r) => String(r.version)),
      platform: PLATFORM,
      inputs: OIP_INPUT_METADATA,
      outputs: OIP_OUTPUT_METADATA,
    };
  }

  /** A named version is ready once registered (a worker compiles it on first use); the unnamed model once one is current. */
  modelReady(model: string, version?: string): boolean {
    const named = this.resolve(model, version);
    return this.serverReady() && (named !== undefined || this.registry.current() !== undefined);
  }

  async infer(model: string, version: string | undefined, body: unknown, ids: RequestIds): Promise<OipInferResponse> {
    const modelVersion = this.resolve(model, version);
    const request = validateBody(oipInferRequestSchema, body);
    const { instances, datatype } = decodeInferInputs(request.inputs);
    const outputs = requestedOutputs(request.outputs);
    const reply = await this.predictions.predict(instances, ids, { modelVersion });
    return {
      model_name: OIP_MODEL_NAME,
      model_version: String(reply.model_version),
      id: request.id ?? ids.requestId,
      ...(request.parameters ? { parameters: request.parameters } : {}),
      outputs: encodeInferOutputs(reply.predictions, outputs, datatype),
    };
  }

  /** The registered version a request names (undefined: the serving one); an unknown model or version is a 404. */
  private resolve(model: string, version: string | undefined): number | undefined {
    if (model !== OIP_MODEL_NAME)
      throw new HttpFailure(404, 'model_not_found', `model "${model.slice(0, 64)}" not found; this server serves "${OIP_MODEL_NAME}"`);
    if (version === undefined || version === '') return undefined;
    const number = /^[1-9]\d{0,9}$/.test(version) ? Number(version) : undefined;
    if (number === undefined || !this.registry.get(number)) {
      throw new HttpFailure(404, 'model_version_not_found', `model "${OIP_MODEL_NAME}" has no version "${version.slice(0, 64)}"`);
    }
    return number;
  }
}
