import type { AppConfig } from '@app/config';
import type { ModelRegistered, NamedModelRegistered, NamedScoredResult } from '@app/contracts';
import type { Readiness } from '@app/observability';
import { ModelRegistry, NamedModels } from '@app/registry';
import { HttpFailure } from '@app/runtime';
import type { NamedPredictionService } from '../../prediction/named-prediction.service';
import type { PredictionService } from '../../prediction/prediction.service';
import { OipModel } from './oip-model';

const FEATURES = ['density', 'ph', 'sulphates'];
const CLASSES = ['red', 'white'];
const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;

const iris = (version: number, status: ModelRegistered['status']): ModelRegistered =>
  ({ version, status, status_reason: 'test', parent_version: null, job_id: `iris-${version}`, registered_at: at(version), model: {} }) as ModelRegistered;

const named = (
  model_name: string,
  version: number,
  status: NamedModelRegistered['status'],
  algorithm = 'gaussian_nb',
  deleted_at: string | null = null,
): NamedModelRegistered =>
  ({
    model_name,
    version,
    status,
    status_reason: 'test',
    parent_version: null,
    job_id: `${model_name}-${version}`,
    registered_at: at(version),
    deleted_at,
    schema: { label: 'colour', features: FEATURES.map((name) => ({ name, min: 0, max: 1 })), reference: { dataset: 'v.csv', label: 'colour' } },
    model: { params: { algorithm, featureNames: FEATURES, classNames: CLASSES } },
  }) as unknown as NamedModelRegistered;

function oip(records: NamedModelRegistered[], options: { ready?: boolean; irisCurrent?: boolean } = {}) {
  const registry = new ModelRegistry();
  if (options.irisCurrent ?? true) registry.apply(iris(1, 'current'));
  const models = new NamedModels();
  for (const r of records) models.apply(r);
  const readiness = { evaluate: () => ({ ready: options.ready ?? true, checks: {} }) } as unknown as Readiness;
  const reply: Omit<NamedScoredResult, 'model_version'> = {
    outcome: 'scored',
    request_id: 'r-1',
    event_id: 'e-1',
    model: 'vinho',
    instances: [{ density: 1, ph: 3, sulphates: 0.5 }],
    predictions: [{ prediction: 'white', class_id: 1, probability: 0.75, probabilities: { white: 0.75, red: 0.25 } }],
    scoring_latency_ms: 1,
  };
  const namedPredict = jest.fn((_model: string, _rows: unknown, _shape: unknown, _ids: unknown, version?: number) =>
    Promise.resolve({ ...reply, model_version: version ?? 1 }),
  );
  const model = new OipModel(
    registry,
    models,
    readiness,
    {} as PredictionService,
    { predict: namedPredict } as unknown as NamedPredictionService,
    { CODE_VERSION: 'dev' } as AppConfig,
  );
  return { model, namedPredict };
}

const failureOf = (fn: () => unknown): [number, string, string] | 'no failure' => {
  try {
    fn();
  } catch (err) {
    if (err instanceof HttpFailure) return [err.status, err.code, err.message];
    throw err;
  }
  return 'no failure';
};
const ROW = { inputs: [{ name: 'input-0', shape: [1, 3], datatype: 'FP64', data: [1, 3, 0.5] }] };
const IDS = { requestId: 'r-1' };

