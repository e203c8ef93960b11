import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type request from 'supertest';
import { float32Value } from '@app/contracts';
import { parseTabularCsv } from '@app/model';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { startTestPlatform } from './support/embedded';
import { eventually } from './support/http';
import { OipGrpcClient } from './support/oip-grpc-client';
import { IRIS_V1_METADATA } from './support/oip-metadata';
import { REPO_ROOT } from './support/python-reference';

const KEY = 'named-protocols-key';
const AUTH = { Authorization: `Bearer ${KEY}` };
const FINAL = ['promoted', 'rejected', 'failed'];
const SETOSA = [5.1, 3.5, 1.4, 0.2];
const WINE_CSV = (name: string) => readFileSync(join(REPO_ROOT, 'data', name), 'utf8');
const wineTest = parseTabularCsv(WINE_CSV('wine-test.csv'), 'class').data;
const FEATURES = wineTest.featureNames;
const CLASSES = ['class_0', 'class_1', 'class_2'];
/** Twelve held-out wines (of more than one class): as rows of values and as request bodies by name. */
const ROWS = wineTest.X.slice(0, 12);
const RECORDS = ROWS.map((x) => Object.fromEntries(FEATURES.map((f, j) => [f, x[j]])));
const WINE_DATASET = { source: 'csv', path: 'wine-train.csv', label: 'class' };
const WINE_HOLDOUT = { source: 'csv', path: 'wine-test.csv', label: 'class' };

type Http = ReturnType<typeof request>;
interface Scored {
  prediction: string;
  class_id: number;
  probabilities: Record<string, number>;
}

/** A port the OS has just given out: every block of E2E_PORT_BASE offsets has its owner already. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function finished(http: Http, path: string, body: object) {
  const accepted = await http.post(path).set(AUTH).send(body).expect(202);
  return eventually(async () => {
    const job = (await http.get(accepted.headers.location).set(AUTH).expect(200)).body;
    return FINAL.includes(job.status) ? job : undefined;
  }, 15_000);
}

/** Every probability of `actual` (row-major, classes in CLASSES order) within 1e-12 of /predict/batch's. */
function expectProbabilities(actual: number[], reference: Scored[]): void {
  const expected = reference.flatMap((p) => CLASSES.map((c) => p.probabilities[c]));
  expect(actual).toHaveLength(expected.length);
  const worst = Math.max(...actual.map((p, i) => Math.abs(p - expected[i])));
  expect(worst).toBeLessThan(1e-12);
}

