import { status as GrpcStatus } from '@grpc/grpc-js';
import { TOPICS, createEnvelope, decodeEvent, float32Value } from '@app/contracts';
import { CLASS_NAMES, compileScorer, irisDataset, type GaussianNBParams } from '@app/model';
import { trainModel } from '@app/training';
import { ConsumerProgress } from './support/consumer-progress';
import { eventually, getJson, metricSum, metricValue, postJson } from './support/http';
import { kafkaTestBus } from './support/kafka-bus';
import { testNamespace } from './support/namespace';
import { OipGrpcClient } from './support/oip-grpc-client';
import { testPort } from './support/ports';
import { ServiceProcess } from './support/service-process';
import { promotableRetrain, servingState } from './support/training-expectation';

// Topics, groups and indices of this run only: the registry starts empty, whatever earlier runs left.
const ns = testNamespace('protocols');
const { run } = ns;
const FINAL = ['promoted', 'rejected', 'failed'];
const IRIS = irisDataset().X;
const records = (rows: number[][]) =>
  rows.map(([sepal_length, sepal_width, petal_length, petal_width]) => ({ sepal_length, sepal_width, petal_length, petal_width }));
const matrix = (rows: number[][], datatype: 'FP32' | 'FP64') => ({ inputs: [{ name: 'input-0', shape: [rows.length, 4], datatype, data: rows.flat() }] });

/** What a version with these parameters must answer for `rows` over OIP, probabilities in `datatype`. */
function expectedOutputs(params: GaussianNBParams, rows: number[][], datatype: 'FP32' | 'FP64') {
  const scored = rows.map((x) => compileScorer(params)(x));
  const read = datatype === 'FP32' ? float32Value : (v: number) => v;
  return [
    { name: 'label', datatype: 'BYTES', shape: [rows.length], data: scored.map((s) => s.className) },
    { name: 'class_id', datatype: 'INT64', shape: [rows.length], data: scored.map((s) => s.classId) },
    { name: 'probabilities', datatype, shape: [rows.length, 3], data: scored.flatMap((s) => s.probabilities.map(read)) },
  ];
}

