import { loadConfig } from '@app/config';
import { datasetFromRows, estimatorFor, fingerprintDataset, irisDataset, type AlgorithmName, type IrisRowInput, type ModelParams } from '@app/model';
import { modelChecksum, trainModel } from '@app/training';
import { getJson } from './http';

export interface RetrainRequest {
  algorithm?: AlgorithmName;
  params?: Record<string, number>;
  test_size?: number;
  random_state?: number;
  dataset?: { source: 'iris' } | { source: 'inline'; rows: IrisRowInput[] };
  reason?: 'manual' | 'drift' | 'schedule';
}

/** Defaults the trainer applies to an omitted parameter (docs/api.md: POST /retrain). */
const DEFAULTS = { test_size: 0.2, random_state: 42, algorithm: 'gaussian_nb' as AlgorithmName };

export interface ServingState {
  version: number;
  params: ModelParams;
  /** The version the trainer gives its next candidate: one past every version registered. */
  nextVersion: number;
}

/** The model serving now and the registry's highest version, as the gateway reports them. */
export async function servingState(gatewayUrl: string): Promise<ServingState> {
  const [current, listing] = await Promise.all([getJson(`${gatewayUrl}/models/current`), getJson(`${gatewayUrl}/models`)]);
  if (current.status !== 200) throw new Error(`GET /models/current answered ${current.status}: a test retrain needs a serving model`);
  const versions = (listing.body.models as Array<{ version: number }>).map((m) => m.version);
  return { version: current.body.version as number, params: current.body.params as ModelParams, nextVersion: Math.max(0, ...versions) + 1 };
}

/**
 * The run the trainer must record for `request` against `serving`, computed with the same pure
 * pipeline and gate settings. This checks the wiring (the trainer ran that pipeline with those
 * settings), not the algorithm: libs/model's scikit-learn and literal-value specs do that. A spec
 * in a namespace of its own (test/support/namespace.ts) reads a `serving` it created itself.
 */
export function expectedRun(serving: ServingState, request: RetrainRequest) {
  const data = request.dataset?.source === 'inline' ? datasetFromRows(request.dataset.rows) : irisDataset();
  const testSize = request.test_size ?? DEFAULTS.test_size;
  const randomState = request.random_state ?? DEFAULTS.random_state;
  const config = loadConfig(process.env);
  const algorithm = request.algorithm ?? DEFAULTS.algorithm;
  const hyperparameters = estimatorFor(algorithm).hyperparameters(request.params) as Record<string, number>;
  const result = trainModel(
    data,
    { algorithm, testSize, randomState, hyperparameters },
    {
      minAccuracy: config.MIN_ACCURACY,
      maxRegression: config.MAX_REGRESSION,
      minHoldoutRows: config.MIN_HOLDOUT_ROWS,
      maxReferenceRegression: config.REFERENCE_MAX_REGRESSION,
    },
    serving.params,
    // The trainer's default reference set (REFERENCE_DATASET=iris).
    irisDataset(),
  );
  const fp = fingerprintDataset(data);
  return {
    status: result.decision.promote ? 'promoted' : 'rejected',
    params: {
      algorithm,
      hyperparameters,
      test_size: testSize,
      random_state: randomState,
      ...(hyperparameters.var_smoothing !== undefined ? { var_smoothing: hyperparameters.var_smoothing } : {}),
      dataset: request.dataset?.source ?? 'iris',
      reason: request.reason ?? 'manual',
    },
    dataset: { sha256: fp.sha256, rows: fp.rows, class_counts: fp.classCounts },
    metrics: result.evaluation,
    current_model_accuracy_on_holdout: result.currentAccuracyOnHoldout,
    reference: result.reference && { dataset: 'iris', ...result.reference },
    model_version: serving.nextVersion,
    artifact_checksum: modelChecksum(result.params),
    outcome_reason: result.decision.reason,
    code_version: config.CODE_VERSION,
  };
}

/**
 * Iris retrain parameters (random_state searched from `fromSeed`) whose candidate scores 1.0 on
 * its own holdout and passes the reference check against `serving`: a retrain the gate promotes.
 */
export function promotableRetrain(serving: ServingState, testSize: number, fromSeed: number) {
  for (let seed = fromSeed; seed < fromSeed + 500; seed++) {
    const request = { test_size: testSize, random_state: seed, reason: 'manual' as const };
    const expected = expectedRun(serving, request);
    if (expected.metrics.accuracy === 1 && expected.status === 'promoted') return { request, expected };
  }
  throw new Error(`no random_state in ${fromSeed}..${fromSeed + 499} gives a perfect holdout at test_size ${testSize}`);
}

/** The fields of a finished run the API returns that no test can know in advance. */
export const RUN_RUNTIME_FIELDS = {
  run_id: expect.any(String),
  started_at: expect.any(String),
  finished_at: expect.any(String),
  duration_ms: expect.any(Number),
};
