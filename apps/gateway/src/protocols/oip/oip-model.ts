import { Inject, Injectable } from '@nestjs/common';
import {
  SERVED_MODEL_NAME,
  OIP_INPUT_METADATA,
  OIP_OUTPUT_METADATA,
  decodeInferInputs,
  decodeNamedInferInputs,
  encodeInferOutputs,
  oipFeatureInputMetadata,
  oipInferRequestSchema,
  oipInferRequestSchemaFor,
  oipOutputMetadata,
  requestedOutputs,
  type NamedModelRegistered,
  type OipInferResponse,
  type OipModelMetadata,
  type OipRepositoryIndex,
  type OipServerMetadata,
} from '@app/contracts';
import type { AppConfig } from '@app/config';
import { Readiness } from '@app/observability';
import { ModelRegistry, NamedModels } from '@app/registry';
import { APP_CONFIG, HttpFailure, validateBody } from '@app/runtime';
import { NamedPredictionService } from '../../prediction/named-prediction.service';
import { PredictionService, type RequestIds } from '../../prediction/prediction.service';

/** The default model, under the name clients address it by. */
export const OIP_MODEL_NAME = SERVED_MODEL_NAME;
const SERVER_NAME = 'iris-platform';
const PLATFORM = 'iris-platform_gaussian-nb';
/** At most this many model names spelled out in a "not found" message. */
const MAX_NAMES_SHOWN = 10;

/** A named model a request addresses: its registry, and the version it names (undefined: the current one). */
interface NamedTarget {
  name: string;
  registry: ModelRegistry<NamedModelRegistered>;
  pinned: NamedModelRegistered | undefined;
}

/**
 * The models as the Open Inference Protocol sees them, shared by the REST and gRPC transports:
 * the default model (iris) from this gateway's registry view, inferring through the same Kafka
 * request path as /predict, and every named model from its own registry (NamedModels),
 * inferring through the path of /models/{name}/predict/batch. Versions are the registry's (any
 * registered version can be named, a rejected candidate included: comparing versions is what
 * naming one is for).
 */