describe('standard protocols over real Kafka: OIP v2 REST and gRPC, MLflow /invocations, through gateway → worker → gateway', () => {
  const services: ServiceProcess[] = [];
  let gateway: ServiceProcess;
  let worker: ServiceProcess;
  let grpc: OipGrpcClient;
  const bus = kafkaTestBus(`e2e-protocols-${run}`, ns.kafkaPrefix);
  const progress = new ConsumerProgress(ns.kafkaPrefix);
  const params = async (version: number) => (await getJson(`${gateway.url}/models/${version}`)).body.params as GaussianNBParams;
  /** The sum of every series of a worker's counter whose labels include `labels`. */
  const workerCount = async (name: string, labels = '') => metricSum(await (await fetch(`${worker.url}/metrics`)).text(), name, labels);

  beforeAll(async () => {
    await Promise.all([bus.connect(), progress.connect()]);
    const trainer = ServiceProcess.start(`trainer-p-${run}`, 'trainer', testPort(52), ns.env);
    services.push(trainer);
    await trainer.waitReady();
    worker = ServiceProcess.start(`worker-p-${run}`, 'inference-worker', testPort(53), ns.env);
    gateway = ServiceProcess.start(`gateway-p-${run}`, 'gateway', testPort(50), { ...ns.env, GRPC_PORT: String(testPort(51)) });
    services.push(worker, gateway);
    await Promise.all(services.map((s) => s.waitReady()));
    grpc = new OipGrpcClient(testPort(51));
  });

  afterAll(async () => {
    grpc?.close();
    await Promise.all(services.map((s) => s.stop()));
    await Promise.all([bus.close(), progress.close()]);
    await ns.remove();
  });

  it("answers KServe's iris example as the serving version scores it, as one prediction request of two rows", async () => {
    const requests = () => workerCount('events_consumed_total', `topic="${TOPICS.predictionBatchRequested}",group="inference-worker",outcome="ok"`);
    const [requestsBefore, rowsBefore] = [await requests(), await workerCount('predictions_total')];
    const rows = [
      [6.8, 2.8, 4.8, 1.4],
      [6.0, 3.4, 4.5, 1.6],
    ];
    const res = await postJson(`${gateway.url}/v2/models/iris/infer`, { inputs: [{ name: 'input-0', shape: [2, 4], datatype: 'FP32', data: rows }] });
    expect(res.status).toBe(200);
    const version = Number(res.body.model_version);
    expect(res.body).toEqual({
      model_name: 'iris',
      model_version: String(version),
      id: expect.any(String),
      outputs: expectedOutputs(await params(version), rows, 'FP32'),
    });
    // The worker counts the request once its reply is published; the gateway may answer a moment earlier.
    await eventually(async () => ((await requests()) > requestsBefore ? true : undefined), 5_000, 'the worker to count the request');
    expect(await requests()).toBe(requestsBefore + 1);
    expect(await workerCount('predictions_total')).toBe(rowsBefore + 2);
  });

  it('scores a 1000-row FP32 tensor in one request', async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => IRIS[i % IRIS.length]);
    const res = await postJson(`${gateway.url}/v2/models/iris/infer`, matrix(rows, 'FP32'));
    expect(res.status).toBe(200);
    expect(res.body.outputs).toEqual(expectedOutputs(await params(Number(res.body.model_version)), rows, 'FP32'));
  });

  it('answers the same rows identically over /predict, /predict/batch, /v2 (FP64, and FP32 as float32), gRPC and /invocations', async () => {
    const batch = await postJson(`${gateway.url}/predict/batch`, { instances: records(IRIS) });
    expect(batch.status).toBe(200);
    const labels = batch.body.predictions.map((p: { prediction: string }) => p.prediction);
    const classIds = batch.body.predictions.map((p: { class_id: number }) => p.class_id);
    const probabilities: number[] = batch.body.predictions.flatMap((p: { probabilities: Record<string, number> }) =>
      CLASS_NAMES.map((c) => p.probabilities[c]),
    );
    const one = await postJson(`${gateway.url}/predict`, records(IRIS)[100]);
    expect([one.body.prediction, CLASS_NAMES.map((c) => one.body.probabilities[c])]).toEqual([labels[100], probabilities.slice(300, 303)]);

    const oip64 = (await postJson(`${gateway.url}/v2/models/iris/infer`, matrix(IRIS, 'FP64'))).body;
    expect(oip64.outputs.map((o: { data: unknown[] }) => o.data)).toEqual([labels, classIds, probabilities]);
    const oip32 = (await postJson(`${gateway.url}/v2/models/iris/infer`, matrix(IRIS, 'FP32'))).body;
    expect(oip32.outputs.map((o: { data: unknown[] }) => o.data)).toEqual([labels, classIds, probabilities.map(float32Value)]);

    const { response } = await grpc.call('ModelInfer', {
      model_name: 'iris',
      inputs: [{ name: 'input-0', datatype: 'FP64', shape: [IRIS.length, 4], contents: { fp64_contents: IRIS.flat() } }],
    });
    expect(response.outputs[0].contents.bytes_contents.map((b: Buffer) => b.toString())).toEqual(labels);
    expect(response.outputs[1].contents.int64_contents).toEqual(classIds);
    expect(response.outputs[2].contents.fp64_contents).toEqual(probabilities);

    const mlflow = await postJson(`${gateway.url}/invocations`, { dataframe_records: records(IRIS) });
    expect(mlflow.body).toEqual({ predictions: labels });
    // Every answer came from the one version serving throughout.
    expect(
      new Set([batch.body.model_version, one.body.model_version, Number(oip64.model_version), Number(oip32.model_version), Number(response.model_version)])
        .size,
    ).toBe(1);
  });

  it('answers /invocations in its four JSON layouts and as CSV', async () => {
    const rows = [IRIS[0], IRIS[60], IRIS[120]];
    const columns = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    const expected = (await postJson(`${gateway.url}/predict/batch`, { instances: records(rows) })).body.predictions.map(
      (p: { prediction: string }) => p.prediction,
    );
    const bodies = [
      { dataframe_split: { columns, data: rows } },
      { dataframe_records: records(rows) },
      { instances: rows },
      { inputs: Object.fromEntries(columns.map((c, i) => [c, rows.map((r) => r[i])])) },
    ];
    for (const body of bodies) expect((await postJson(`${gateway.url}/invocations`, body)).body).toEqual({ predictions: expected });
    const csv = [columns.join(','), ...rows.map((r) => r.join(','))].join('\n');
    const res = await fetch(`${gateway.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    expect([res.status, await res.json()]).toEqual([200, { predictions: expected }]);
  });

  it('answers gRPC ModelInfer from a client of the official proto, raw FP32 in and out', async () => {
    const raw = Buffer.from(new Float32Array(IRIS.slice(0, 5).flat()).buffer);
    const { response } = await grpc.call('ModelInfer', {
      model_name: 'iris',
      id: `raw-${run}`,
      inputs: [{ name: 'input-0', datatype: 'FP32', shape: [5, 4] }],
      raw_input_contents: [raw],
    });
    const expected = expectedOutputs(await params(Number(response.model_version)), IRIS.slice(0, 5), 'FP32');
    expect(response.id).toBe(`raw-${run}`);
    const probabilities = response.raw_output_contents[2] as Buffer;
    expect(Array.from({ length: 15 }, (_, i) => float32Value(probabilities.readFloatLE(i * 4)))).toEqual(expected[2].data);
    const classes = response.raw_output_contents[1] as Buffer;
    expect(Array.from({ length: 5 }, (_, i) => Number(classes.readBigInt64LE(i * 8)))).toEqual(expected[1].data);
  });

  it('scores with a named version after a retrain: the new version serves, the old one still answers by name, over REST and gRPC', async () => {
    const serving = await servingState(gateway.url);
    // A promotable candidate whose parameters differ from the serving version's.
    let retrain = promotableRetrain(serving, 0.3, 1000);
    const paramsOf = (seed: number) =>
      trainModel(
        irisDataset(),
        { testSize: 0.3, randomState: seed, hyperparameters: { var_smoothing: 1e-9 } },
        { minAccuracy: 0, maxRegression: 1, minHoldoutRows: 1, maxReferenceRegression: 1 },
        null,
      ).params;
    while (JSON.stringify(paramsOf(retrain.request.random_state)) === JSON.stringify(serving.params))
      retrain = promotableRetrain(serving, 0.3, retrain.request.random_state + 1);
    const accepted = await postJson(`${gateway.url}/retrain`, retrain.request);
    expect(accepted.status).toBe(202);
    const job = await eventually(async () => {
      const r = await getJson(`${gateway.url}/retrain/${accepted.body.job_id}`);
      return FINAL.includes(r.body.status) ? r.body : undefined;
    }, 60_000);
    expect([job.status, job.model_version]).toEqual(['promoted', serving.nextVersion]);
    const [oldVersion, newVersion] = [serving.version, job.model_version as number];
    await eventually(
      async () => ((await metricValue(worker.url, 'model_current_version')) === newVersion ? true : undefined),
      30_000,
      `the worker on version ${newVersion}`,
    );

    const rows = IRIS.filter((_, i) => i % 10 === 0);
    const [oldParams, newParams] = [await params(oldVersion), await params(newVersion)];
    expect(expectedOutputs(oldParams, rows, 'FP64')[2]).not.toEqual(expectedOutputs(newParams, rows, 'FP64')[2]);
    const unnamed = (await postJson(`${gateway.url}/v2/models/iris/infer`, matrix(rows, 'FP64'))).body;
    expect([unnamed.model_version, unnamed.outputs]).toEqual([String(newVersion), expectedOutputs(newParams, rows, 'FP64')]);
    const named = (await postJson(`${gateway.url}/v2/models/iris/versions/${oldVersion}/infer`, matrix(rows, 'FP64'))).body;
    expect([named.model_version, named.outputs]).toEqual([String(oldVersion), expectedOutputs(oldParams, rows, 'FP64')]);
    const { response } = await grpc.call('ModelInfer', {
      model_name: 'iris',
      model_version: String(oldVersion),
      inputs: [{ name: 'input-0', datatype: 'FP64', shape: [rows.length, 4], contents: { fp64_contents: rows.flat() } }],
    });
    expect([response.model_version, response.outputs[2].contents.fp64_contents]).toEqual([
      String(oldVersion),
      expectedOutputs(oldParams, rows, 'FP64')[2].data,
    ]);
    expect((await getJson(`${gateway.url}/v2/models/iris`)).body.versions).toEqual(expect.arrayContaining([String(oldVersion), String(newVersion)]));

    const missing = serving.nextVersion + 1000;
    const unknown = await postJson(`${gateway.url}/v2/models/iris/versions/${missing}/infer`, matrix(rows, 'FP64'));
    expect([unknown.status, unknown.body]).toEqual([404, { error: `model "iris" has no version "${missing}"` }]);
    expect(await grpc.failure('ModelInfer', { model_name: 'iris', model_version: String(missing), inputs: [] })).toEqual({
      code: GrpcStatus.NOT_FOUND,
      details: `model "iris" has no version "${missing}"`,
    });
  });

  it('answers a request naming a version the registry does not hold with a PredictionFailed from the worker, not a reply and not a dead letter', async () => {
    const requestId = `unknown-version-${run}`;
    const envelope = createEnvelope(
      'PredictionRequested',
      { instances: records([IRIS[0]]), reply_to: 'nobody', model_version: 999_999 },
      { requestId, producer: 'e2e' },
    );
    await bus.send(TOPICS.predictionRequested, [{ key: requestId, value: JSON.stringify(envelope), headers: { 'x-request-id': requestId } }]);
    const failed = await eventually(
      async () => {
        for (const m of await bus.readToEnd(TOPICS.predictionFailed)) {
          const d = decodeEvent(TOPICS.predictionFailed, m.value);
          if (d.ok && d.event.request_id === requestId) return d.event.payload;
        }
        return undefined;
      },
      20_000,
      'the PredictionFailed',
    );
    expect(failed).toEqual({
      error: 'unknown_model_version',
      reason: 'model version 999999 is not registered',
      rows: 1,
      worker: `worker-p-${run}`,
      reply_to: 'nobody',
    });
    // A dead letter would be published before the worker commits past the request: once it has committed everything, none can follow.
    await progress.caughtUp('inference-worker', [TOPICS.predictionRequested]);
    const parked = (await bus.readToEnd(TOPICS.deadLetter))
      .map((m) => decodeEvent(TOPICS.deadLetter, m.value))
      .filter((d) => d.ok && d.event.request_id === requestId);
    expect(parked).toEqual([]);
  });
});
