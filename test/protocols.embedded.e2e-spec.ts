import type { AddressInfo } from 'node:net';
import { status as GrpcStatus } from '@grpc/grpc-js';
import request from 'supertest';
import { float32Value } from '@app/contracts';
import { CLASS_NAMES, compileScorer, type GaussianNBParams } from '@app/model';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { startTestPlatform } from './support/embedded';
import { OipGrpcClient } from './support/oip-grpc-client';
import { testPort } from './support/ports';
import { IRIS_V1_METADATA } from './support/oip-metadata';

const KEY = 'protocols-key';
const AUTH = { Authorization: `Bearer ${KEY}` };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KSERVE_ROWS = [
  [6.8, 2.8, 4.8, 1.4],
  [6.0, 3.4, 4.5, 1.6],
];
const ROWS = [
  [5.1, 3.5, 1.4, 0.2],
  [6.4, 3.2, 4.5, 1.5],
  [6.3, 3.3, 6.0, 2.5],
];
const records = (rows: number[][]) =>
  rows.map(([sepal_length, sepal_width, petal_length, petal_width]) => ({ sepal_length, sepal_width, petal_length, petal_width }));

describe('standard protocols (embedded mode): OIP v2 REST and gRPC, MLflow /invocations', () => {
  let platform: EmbeddedPlatform;
  let http: ReturnType<typeof request>;
  let grpc: OipGrpcClient;
  let score: ReturnType<typeof compileScorer>;
  /** The OIP outputs the serving model must give for `rows`, probabilities in `datatype`. */
  let expectedOutputs: (rows: number[][], datatype: 'FP32' | 'FP64') => unknown[];

  beforeAll(async () => {
    ({ platform, http } = await startTestPlatform('protocols-embedded', { GRPC_PORT: String(testPort(60)), API_KEYS: KEY }));
    grpc = new OipGrpcClient(testPort(60));
    const params = (await http.get('/models/current').set(AUTH).expect(200)).body.params as GaussianNBParams;
    score = compileScorer(params);
    expectedOutputs = (rows, datatype) => {
      const scored = rows.map((x) => score(x));
      const read = datatype === 'FP32' ? float32Value : (v: number) => v;
      return [
        { name: 'label', datatype: 'BYTES', shape: [rows.length], data: scored.map((s) => s.className) },
        { name: 'class_id', datatype: 'INT64', shape: [rows.length], data: scored.map((s) => s.classId) },
        { name: 'probabilities', datatype, shape: [rows.length, 3], data: scored.flatMap((s) => s.probabilities.map(read)) },
      ];
    };
  });
  afterAll(async () => {
    grpc?.close();
    await platform?.close();
  });

  describe('OIP v2 REST', () => {
    it('answers server metadata, liveness and readiness, the probes without a key', async () => {
      expect((await http.get('/v2').set(AUTH).expect(200)).body).toEqual({ name: 'iris-platform', version: 'dev', extensions: [] });
      expect((await http.get('/v2/health/live').expect(200)).body).toEqual({ live: true });
      expect((await http.get('/v2/health/ready').expect(200)).body).toEqual({ ready: true });
    });

    it('answers model metadata and readiness, for the model and for a registered version', async () => {
      expect((await http.get('/v2/models/iris').set(AUTH).expect(200)).body).toEqual(IRIS_V1_METADATA);
      expect((await http.get('/v2/models/iris/versions/1').set(AUTH).expect(200)).body).toEqual(IRIS_V1_METADATA);
      expect((await http.get('/v2/models/iris/ready').set(AUTH).expect(200)).body).toEqual({ name: 'iris', ready: true });
      expect((await http.get('/v2/models/iris/versions/1/ready').set(AUTH).expect(200)).body).toEqual({ name: 'iris', ready: true });
    });

    it("answers KServe's iris example (one [2,4] FP32 tensor, nested) with labels, class indexes and FP32 probabilities", async () => {
      const res = await http
        .post('/v2/models/iris/infer')
        .set(AUTH)
        .send({ inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: KSERVE_ROWS }] })
        .expect(200);
      expect(res.body).toEqual({ model_name: 'iris', model_version: '1', id: expect.stringMatching(UUID), outputs: expectedOutputs(KSERVE_ROWS, 'FP32') });
      expect(res.body.outputs[0].data).toEqual(['versicolor', 'versicolor']);
    });

    it('echoes the id and the parameters, and answers only the outputs asked for, in that order', async () => {
      const res = await http
        .post('/v2/models/iris/versions/1/infer')
        .set(AUTH)
        .send({
          id: 'req-42',
          parameters: { tenant: 'demo', trace: true, sample: 0.5 },
          inputs: [{ name: 'features', shape: [3, 4], datatype: 'FP64', data: ROWS.flat() }],
          outputs: [{ name: 'probabilities' }, { name: 'label' }],
        })
        .expect(200);
      const [label, , probabilities] = expectedOutputs(ROWS, 'FP64');
      expect(res.body).toEqual({
        model_name: 'iris',
        model_version: '1',
        id: 'req-42',
        parameters: { tenant: 'demo', trace: true, sample: 0.5 },
        outputs: [probabilities, label],
      });
    });

    it('scores four [N] tensors named after the features exactly as /predict/batch scores the same rows', async () => {
      const columns = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((name, i) => ({
        name,
        shape: [3],
        datatype: 'FP64',
        data: ROWS.map((r) => r[i]),
      }));
      const oip = (await http.post('/v2/models/iris/infer').set(AUTH).send({ inputs: columns.reverse() }).expect(200)).body;
      const batch = (
        await http
          .post('/predict/batch')
          .set(AUTH)
          .send({ instances: records(ROWS) })
          .expect(200)
      ).body;
      expect(oip.outputs[0].data).toEqual(batch.predictions.map((p: { prediction: string }) => p.prediction));
      expect(oip.outputs[2].data).toEqual(
        batch.predictions.flatMap((p: { probabilities: Record<string, number> }) => CLASS_NAMES.map((c) => p.probabilities[c])),
      );
    });

    it('scores a 1000-row FP32 tensor in one request', async () => {
      const rows = Array.from({ length: 1000 }, (_, i) => ROWS[i % 3]);
      const res = await http
        .post('/v2/models/iris/infer')
        .set(AUTH)
        .send({ inputs: [{ name: 'input-0', shape: [1000, 4], datatype: 'FP32', data: rows.flat() }] })
        .expect(200);
      expect(res.body.outputs).toEqual(expectedOutputs(rows, 'FP32'));
    });

    it("reads a body without Content-Type as JSON on /infer, as Triton's HTTP client sends it, and nowhere else", async () => {
      const port = (platform.gateway.getHttpServer().address() as AddressInfo).port;
      // A byte body: fetch then sends no Content-Type at all.
      const untyped = (path: string, body: object) =>
        fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: AUTH, body: Buffer.from(JSON.stringify(body)) }).then(async (r) => [
          r.status,
          await r.json(),
        ]);
      const infer = { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP64', data: ROWS[0] }], outputs: [{ name: 'label' }] };
      expect(await untyped('/v2/models/iris/versions/1/infer', infer)).toEqual([
        200,
        expect.objectContaining({ outputs: [{ name: 'label', datatype: 'BYTES', shape: [1], data: ['setosa'] }] }),
      ]);
      expect(await untyped('/predict/batch', { instances: records(ROWS) })).toEqual([415, expect.objectContaining({ error: 'unsupported_media_type' })]);
      expect(await untyped('/invocations', { instances: ROWS })).toEqual([415, expect.objectContaining({ error: 'unsupported_media_type' })]);
    });

    const tensor = (over: object) => ({ inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2], ...over }] });
    it.each<[string, number, string, () => request.Test]>([
      [
        'a shape that is not [N,4]',
        400,
        'input "input-0": shape [2,2] is not [N,4] (the features sepal_length, sepal_width, petal_length, petal_width, in this order)',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .send(tensor({ shape: [2, 2] })),
      ],
      [
        'data that does not fill the shape',
        400,
        'input "input-0": data has 4 elements, shape [2,4] holds 8',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .send(tensor({ shape: [2, 4] })),
      ],
      [
        'an integer datatype',
        400,
        'input "input-0": datatype INT32 is not supported; send FP32 or FP64',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .send(tensor({ datatype: 'INT32', data: [5, 3, 1, 1] })),
      ],
      [
        'a datatype the specification does not define',
        400,
        'invalid request: inputs.0.datatype: Invalid option: expected one of "BOOL"|"UINT8"|"UINT16"|"UINT32"|"UINT64"|"INT8"|"INT16"|"INT32"|"INT64"|"FP16"|"FP32"|"FP64"|"BYTES"',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .send(tensor({ datatype: 'FLOAT' })),
      ],
      [
        'a value that overflows to Infinity',
        400,
        'invalid rows: row 0 sepal_length: must be a finite number',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .set('Content-Type', 'application/json')
            .send('{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[1e400,3.5,1.4,0.2]}]}'),
      ],
      [
        'NaN (not JSON)',
        400,
        'Request body is not valid JSON',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .set('Content-Type', 'application/json')
            .send('{"inputs":[{"name":"x","shape":[1,4],"datatype":"FP64","data":[NaN,3.5,1.4,0.2]}]}'),
      ],
      [
        'a value out of range',
        400,
        'invalid rows: row 0 petal_width: must be at most 100 cm',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .send(tensor({ data: [5.1, 3.5, 1.4, 250] })),
      ],
      [
        'an output the model does not produce',
        400,
        'unknown output "output-0"; the model produces label, class_id, probabilities',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .send({ ...tensor({}), outputs: [{ name: 'output-0' }] }),
      ],
      [
        'a tensor nested as [60000,4], on its length before any element is read',
        400,
        'invalid request: inputs.0.data: must hold at most 4000 elements (1000 rows of 4 features)',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .send(tensor({ shape: [60_000, 4], data: Array(60_000).fill([1, 1, 1, 1]) })),
      ],
      [
        'a flat tensor declaring 1500 rows, on its shape before any row is built',
        400,
        '1500 rows: send at most 1000 per request',
        () =>
          http
            .post('/v2/models/iris/infer')
            .set(AUTH)
            .send(tensor({ shape: [1500, 4], data: Array(3000).fill(1) })),
      ],
      [
        'no inputs',
        400,
        'invalid request: inputs: Too small: expected array to have >=1 items',
        () => http.post('/v2/models/iris/infer').set(AUTH).send({ inputs: [] }),
      ],
      ['an unknown model', 404, 'model "rose" not found; this server serves "iris"', () => http.post('/v2/models/rose/infer').set(AUTH).send(tensor({}))],
      ['an unknown version', 404, 'model "iris" has no version "7"', () => http.post('/v2/models/iris/versions/7/infer').set(AUTH).send(tensor({}))],
      ['a version that is not a number', 404, 'model "iris" has no version "latest"', () => http.get('/v2/models/iris/versions/latest').set(AUTH)],
      [
        'a body that is not JSON',
        415,
        'Content-Type must be application/json',
        () => http.post('/v2/models/iris/infer').set(AUTH).set('Content-Type', 'text/plain').send('5.1,3.5,1.4,0.2'),
      ],
      ['no API key', 401, 'an API key is required (Authorization: Bearer <key> or X-API-Key)', () => http.post('/v2/models/iris/infer').send(tensor({}))],
      ['a wrong API key', 401, 'the API key is not valid', () => http.get('/v2/models/iris').set('X-API-Key', 'nope')],
    ])("answers %s with %i and the specification's error body", async (_name, status, error, send) => {
      const res = await send();
      expect([res.status, res.body]).toEqual([status, { error }]);
    });
  });

  describe('MLflow /invocations', () => {
    const labels = () => ROWS.map((x) => score(x).className);
    it.each<[string, object]>([
      [
        'dataframe_split',
        { dataframe_split: { columns: ['petal_width', 'petal_length', 'sepal_width', 'sepal_length'], data: ROWS.map((r) => [...r].reverse()) } },
      ],
      ['dataframe_records', { dataframe_records: records(ROWS) }],
      ['instances', { instances: ROWS }],
      [
        'inputs',
        {
          inputs: {
            sepal_length: ROWS.map((r) => r[0]),
            sepal_width: ROWS.map((r) => r[1]),
            petal_length: ROWS.map((r) => r[2]),
            petal_width: ROWS.map((r) => r[3]),
          },
        },
      ],
    ])('answers %s with the class labels, as an MLflow scikit-learn classifier does', async (_format, body) => {
      expect((await http.post('/invocations').set(AUTH).send(body).expect(200)).body).toEqual({ predictions: labels() });
    });

    it('answers text/csv with a header row, columns in any order', async () => {
      const csv = ['sepal_width,sepal_length,petal_width,petal_length', ...ROWS.map(([a, b, c, d]) => [b, a, d, c].join(','))].join('\n');
      const res = await http.post('/invocations').set(AUTH).set('Content-Type', 'text/csv').send(csv).expect(200);
      expect(res.body).toEqual({ predictions: labels() });
    });

    it('refuses an unknown column with 400, in our error body with MLflow error_code and message', async () => {
      const res = await http
        .post('/invocations')
        .set(AUTH)
        .send({ dataframe_split: { columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'colour'], data: [[5.1, 3.5, 1.4, 0.2, 1]] } })
        .expect(400);
      expect(res.body).toEqual({
        status: 'error',
        error: 'invalid_input',
        error_code: 'BAD_REQUEST',
        message: 'unknown column "colour"; the model takes sepal_length, sepal_width, petal_length, petal_width',
        request_id: expect.stringMatching(UUID),
      });
    });

    it('refuses other content types on /invocations, and text/csv everywhere else', async () => {
      const plain = await http.post('/invocations').set(AUTH).set('Content-Type', 'text/plain').send('x').expect(415);
      expect([plain.body.message, plain.body.error_code]).toEqual(['Content-Type must be application/json or text/csv', 'BAD_REQUEST']);
      const csvElsewhere = await http.post('/predict/batch').set(AUTH).set('Content-Type', 'text/csv').send('sepal_length\n5.1').expect(415);
      expect(csvElsewhere.body.message).toBe('Content-Type must be application/json');
    });

    it('answers /ping without a key once ready', async () => {
      expect((await http.get('/ping').expect(200)).body).toEqual({ status: 'ready' });
    });
  });

  describe('OIP v2 gRPC', () => {
    const key = { 'x-api-key': KEY };
    const fp64Request = (rows: number[][]) => ({
      model_name: 'iris',
      inputs: [{ name: 'input-0', datatype: 'FP64', shape: [rows.length, 4], contents: { fp64_contents: rows.flat() } }],
    });

    it('answers ServerLive, ServerReady and the standard health check without a key', async () => {
      expect((await grpc.call('ServerLive', {})).response).toEqual({ live: true });
      expect((await grpc.call('ServerReady', {})).response).toEqual({ ready: true });
      expect((await grpc.check('')).response).toEqual({ status: 'SERVING' });
      expect((await grpc.check('inference.GRPCInferenceService')).response).toEqual({ status: 'SERVING' });
      expect(await grpc.check('other').catch((e: { code: number; details: string }) => [e.code, e.details])).toEqual([
        GrpcStatus.NOT_FOUND,
        'no health status for service "other"',
      ]);
    });

    it('needs the API key in the metadata for the other methods, as authorization: Bearer or x-api-key', async () => {
      expect(await grpc.failure('ModelInfer', fp64Request(ROWS))).toEqual({
        code: GrpcStatus.UNAUTHENTICATED,
        details: 'an API key is required (Authorization: Bearer <key> or X-API-Key)',
      });
      expect(await grpc.failure('ServerMetadata', {}, { 'x-api-key': 'nope' })).toEqual({
        code: GrpcStatus.UNAUTHENTICATED,
        details: 'the API key is not valid',
      });
      expect((await grpc.call('ServerMetadata', {}, { authorization: `Bearer ${KEY}` })).response).toEqual({
        name: 'iris-platform',
        version: 'dev',
        extensions: [],
      });
      expect((await grpc.call('ModelReady', { name: 'iris', version: '1' }, key)).response).toEqual({ ready: true });
    });

    it('answers ModelMetadata as the REST route does', async () => {
      const rest = (await http.get('/v2/models/iris').set(AUTH).expect(200)).body;
      expect((await grpc.call('ModelMetadata', { name: 'iris', version: '' }, key)).response).toEqual(rest);
    });

    it('answers ModelInfer with typed contents, echoing the id, with the request id in the response metadata', async () => {
      const { response, metadata } = await grpc.call('ModelInfer', { ...fp64Request(ROWS), id: 'g-1' }, { ...key, 'x-request-id': 'trace-g-1' });
      const [label, classId, probabilities] = expectedOutputs(ROWS, 'FP64') as Array<{ data: unknown[] }>;
      expect(response.id).toBe('g-1');
      expect([response.model_name, response.model_version, response.raw_output_contents]).toEqual(['iris', '1', []]);
      expect(response.outputs.map((o: { name: string; datatype: string; shape: number[] }) => [o.name, o.datatype, o.shape])).toEqual([
        ['label', 'BYTES', [3]],
        ['class_id', 'INT64', [3]],
        ['probabilities', 'FP64', [3, 3]],
      ]);
      expect(response.outputs[0].contents.bytes_contents.map((b: Buffer) => b.toString())).toEqual(label.data);
      expect(response.outputs[1].contents.int64_contents).toEqual(classId.data);
      expect(response.outputs[2].contents.fp64_contents).toEqual(probabilities.data);
      expect(metadata.get('x-request-id')).toEqual(['trace-g-1']);
    });

    it('answers raw_input_contents (as Triton clients send) with raw_output_contents', async () => {
      const raw = Buffer.from(new Float32Array(KSERVE_ROWS.flat()).buffer);
      const { response } = await grpc.call(
        'ModelInfer',
        { model_name: 'iris', inputs: [{ name: 'input-0', datatype: 'FP32', shape: [2, 4] }], raw_input_contents: [raw] },
        key,
      );
      const [labels, classes, probabilities] = response.raw_output_contents as Buffer[];
      const scored = KSERVE_ROWS.map((x) => score(x));
      const expectedLabels = Buffer.concat(scored.map((s) => Buffer.concat([Buffer.from([s.className.length, 0, 0, 0]), Buffer.from(s.className)])));
      expect(labels).toEqual(expectedLabels);
      expect([classes.readBigInt64LE(0), classes.readBigInt64LE(8)]).toEqual(scored.map((s) => BigInt(s.classId)));
      expect(Array.from(new Float32Array(new Uint8Array(probabilities).buffer))).toEqual(scored.flatMap((s) => s.probabilities.map(Math.fround)));
    });

    it.each<[string, object, number, string]>([
      ['an unknown version', { ...fp64Request(ROWS), model_version: '7' }, GrpcStatus.NOT_FOUND, 'model "iris" has no version "7"'],
      ['an unknown model', { ...fp64Request(ROWS), model_name: 'rose' }, GrpcStatus.NOT_FOUND, 'model "rose" not found; this server serves "iris"'],
      ['NaN', fp64Request([[Number.NaN, 3.5, 1.4, 0.2]]), GrpcStatus.INVALID_ARGUMENT, 'invalid rows: row 0 sepal_length: must be a finite number'],
      [
        'Infinity',
        fp64Request([[5.1, Number.POSITIVE_INFINITY, 1.4, 0.2]]),
        GrpcStatus.INVALID_ARGUMENT,
        'invalid rows: row 0 sepal_width: must be a finite number',
      ],
      [
        'a shape mismatch',
        { model_name: 'iris', inputs: [{ name: 'x', datatype: 'FP64', shape: [2, 4], contents: { fp64_contents: [1, 2, 3, 4] } }] },
        GrpcStatus.INVALID_ARGUMENT,
        'input "x": data has 4 elements, shape [2,4] holds 8',
      ],
      [
        'raw bytes short of the shape',
        { model_name: 'iris', inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4] }], raw_input_contents: [Buffer.alloc(12)] },
        GrpcStatus.INVALID_ARGUMENT,
        'input "x": data has 3 elements, shape [1,4] holds 4',
      ],
    ])('refuses %s with its status code and message', async (_name, req, code, details) => {
      expect(await grpc.failure('ModelInfer', req, key)).toEqual({ code, details });
    });
  });
});