describe('standard protocols for named models (embedded mode): OIP v2 REST and gRPC, MLflow /models/{name}/invocations', () => {
  let platform: EmbeddedPlatform;
  let http: Http;
  let grpc: OipGrpcClient;
  /** What POST /models/wine/predict/batch answers for ROWS: the reference every protocol is held to. */
  let reference: Scored[];

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'named-protocols-'));
    for (const name of ['wine-train.csv', 'wine-test.csv']) writeFileSync(join(dataDir, name), WINE_CSV(name));
    const grpcPort = await freePort();
    ({ platform, http } = await startTestPlatform('named-protocols', { DATA_DIR: dataDir, GRPC_PORT: String(grpcPort), API_KEYS: KEY }));
    grpc = new OipGrpcClient(grpcPort);
    expect(await finished(http, '/models/wine/retrain', { dataset: WINE_DATASET, holdout: WINE_HOLDOUT })).toMatchObject({
      model_name: 'wine',
      model_version: 1,
      status: 'promoted',
    });
    const batch = (await http.post('/models/wine/predict/batch').set(AUTH).send({ instances: RECORDS }).expect(200)).body;
    expect(batch).toMatchObject({ model: 'wine', model_version: 1 });
    reference = batch.predictions;
    // The rows are not all one class: a protocol answering any fixed class would fail.
    expect(new Set(reference.map((p) => p.prediction)).size).toBeGreaterThan(1);
  }, 30_000);
  afterAll(async () => {
    grpc?.close();
    await platform?.close();
  });

  describe('OIP v2 REST', () => {
    const WINE_METADATA = {
      name: 'wine',
      versions: ['1'],
      platform: 'iris-platform_gaussian-nb',
      inputs: FEATURES.map((name) => ({ name, datatype: 'FP32', shape: [-1] })),
      outputs: [
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'class_id', datatype: 'INT64', shape: [-1] },
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
      ],
    };

    it("answers wine's metadata with its 13 features as inputs and its 3 classes, for the model and for its version", async () => {
      expect(FEATURES).toHaveLength(13);
      expect((await http.get('/v2/models/wine').set(AUTH).expect(200)).body).toEqual(WINE_METADATA);
      expect((await http.get('/v2/models/wine/versions/1').set(AUTH).expect(200)).body).toEqual(WINE_METADATA);
      expect((await http.get('/v2/models/wine/ready').set(AUTH).expect(200)).body).toEqual({ name: 'wine', ready: true });
      expect((await http.get('/v2/models/wine/versions/1/ready').set(AUTH).expect(200)).body).toEqual({ name: 'wine', ready: true });
    });

    it('scores one [N,13] FP64 tensor as /models/wine/predict/batch scores the same rows', async () => {
      const res = await http
        .post('/v2/models/wine/infer')
        .set(AUTH)
        .send({ id: 'w-1', inputs: [{ name: 'input-0', shape: [ROWS.length, 13], datatype: 'FP64', data: ROWS.flat() }] })
        .expect(200);
      expect(res.body).toMatchObject({ model_name: 'wine', model_version: '1', id: 'w-1' });
      const [label, classId, probabilities] = res.body.outputs;
      expect(label).toEqual({ name: 'label', datatype: 'BYTES', shape: [ROWS.length], data: reference.map((p) => p.prediction) });
      expect(classId).toEqual({ name: 'class_id', datatype: 'INT64', shape: [ROWS.length], data: reference.map((p) => p.class_id) });
      expect([probabilities.name, probabilities.datatype, probabilities.shape]).toEqual(['probabilities', 'FP64', [ROWS.length, 3]]);
      expectProbabilities(probabilities.data, reference);
    });

    it('scores 13 [N] tensors named after the features, in any order, and a pinned version, the same', async () => {
      const columns = FEATURES.map((name, j) => ({ name, shape: [ROWS.length], datatype: 'FP64', data: ROWS.map((x) => x[j]) })).reverse();
      const res = await http.post('/v2/models/wine/versions/1/infer').set(AUTH).send({ inputs: columns }).expect(200);
      expect(res.body.outputs[0].data).toEqual(reference.map((p) => p.prediction));
      expectProbabilities(res.body.outputs[2].data, reference);
    });

    it('answers FP32 inputs with FP32 probabilities, the rows read as the decimals they stand for', async () => {
      const res = await http
        .post('/v2/models/wine/infer')
        .set(AUTH)
        .send({
          inputs: [{ name: 'input-0', shape: [ROWS.length, 13], datatype: 'FP32', data: ROWS.flat().map(Math.fround) }],
          outputs: [{ name: 'probabilities' }],
        })
        .expect(200);
      expect(res.body.outputs).toEqual([
        {
          name: 'probabilities',
          datatype: 'FP32',
          shape: [ROWS.length, 3],
          data: reference.flatMap((p) => CLASSES.map((c) => float32Value(p.probabilities[c]))),
        },
      ]);
    });

    it('lists iris and wine as READY in the model repository index', async () => {
      const index = [
        { name: 'iris', version: '1', state: 'READY', reason: '' },
        { name: 'wine', version: '1', state: 'READY', reason: '' },
      ];
      expect((await http.post('/v2/repository/index').set(AUTH).send({}).expect(200)).body).toEqual(index);
      expect((await http.post('/v2/repository/index').set(AUTH).send({ ready: true }).expect(200)).body).toEqual(index);
      expect((await http.post('/v2/repository/index').send({})).body).toEqual({ error: 'an API key is required (Authorization: Bearer <key> or X-API-Key)' });
      expect((await http.post('/v2/repository/index').set(AUTH).send({ ready: 'yes' }).expect(400)).body).toEqual({
        error: 'invalid request: ready: Invalid input: expected boolean, received string',
      });
    });

    const wineTensor = (shape: number[], data: unknown[]) => ({ inputs: [{ name: 'input-0', shape, datatype: 'FP64', data }] });
    it.each<[string, number, string, () => request.Test]>([
      [
        'an unknown model, naming the models served',
        404,
        'model "rose" not found; this server serves "iris", "wine"',
        () =>
          http
            .post('/v2/models/rose/infer')
            .set(AUTH)
            .send(wineTensor([1, 13], ROWS[0])),
      ],
      ['the metadata of an unknown model', 404, 'model "rose" not found; this server serves "iris", "wine"', () => http.get('/v2/models/rose').set(AUTH)],
      [
        'an unknown version',
        404,
        'model "wine" has no version "9"',
        () =>
          http
            .post('/v2/models/wine/versions/9/infer')
            .set(AUTH)
            .send(wineTensor([1, 13], ROWS[0])),
      ],
      ['the readiness of an unknown version', 404, 'model "wine" has no version "latest"', () => http.get('/v2/models/wine/versions/latest/ready').set(AUTH)],
      [
        'an iris tensor sent to wine',
        400,
        `input "input-0": shape [1,4] is not [N,13] (the features ${FEATURES.join(', ')}, in this order)`,
        () =>
          http
            .post('/v2/models/wine/infer')
            .set(AUTH)
            .send(wineTensor([1, 4], SETOSA)),
      ],
      [
        'a value that is not a number',
        400,
        'invalid rows: row 0 alcohol: must be a number',
        () =>
          http
            .post('/v2/models/wine/infer')
            .set(AUTH)
            .send(wineTensor([1, 13], ['x', ...ROWS[0].slice(1)])),
      ],
    ])("answers %s with %i and the specification's error body", async (_name, status, error, send) => {
      const res = await send();
      expect([res.status, res.body]).toEqual([status, { error }]);
    });
  });

  describe('OIP v2 gRPC', () => {
    const key = { 'x-api-key': KEY };
    const fp64Request = {
      model_name: 'wine',
      inputs: [{ name: 'input-0', datatype: 'FP64', shape: [ROWS.length, 13], contents: { fp64_contents: ROWS.flat() } }],
    };

    it('answers ModelMetadata and ModelReady for wine as the REST routes do', async () => {
      const rest = (await http.get('/v2/models/wine').set(AUTH).expect(200)).body;
      expect((await grpc.call('ModelMetadata', { name: 'wine', version: '' }, key)).response).toEqual(rest);
      expect((await grpc.call('ModelMetadata', { name: 'wine', version: '1' }, key)).response).toEqual(rest);
      expect((await grpc.call('ModelReady', { name: 'wine', version: '' }, key)).response).toEqual({ ready: true });
    });

    it('answers ModelInfer for wine with the outputs the REST route gives', async () => {
      const rest = (
        await http
          .post('/v2/models/wine/infer')
          .set(AUTH)
          .send({ inputs: [{ name: 'input-0', shape: [ROWS.length, 13], datatype: 'FP64', data: ROWS.flat() }] })
          .expect(200)
      ).body;
      const { response } = await grpc.call('ModelInfer', { ...fp64Request, id: 'gw-1' }, key);
      expect([response.model_name, response.model_version, response.id]).toEqual(['wine', '1', 'gw-1']);
      expect(response.outputs.map((o: { name: string; datatype: string; shape: number[] }) => [o.name, o.datatype, o.shape])).toEqual([
        ['label', 'BYTES', [ROWS.length]],
        ['class_id', 'INT64', [ROWS.length]],
        ['probabilities', 'FP64', [ROWS.length, 3]],
      ]);
      expect(response.outputs[0].contents.bytes_contents.map((b: Buffer) => b.toString())).toEqual(rest.outputs[0].data);
      expect(response.outputs[1].contents.int64_contents).toEqual(rest.outputs[1].data);
      expect(response.outputs[2].contents.fp64_contents).toEqual(rest.outputs[2].data);
      expectProbabilities(response.outputs[2].contents.fp64_contents, reference);
    });

    it('answers raw FP32 input contents with raw outputs', async () => {
      const raw = Buffer.from(new Float32Array(ROWS.flat()).buffer);
      const { response } = await grpc.call(
        'ModelInfer',
        { model_name: 'wine', model_version: '1', inputs: [{ name: 'input-0', datatype: 'FP32', shape: [ROWS.length, 13] }], raw_input_contents: [raw] },
        key,
      );
      const probabilities = response.raw_output_contents[2] as Buffer;
      expect(Array.from(new Float32Array(new Uint8Array(probabilities).buffer))).toEqual(
        reference.flatMap((p) => CLASSES.map((c) => Math.fround(p.probabilities[c]))),
      );
    });

    it.each<[string, string, object]>([
      ['ModelInfer', 'model "rose" not found; this server serves "iris", "wine"', { ...fp64Request, model_name: 'rose' }],
      ['ModelMetadata', 'model "rose" not found; this server serves "iris", "wine"', { name: 'rose', version: '' }],
      ['ModelReady', 'model "wine" has no version "9"', { name: 'wine', version: '9' }],
    ])('refuses %s of an unknown model or version with NOT_FOUND', async (method, details, req) => {
      expect(await grpc.failure(method, req, key)).toEqual({ code: GrpcStatus.NOT_FOUND, details });
    });
  });

  describe('MLflow /models/{name}/invocations', () => {
    it('answers dataframe_split, columns in any order, with the labels /models/wine/predict/batch gives', async () => {
      const columns = [...FEATURES].reverse();
      const body = { dataframe_split: { columns, data: RECORDS.map((r) => columns.map((c) => r[c])) } };
      expect((await http.post('/models/wine/invocations').set(AUTH).send(body).expect(200)).body).toEqual({
        predictions: reference.map((p) => p.prediction),
      });
      expect((await http.post('/models/wine/invocations').set(AUTH).send({ dataframe_records: RECORDS }).expect(200)).body).toEqual({
        predictions: reference.map((p) => p.prediction),
      });
    });

    it("refuses an unknown model with 404 and an iris frame with 400, in MLflow's error body", async () => {
      const unknown = await http.post('/models/rose/invocations').set(AUTH).send({ dataframe_records: RECORDS }).expect(404);
      expect(unknown.body).toMatchObject({ error: 'model_not_found', error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'there is no model named rose' });
      const iris = await http
        .post('/models/wine/invocations')
        .set(AUTH)
        .send({ instances: [SETOSA] })
        .expect(400);
      expect(iris.body).toMatchObject({
        error: 'invalid_input',
        error_code: 'BAD_REQUEST',
        message: `instances[0] must be a record or an array of 13 values (${FEATURES.join(', ')})`,
      });
      const keyless = await http.post('/models/wine/invocations').send({ dataframe_records: RECORDS }).expect(401);
      expect(keyless.body).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    });
  });

  it('leaves iris as it was on every protocol', async () => {
    expect((await http.get('/v2/models/iris').set(AUTH).expect(200)).body).toEqual(IRIS_V1_METADATA);
    const oip = (
      await http
        .post('/v2/models/iris/infer')
        .set(AUTH)
        .send({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: SETOSA }] })
        .expect(200)
    ).body;
    expect([oip.model_name, oip.model_version, oip.outputs[0].data]).toEqual(['iris', '1', ['setosa']]);
    const grpcIris = await grpc.call(
      'ModelInfer',
      { model_name: 'iris', inputs: [{ name: 'input-0', datatype: 'FP64', shape: [1, 4], contents: { fp64_contents: SETOSA } }] },
      { 'x-api-key': KEY },
    );
    expect(grpcIris.response.outputs[2].contents.fp64_contents).toEqual(oip.outputs[2].data);
    expect(
      (
        await http
          .post('/invocations')
          .set(AUTH)
          .send({ instances: [SETOSA] })
          .expect(200)
      ).body,
    ).toEqual({ predictions: ['setosa'] });
    expect(
      (
        await http
          .post('/models/iris/invocations')
          .set(AUTH)
          .send({ instances: [SETOSA] })
          .expect(200)
      ).body,
    ).toEqual({ predictions: ['setosa'] });
  });

  it('takes an archived model out of every protocol: 404 by name, UNAVAILABLE with the reason in the index', async () => {
    expect(await finished(http, '/models/wine-gone/retrain', { dataset: WINE_DATASET, holdout: WINE_HOLDOUT })).toMatchObject({ status: 'promoted' });
    await http
      .post('/v2/models/wine-gone/infer')
      .set(AUTH)
      .send({ inputs: [{ name: 'input-0', shape: [1, 13], datatype: 'FP64', data: ROWS[0] }] })
      .expect(200);
    await http.delete('/models/wine-gone').set(AUTH).expect(200);
    const archivedAt = await eventually(async () => {
      const res = await http.get('/models/wine-gone').set(AUTH).expect(200);
      return res.body.status === 'archived' ? (res.body.archived_at as string) : undefined;
    }, 5_000);
    const index = (await http.post('/v2/repository/index').set(AUTH).send({}).expect(200)).body;
    expect(index).toEqual([
      { name: 'iris', version: '1', state: 'READY', reason: '' },
      { name: 'wine', version: '1', state: 'READY', reason: '' },
      { name: 'wine-gone', state: 'UNAVAILABLE', reason: `archived at ${archivedAt}: DELETE /models/wine-gone took it out of service` },
    ]);
    expect((await http.post('/v2/repository/index').set(AUTH).send({ ready: true }).expect(200)).body.map((e: { name: string }) => e.name)).toEqual([
      'iris',
      'wine',
    ]);
    const gone = `model "wine-gone" not found: it was archived at ${archivedAt}`;
    expect((await http.get('/v2/models/wine-gone').set(AUTH).expect(404)).body).toEqual({ error: gone });
    expect(await grpc.failure('ModelReady', { name: 'wine-gone', version: '' }, { 'x-api-key': KEY })).toEqual({ code: GrpcStatus.NOT_FOUND, details: gone });
    expect((await http.post('/models/wine-gone/invocations').set(AUTH).send({ dataframe_records: RECORDS }).expect(404)).body.message).toBe(
      'there is no model named wine-gone',
    );
  });
});
