import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@app/config';
import { TOPICS, decodeEvent } from '@app/contracts';
import { BusUnavailableError, InMemoryEventBus } from '@app/messaging';
import { IRIS_ROWS, irisDataset, stratifiedSplit } from '@app/model';
import { JsonLogger } from '@app/observability';
import { eventually } from './support/http';
import { createServiceApp, serviceContext } from '@app/runtime';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { GatewayModule } from '@apps/gateway/gateway.module';
import { startTestPlatform } from './support/embedded';
import { runPython, runPythonJson } from './support/python-reference';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const VERSICOLOR = { sepal_length: 6.4, sepal_width: 3.2, petal_length: 4.5, petal_width: 1.5 };
const VIRGINICA = { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, petal_width: 2.5 };
const quiet = new JsonLogger('test', 'error', () => undefined);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FINAL = ['promoted', 'rejected', 'failed'];

/** A retrain job once it has an outcome. */
async function finishedJob(http: ReturnType<typeof request>, body: object) {
  const accepted = await http.post('/retrain').send(body).expect(202);
  expect(accepted.headers.location).toBe(`/retrain/${accepted.body.job_id}`);
  return eventually(async () => {
    const job = (await http.get(`/retrain/${accepted.body.job_id}`).expect(200)).body;
    return FINAL.includes(job.status) ? job : undefined;
  }, 10_000);
}