describe('OipModel with named models', () => {
  it('describes a named model by its own features, classes, versions and algorithm', () => {
    const { model } = oip([named('vinho', 1, 'current'), named('vinho', 2, 'rejected', 'logistic_regression')]);
    expect(model.metadata('vinho')).toEqual({
      name: 'vinho',
      versions: ['1', '2'],
      platform: 'iris-platform_gaussian-nb',
      inputs: FEATURES.map((name) => ({ name, datatype: 'FP32', shape: [-1] })),
      outputs: [
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'class_id', datatype: 'INT64', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 2] },
      ],
    });
    expect(model.metadata('vinho', '2').platform).toBe('iris-platform_logistic-regression');
  });

  it('infers with the current version, or the named one (a rejected candidate included), answering probabilities in class order', async () => {
    const { model, namedPredict } = oip([named('vinho', 1, 'current'), named('vinho', 2, 'rejected')]);
    const current = await model.infer('vinho', undefined, ROW, IDS);
    expect(current).toEqual({
      model_name: 'vinho',
      model_version: '1',
      id: 'r-1',
      outputs: [
        { name: 'label', datatype: 'BYTES', shape: [1], data: ['white'] },
        { name: 'class_id', datatype: 'INT64', shape: [1], data: [1] },
        { name: 'probabilities', datatype: 'FP64', shape: [1, 2], data: [0.25, 0.75] },
      ],
    });
    expect(namedPredict).toHaveBeenLastCalledWith(
      'vinho',
      [{ density: 1, ph: 3, sulphates: 0.5 }],
      expect.objectContaining({ classNames: CLASSES }),
      IDS,
      undefined,
    );
    expect((await model.infer('vinho', '2', ROW, IDS)).model_version).toBe('2');
    expect(namedPredict).toHaveBeenLastCalledWith('vinho', expect.anything(), expect.anything(), IDS, 2);
  });

  it('answers a model without a current version as not ready, naming a version it can infer with', async () => {
    const { model, namedPredict } = oip([named('vinho', 1, 'rejected'), named('vinho', 2, 'rejected')]);
    expect(model.modelReady('vinho')).toBe(false);
    expect(model.modelReady('vinho', '2')).toBe(true);
    expect(model.metadata('vinho').versions).toEqual(['1', '2']);
    const failure = await model.infer('vinho', undefined, ROW, IDS).catch((e: HttpFailure) => [e.status, e.code, e.message]);
    expect(failure).toEqual([
      503,
      'model_not_ready',
      'model "vinho" has no current version: no version has passed the promotion gate yet; name one to infer with it (/v2/models/vinho/versions/2/infer)',
    ]);
    expect(namedPredict).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown model, an archived one and an unknown version, before reading the body', () => {
    const { model } = oip([named('vinho', 1, 'current'), named('gone', 1, 'current', 'gaussian_nb', at(9))]);
    expect(failureOf(() => model.metadata('rose'))).toEqual([404, 'model_not_found', 'model "rose" not found; this server serves "iris", "vinho"']);
    expect(failureOf(() => model.modelReady('gone'))).toEqual([404, 'model_not_found', `model "gone" not found: it was archived at ${at(9)}`]);
    expect(failureOf(() => model.metadata('vinho', '3'))).toEqual([404, 'model_version_not_found', 'model "vinho" has no version "3"']);
    expect(failureOf(() => model.metadata('vinho', '01'))).toEqual([404, 'model_version_not_found', 'model "vinho" has no version "01"']);
    return expect(model.infer('gone', undefined, 'not a body', IDS)).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('names at most ten models in a 404, then points at the repository index', () => {
    const { model } = oip(Array.from({ length: 12 }, (_, i) => named(`m${String(i).padStart(2, '0')}`, 1, 'current')));
    const names = ['iris', ...Array.from({ length: 9 }, (_, i) => `m0${i}`)].map((n) => `"${n}"`).join(', ');
    expect(failureOf(() => model.metadata('rose'))).toEqual([
      404,
      'model_not_found',
      `model "rose" not found; this server serves ${names}, … (13 models: POST /v2/repository/index lists them)`,
    ]);
  });

  it('keeps the default model’s 404 word for word while no named model serves', () => {
    const { model } = oip([named('gone', 1, 'current', 'gaussian_nb', at(9))]);
    expect(failureOf(() => model.metadata('rose'))).toEqual([404, 'model_not_found', 'model "rose" not found; this server serves "iris"']);
  });

  it('indexes every model with its serving version: READY, or UNAVAILABLE with the reason; ready only on request', () => {
    const { model } = oip([named('vinho', 1, 'current'), named('fresh', 1, 'rejected'), named('gone', 1, 'current', 'gaussian_nb', at(9))]);
    expect(model.repositoryIndex()).toEqual([
      { name: 'iris', version: '1', state: 'READY', reason: '' },
      { name: 'fresh', state: 'UNAVAILABLE', reason: 'no version has passed the promotion gate yet' },
      { name: 'gone', state: 'UNAVAILABLE', reason: `archived at ${at(9)}: DELETE /models/gone took it out of service` },
      { name: 'vinho', version: '1', state: 'READY', reason: '' },
    ]);
    expect(model.repositoryIndex(true).map((e) => e.name)).toEqual(['iris', 'vinho']);
  });

  it('indexes nothing as READY while the server is not ready', () => {
    const { model } = oip([named('vinho', 1, 'current')], { ready: false, irisCurrent: false });
    expect(model.repositoryIndex()).toEqual([
      { name: 'iris', state: 'UNAVAILABLE', reason: 'no version has been promoted yet' },
      { name: 'vinho', version: '1', state: 'UNAVAILABLE', reason: 'the server is not ready to infer (GET /v2/health/ready)' },
    ]);
    expect(model.repositoryIndex(true)).toEqual([]);
  });
});