@Injectable()
export class OipModel {
  constructor(
    private readonly registry: ModelRegistry,
    private readonly named: NamedModels,
    private readonly readiness: Readiness,
    private readonly predictions: PredictionService,
    private readonly namedPredictions: NamedPredictionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  serverMetadata(): OipServerMetadata {
    return { name: SERVER_NAME, version: this.config.CODE_VERSION, extensions: [] };
  }

  serverReady(): boolean {
    return this.readiness.evaluate().ready;
  }

  metadata(model: string, version?: string): OipModelMetadata {
    if (model !== OIP_MODEL_NAME) return this.namedMetadata(this.resolveNamed(model, version));
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
    if (model !== OIP_MODEL_NAME) {
      const { registry, pinned } = this.resolveNamed(model, version);
      return this.serverReady() && (pinned !== undefined || registry.current() !== undefined);
    }
    const named = this.resolve(model, version);
    return this.serverReady() && (named !== undefined || this.registry.current() !== undefined);
  }

  async infer(model: string, version: string | undefined, body: unknown, ids: RequestIds): Promise<OipInferResponse> {
    if (model !== OIP_MODEL_NAME) return this.namedInfer(this.resolveNamed(model, version), body, ids);
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

  /**
   * The model repository extension's index: the default model, then every named model by name
   * (archived ones included, their names stay taken), each with its serving version. READY: it
   * infers now; UNAVAILABLE with the reason otherwise.
   */
  repositoryIndex(readyOnly = false): OipRepositoryIndex {
    const serverReady = this.serverReady();
    const entry = (name: string, current: number | undefined, unavailable: string | undefined): OipRepositoryIndex[number] => {
      const reason = unavailable ?? (serverReady ? undefined : 'the server is not ready to infer (GET /v2/health/ready)');
      return { name, ...(current !== undefined ? { version: String(current) } : {}), state: reason ? 'UNAVAILABLE' : 'READY', reason: reason ?? '' };
    };
    const current = this.registry.current()?.version;
    const index = [
      entry(OIP_MODEL_NAME, current, current === undefined ? 'no version has been promoted yet' : undefined),
      ...this.named.names().map((name) => {
        const archivedAt = this.named.archivedAt(name);
        if (archivedAt !== null) return entry(name, undefined, `archived at ${archivedAt}: DELETE /models/${name} took it out of service`);
        const version = this.named.registry(name)!.current()?.version;
        return entry(name, version, version === undefined ? 'no version has passed the promotion gate yet' : undefined);
      }),
    ];
    return readyOnly ? index.filter((e) => e.state === 'READY') : index;
  }

  private namedMetadata({ name, registry, pinned }: NamedTarget): OipModelMetadata {
    const versions = registry.list();
    // The features and classes are the model's from its first version on; the platform is the named (or serving) version's.
    const shown = pinned ?? registry.current() ?? versions[versions.length - 1];
    const { algorithm, featureNames, classNames } = shown.model.params;
    return {
      name,
      versions: versions.map((r) => String(r.version)),
      platform: `${SERVER_NAME}_${algorithm.replace(/_/g, '-')}`,
      inputs: oipFeatureInputMetadata(featureNames),
      outputs: oipOutputMetadata(classNames.length),
    };
  }

  private async namedInfer({ name, registry, pinned }: NamedTarget, body: unknown, ids: RequestIds): Promise<OipInferResponse> {
    const scoring = pinned ?? registry.current();
    if (!scoring) {
      const latest = registry.list().at(-1)!.version;
      throw new HttpFailure(
        503,
        'model_not_ready',
        `model "${name}" has no current version: no version has passed the promotion gate yet; name one to infer with it (/v2/models/${name}/versions/${latest}/infer)`,
      );
    }
    const params = scoring.model.params;
    const request = validateBody(oipInferRequestSchemaFor(params.featureNames.length), body);
    const { instances, datatype } = decodeNamedInferInputs(request.inputs, params.featureNames, name);
    const outputs = requestedOutputs(request.outputs);
    const reply = await this.namedPredictions.predict(name, instances, params, ids, pinned?.version);
    return {
      model_name: name,
      model_version: String(reply.model_version),
      id: request.id ?? ids.requestId,
      ...(request.parameters ? { parameters: request.parameters } : {}),
      outputs: encodeInferOutputs(reply.predictions, outputs, datatype, params.classNames),
    };
  }

  /** The registered version a request names (undefined: the serving one); an unknown model or version is a 404. */
  private resolve(model: string, version: string | undefined): number | undefined {
    if (model !== OIP_MODEL_NAME) throw this.modelNotFound(model);
    if (version === undefined || version === '') return undefined;
    const number = versionNumber(version);
    if (number === undefined || !this.registry.get(number)) {
      throw new HttpFailure(404, 'model_version_not_found', `model "${OIP_MODEL_NAME}" has no version "${version.slice(0, 64)}"`);
    }
    return number;
  }

  /** A named model that serves (registered, not archived) and the version a request names; anything else is a 404. */
  private resolveNamed(model: string, version: string | undefined): NamedTarget {
    const registry = this.named.serving(model);
    if (!registry) throw this.modelNotFound(model);
    if (version === undefined || version === '') return { name: model, registry, pinned: undefined };
    const number = versionNumber(version);
    const pinned = number === undefined ? undefined : registry.get(number);
    if (!pinned) throw new HttpFailure(404, 'model_version_not_found', `model "${model}" has no version "${version.slice(0, 64)}"`);
    return { name: model, registry, pinned };
  }

  /** A 404 naming what the server does serve (the default model alone, until a named one exists), or when the model was archived. */
  private modelNotFound(model: string): HttpFailure {
    const shown = model.slice(0, 64);
    const archivedAt = this.named.archivedAt(model);
    if (archivedAt !== null) return new HttpFailure(404, 'model_not_found', `model "${shown}" not found: it was archived at ${archivedAt}`);
    const serving = [OIP_MODEL_NAME, ...this.named.names().filter((name) => this.named.serving(name))];
    const listed = serving
      .slice(0, MAX_NAMES_SHOWN)
      .map((name) => `"${name}"`)
      .join(', ');
    const more = serving.length > MAX_NAMES_SHOWN ? `, … (${serving.length} models: POST /v2/repository/index lists them)` : '';
    return new HttpFailure(404, 'model_not_found', `model "${shown}" not found; this server serves ${listed}${more}`);
  }
}

/** A version as a path or message names it: a positive integer, nothing else. */
function versionNumber(version: string): number | undefined {
  return /^[1-9]\d{0,9}$/.test(version) ? Number(version) : undefined;
}