// Tests that change the registry start a platform of their own; this one keeps serving version 1.
describe('HTTP API (embedded mode, in-process bus)', () => {
  let platform: EmbeddedPlatform;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    ({ platform, http } = await startTestPlatform('http-api', { BODY_LIMIT: '256kb' }));
  });
  afterAll(() => platform.close());

  it("answers a setosa prediction with the documented shape, its own request id, and the caller's echoed", async () => {
    const res = await http.post('/predict').set('X-Request-Id', 'abc-123').send(SETOSA).expect(200);
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.body).toMatchObject({ status: 'success', prediction: 'setosa', class_id: 0, model_version: 1, client_request_id: 'abc-123' });
    expect(res.body.request_id).toMatch(UUID);
    const p = res.body.probabilities;
    expect(Object.keys(p).sort()).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(p.setosa + p.versicolor + p.virginica).toBeCloseTo(1, 12);
    expect(res.body.probability).toBe(p.setosa);
    expect(res.body.latency_ms).toBeGreaterThan(0);
  });

  it('scores a batch in input order', async () => {
    const res = await http
      .post('/predict/batch')
      .send({ instances: [VIRGINICA, SETOSA, VERSICOLOR] })
      .expect(200);
    expect(res.body.status).toBe('success');
    expect(res.body.predictions.map((p: { prediction: string }) => p.prediction)).toEqual(['virginica', 'setosa', 'versicolor']);
  });

  it('accepts a batch of exactly 1000 rows', async () => {
    const res = await http
      .post('/predict/batch')
      .send({ instances: Array.from({ length: 1000 }, () => SETOSA) })
      .expect(200);
    expect(res.body.predictions).toHaveLength(1000);
  });

  const invalid: Array<[string, unknown, string]> = [
    ['a missing field', { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4 }, 'petal_width'],
    ['an unknown field', { ...SETOSA, colour: 'blue' }, 'colour'],
    ['a string', { ...SETOSA, sepal_length: '5.1' }, 'sepal_length'],
    ['a boolean', { ...SETOSA, sepal_width: true }, 'sepal_width'],
    ['null', { ...SETOSA, petal_length: null }, 'petal_length'],
    ['an object', { ...SETOSA, petal_width: { cm: 0.2 } }, 'petal_width'],
    ['an array', { ...SETOSA, petal_width: [0.2] }, 'petal_width'],
    ['a negative value', { ...SETOSA, sepal_length: -1 }, 'sepal_length'],
    ['zero', { ...SETOSA, petal_width: 0 }, 'petal_width'],
    ['an absurd value', { ...SETOSA, sepal_length: 250 }, 'sepal_length'],
    ['a JSON array body', [SETOSA], '(body)'],
  ];
  it.each(invalid)('rejects %s with 400 validation_failed naming the field', async (_name, body, field) => {
    const res = await http
      .post('/predict')
      .send(body as object)
      .expect(400);
    expect(res.body.status).toBe('error');
    expect(res.body.error).toBe('validation_failed');
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('rejects a number that overflows to Infinity (1e400)', async () => {
    const res = await http
      .post('/predict')
      .set('Content-Type', 'application/json')
      .send('{"sepal_length":1e400,"sepal_width":3.5,"petal_length":1.4,"petal_width":0.2}')
      .expect(400);
    expect(res.body.details).toEqual([{ field: 'sepal_length', message: 'must be a finite number' }]);
  });

  it.each([
    ['an empty batch', { instances: [] }, 'instances'],
    ['a batch of 1001 rows', { instances: Array.from({ length: 1001 }, () => SETOSA) }, 'instances'],
    ['a batch that is not an array', { instances: SETOSA }, 'instances'],
    ['a batch with one bad row', { instances: [SETOSA, { ...SETOSA, petal_length: 'x' }] }, 'instances.1.petal_length'],
  ])('rejects %s with 400', async (_name, body, field) => {
    const res = await http.post('/predict/batch').send(body).expect(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('rejects invalid JSON with 400 and no stack trace', async () => {
    const res = await http.post('/predict').set('Content-Type', 'application/json').send('{"sepal_length": 5.1,').expect(400);
    expect(res.body).toMatchObject({ status: 'error', error: 'invalid_json' });
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js|SyntaxError/);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const res = await http.post('/predict').set('Content-Type', 'text/plain').send('5.1,3.5,1.4,0.2').expect(415);
    expect(res.body.error).toBe('unsupported_media_type');
  });

  it('rejects a body over the limit with 413', async () => {
    const big = JSON.stringify({ instances: Array.from({ length: 1000 }, () => SETOSA), padding: 'x'.repeat(300_000) });
    const res = await http.post('/predict/batch').set('Content-Type', 'application/json').send(big).expect(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('answers 404 in the error shape for an unknown route', async () => {
    const res = await http.get('/nope').expect(404);
    expect(res.body.status).toBe('error');
  });

  it('serves liveness, readiness, metrics and OpenAPI', async () => {
    await http.post('/predict').send(SETOSA).expect(200);
    await http.get('/health').expect(200, { status: 'ok' });
    expect((await http.get('/ready').expect(200)).body).toEqual({ status: 'ready', checks: { accepting: true, broker: true, model: true } });
    const metrics = await http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/predictions_total\{class="setosa",model_version="1"\} \d+/);
    expect(metrics.text).toMatch(/http_request_duration_seconds_bucket/);
    const docs = await http.get('/docs-json').expect(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/predict', '/predict/batch', '/models/current']));
    // Every service serves the health routes; the gateway alone describes them (health.openapi.ts).
    expect(docs.body.paths['/health'].get).toMatchObject({ summary: 'Liveness', tags: ['health'] });
    expect(Object.keys(docs.body.paths['/ready'].get.responses)).toEqual(['200', '503']);
    expect(docs.body.paths['/metrics'].get.responses['200'].content).toHaveProperty('text/plain');
  });

  it('exposes the current model parameters', async () => {
    const res = await http.get('/models/current').expect(200);
    expect(res.body.version).toBe(1);
    expect(res.body.status).toBe('current');
    expect(res.body.params.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(res.body.params.means).toHaveLength(3);
    expect(res.body.params.variances[0]).toHaveLength(4);
    expect(res.body.checksum).toMatch(/^[a-f0-9]{64}$/);
  });

  it('retrains on POST /retrain and lists both versions with their accuracy', async () => {
    const own = await startTestPlatform('http-api-retrain');
    try {
      const job = await finishedJob(own.http, { random_state: 3 });
      expect(job).toMatchObject({ status: 'promoted', model_version: 2, code_version: 'dev' });
      const models = (await own.http.get('/models').expect(200)).body;
      expect(models.current_version).toBe(2);
      expect(models.models.map((m: { version: number; status: string }) => [m.version, m.status])).toEqual([
        [1, 'archived'],
        [2, 'current'],
      ]);
      for (const m of models.models) expect(m.accuracy).toBeGreaterThan(0.85);
      expect((await own.http.post('/predict').send(SETOSA).expect(200)).body.model_version).toBe(2);
      await own.http.get('/retrain/no-such-job').expect(404);
      await own.http.get('/models/99').expect(404);
    } finally {
      await own.platform.close();
    }
  });

  it('retrains with logistic regression when asked, serving what scikit-learn fits on the same rows', async () => {
    const own = await startTestPlatform('http-api-logistic');
    try {
      const refused = await own.http
        .post('/retrain')
        .send({ algorithm: 'logistic_regression', params: { C: -1 } })
        .expect(400);
      expect(refused.body.details).toEqual([{ field: 'params', message: 'C: expected a number > 0 and <= 1000000000000, got -1' }]);
      await own.http.post('/retrain').send({ algorithm: 'logistic_regression', var_smoothing: 1e-9 }).expect(400);
      const job = await finishedJob(own.http, { algorithm: 'logistic_regression', params: { C: 1 } });
      expect(job).toMatchObject({
        status: 'promoted',
        model_version: 2,
        params: { algorithm: 'logistic_regression', hyperparameters: { C: 1, max_iter: 100, tol: 1e-10 }, test_size: 0.2, random_state: 42 },
      });
      expect(job.params.var_smoothing).toBeUndefined();
      const version = (await own.http.get('/models/2').expect(200)).body;
      expect(version.params.algorithm).toBe('logistic_regression');
      const answer = (await own.http.post('/predict').send(SETOSA).expect(200)).body;
      expect(answer.model_version).toBe(2);
      // scikit-learn's LogisticRegression(C=1) fitted to convergence on the trainer's 120 training rows.
      const iris = irisDataset();
      const { trainIdx } = stratifiedSplit(iris.y, 0.2, 42);
      const [reference] = runPythonJson<Array<{ classes: string[]; proba: number[][] }>>('test/reference/sklearn_logistic.py', [
        { X: trainIdx.map((i) => iris.X[i]), y: trainIdx.map((i) => iris.classNames[iris.y[i]]), queries: [Object.values(SETOSA)], C: 1 },
      ]);
      expect(reference.classes).toEqual(['setosa', 'versicolor', 'virginica']);
      reference.classes.forEach((c, k) => expect(Math.abs(answer.probabilities[c] - reference.proba[0][k])).toBeLessThan(1e-6));
      expect(answer.prediction).toBe('setosa');
    } finally {
      await own.platform.close();
    }
  });

  it("imports the seed's own scikit-learn LogisticRegression and a GaussianNB, answering as scikit-learn does; refuses broken models", async () => {
    // The seed's recipe (bench/baseline/train.py) and a GaussianNB with uneven priors, exported by the documented command.
    const dir = mkdtempSync(join(tmpdir(), 'sklearn-import-'));
    runPython(['bench/baseline/train.py', join(dir, 'iris_model.pkl')]);
    runPython(['test/reference/sklearn_models.py', 'make', dir]);
    const exported = (file: string) => {
      const out = join(dir, `${file}.json`);
      const names = ['--feature-names', 'sepal_length', 'sepal_width', 'petal_length', 'petal_width', '--class-names', 'setosa', 'versicolor', 'virginica'];
      runPython(['scripts/export-sklearn-model.py', join(dir, file), ...names, '--out', out]);
      return JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    };
    const seed = exported('iris_model.pkl');
    const gnb = exported('gnb.joblib');
    const own = await startTestPlatform('http-api-import');
    const imported = async (body: object) => {
      const accepted = await own.http.post('/models/iris/versions').send(body).expect(202);
      expect(accepted.headers.location).toBe(`/retrain/${accepted.body.job_id}`);
      return eventually(async () => {
        const job = (await own.http.get(accepted.headers.location).expect(200)).body;
        return FINAL.includes(job.status) ? job : undefined;
      }, 10_000);
    };
    const sklearn = (file: string, queries: number[][]) =>
      JSON.parse(runPython(['test/reference/sklearn_models.py', 'proba', join(dir, file)], JSON.stringify({ queries }))) as { proba: number[][] };
    try {
      const refused = async (body: unknown, error: string, message: RegExp) => {
        const res = await own.http
          .post('/models/iris/versions')
          .send(body as object)
          .expect(400);
        expect(res.body).toMatchObject({ error });
        expect(res.body.message).toMatch(message);
      };
      await refused({ ...seed, algorithm: 'decision_tree' }, 'invalid_model', /unknown estimator type "decision_tree"/);
      await refused({ ...seed, coef: (seed.coef as number[][]).map((row) => row.slice(1)) }, 'invalid_model', /coef/);
      await refused({ ...seed, classNames: ['setosa', 'versicolor'] }, 'invalid_model', /class/);
      await refused({ ...seed, intercept: [1, 'NaN', 2] }, 'invalid_model', /intercept/);
      await refused({ ...seed, featureNames: ['a', 'b', 'c', 'd'] }, 'schema_mismatch', /takes \[sepal_length/);
      // Versions are imported into a model that exists; wine was never trained here.
      expect((await own.http.post('/models/wine/versions').send(seed).expect(404)).body.message).toMatch(/^No model named "wine" with a current version/);

      const gnbJob = await imported(gnb);
      expect(gnbJob).toMatchObject({ status: 'promoted', model_version: 2, params: { algorithm: 'gaussian_nb', hyperparameters: { var_smoothing: 0.001 } } });
      const gnbAnswer = (await own.http.post('/predict').send(VERSICOLOR).expect(200)).body;
      expect(gnbAnswer.model_version).toBe(2);
      const gnbReference = sklearn('gnb.joblib', [Object.values(VERSICOLOR)]);
      ['setosa', 'versicolor', 'virginica'].forEach((c, k) => expect(Math.abs(gnbAnswer.probabilities[c] - gnbReference.proba[0][k])).toBeLessThan(1e-9));

      const seedJob = await imported(seed);
      expect(seedJob).toMatchObject({
        status: 'promoted',
        model_version: 3,
        params: { algorithm: 'logistic_regression', hyperparameters: { C: 1 }, dataset: 'import (judged on iris)' },
      });
      const queries = [Object.values(SETOSA), Object.values(VERSICOLOR), Object.values(VIRGINICA)];
      const answers = (
        await own.http
          .post('/predict/batch')
          .send({ instances: [SETOSA, VERSICOLOR, VIRGINICA] })
          .expect(200)
      ).body;
      expect(answers.model_version).toBe(3);
      const reference = sklearn('iris_model.pkl', queries);
      answers.predictions.forEach((a: { probabilities: Record<string, number> }, i: number) =>
        ['setosa', 'versicolor', 'virginica'].forEach((c, k) => expect(Math.abs(a.probabilities[c] - reference.proba[i][k])).toBeLessThan(1e-9)),
      );
      const listing = (await own.http.get('/models').expect(200)).body;
      expect(listing.models.map((m: { version: number; algorithm: string; description: string }) => [m.version, m.algorithm, m.description])).toEqual([
        [1, 'gaussian_nb', 'Gaussian naive Bayes over 3 classes, var_smoothing=1e-9'],
        [2, 'gaussian_nb', 'Gaussian naive Bayes over 3 classes, var_smoothing=0.001'],
        [3, 'logistic_regression', 'logistic regression (multinomial) over 3 classes, C=1'],
      ]);
      // The seed's documented answer to its example request: setosa, confidence 0.9766.
      expect(answers.predictions[0]).toMatchObject({ prediction: 'setosa' });
      expect(answers.predictions[0].probability.toFixed(4)).toBe('0.9766');

      // The gate judges an import as any candidate: a model that gets iris wrong is registered as rejected, never served.
      const wrong = await imported({ ...seed, coef: (seed.coef as number[][]).map((row) => row.map((v) => -v)) });
      expect(wrong).toMatchObject({ status: 'rejected', model_version: 4 });
      expect(wrong.outcome_reason).toMatch(/accuracy/);
      expect((await own.http.post('/predict').send(SETOSA).expect(200)).body.model_version).toBe(3);
    } finally {
      await own.platform.close();
    }
  });

  it('trains from a CSV file the trainer reads, and fails a run whose CSV has an unknown label, naming the line', async () => {
    const datasets = mkdtempSync(join(tmpdir(), 'iris-csv-'));
    const header = 'sepal_length,sepal_width,petal_length,petal_width,species';
    writeFileSync(join(datasets, 'iris.csv'), [header, ...IRIS_ROWS.map((r) => [...r.features, r.label].join(','))].join('\n'));
    writeFileSync(join(datasets, 'bad.csv'), [header, '5.1,3.5,1.4,0.2,setosa', '4.9,3.0,1.4,0.2,rose'].join('\n'));
    const own = await startTestPlatform('http-api-csv', { DATA_DIR: datasets });
    try {
      const fromCsv = await finishedJob(own.http, { dataset: { source: 'csv', path: 'iris.csv' }, random_state: 5 });
      expect(fromCsv).toMatchObject({
        status: 'promoted',
        model_version: 2,
        params: { dataset: 'csv:iris.csv' },
        dataset: { rows: 150 },
        reference: { dataset: 'iris', rows: 150 },
      });
      const broken = await finishedJob(own.http, { dataset: { source: 'csv', path: 'bad.csv' } });
      expect(broken.status).toBe('failed');
      expect(broken.outcome_reason).toMatch(/line 3/);
      expect(broken.outcome_reason).toMatch(/rose/);
    } finally {
      await own.platform.close();
    }
  });

  it('answers Prefer: respond-async with 202 and a Location where the prediction appears', async () => {
    const res = await http.post('/predict').set('Prefer', 'respond-async').set('X-Request-Id', 'async-1').send(VIRGINICA).expect(202);
    const id = res.body.request_id as string;
    expect(id).toMatch(UUID);
    expect(res.headers.location).toBe(`/predictions/${id}`);
    expect(res.body).toEqual({ status: 'accepted', request_id: id, client_request_id: 'async-1', location: `/predictions/${id}` });
    const found = await eventually(async () => {
      const r = await http.get(`/predictions/${id}`);
      return r.status === 200 ? r : undefined;
    }, 5_000);
    expect(found.body).toMatchObject({
      status: 'success',
      request_id: id,
      client_request_id: 'async-1',
      predictions: [{ prediction: 'virginica', input: VIRGINICA }],
    });
    await http.get('/predictions/never-made').expect(404);
  });

  it('parks a malformed prediction request on the dead-letter topic and keeps serving', async () => {
    await platform.bus.send(TOPICS.predictionRequested, [{ key: 'bad', value: '{"not":"an envelope"}', headers: { 'x-request-id': 'bad-1' } }]);
    const parked = await eventually(
      async () =>
        (await platform.bus.readToEnd(TOPICS.deadLetter))
          .map((m) => decodeEvent(TOPICS.deadLetter, m.value))
          .find((d) => d.ok && d.event.request_id === 'bad-1'),
      5_000,
      'the malformed request parked',
    );
    expect(parked.ok && parked.event.payload).toMatchObject({
      source_topic: TOPICS.predictionRequested,
      consumer_group: 'inference-worker',
      value: '{"not":"an envelope"}',
    });
    expect(parked.ok && parked.event.payload.reason).toMatch(/^invalid envelope: /);
    await http.post('/predict').send(SETOSA).expect(200);
  });
});

describe('gateway failure answers', () => {
  const gatewayOn = async (bus: InMemoryEventBus, timeoutMs: string) => {
    const config = loadConfig({
      TRANSPORT: 'memory',
      MONITOR_SINK: 'file',
      PORT: '0',
      LOG_LEVEL: 'error',
      PREDICT_TIMEOUT_MS: timeoutMs,
      KAFKA_SEND_TIMEOUT_MS: '100',
    });
    await bus.connect();
    const ctx = serviceContext('gateway', config, bus, quiet);
    return createServiceApp(ctx, GatewayModule.register(ctx), { listen: true });
  };

  it('answers 504 with the request id when no worker replies in time', async () => {
    const app = await gatewayOn(new InMemoryEventBus(), '300');
    try {
      const res = await request(app.getHttpServer()).post('/predict').set('X-Request-Id', 'slow-1').send(SETOSA).expect(504);
      expect(res.body).toMatchObject({ status: 'error', error: 'prediction_timeout', client_request_id: 'slow-1' });
      expect(res.body.request_id).toMatch(UUID);
    } finally {
      await app.close();
    }
  });

  it('answers 503 when the broker cannot take the request', async () => {
    class UnreachableBus extends InMemoryEventBus {
      override async send(): Promise<void> {
        throw new BusUnavailableError('connection refused');
      }
    }
    const app = await gatewayOn(new UnreachableBus(), '5000');
    try {
      const res = await request(app.getHttpServer()).post('/predict').send(SETOSA).expect(503);
      expect(res.body).toMatchObject({ status: 'error', error: 'broker_unavailable' });
    } finally {
      await app.close();
    }
  });
});
