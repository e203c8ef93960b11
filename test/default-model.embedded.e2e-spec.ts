import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type request from 'supertest';
import { parseTabularCsv } from '@app/model';
import { eventually } from './support/http';
import { startTestPlatform } from './support/embedded';
import { REPO_ROOT } from './support/python-reference';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const wineTest = parseTabularCsv(readFileSync(join(REPO_ROOT, 'data', 'wine-test.csv'), 'utf8'), 'class').data;
const wineRows = wineTest.X.map((x) => Object.fromEntries(wineTest.featureNames.map((f, j) => [f, x[j]])));

type Http = ReturnType<typeof request>;

/** DEFAULT_MODEL=wine: the seed's routes serve a model of the user's, iris keeps its own routes. */
describe('DEFAULT_MODEL names the model the seed routes serve (embedded mode)', () => {
  let own: Awaited<ReturnType<typeof startTestPlatform>>;
  let http: Http;

  beforeAll(async () => {
    own = await startTestPlatform('default-model', { DATA_DIR: join(REPO_ROOT, 'data'), DEFAULT_MODEL: 'wine' });
    http = own.http;
  });
  afterAll(() => own.platform.close());

  it('answers 404 naming the model until it exists, then serves it on /predict, /predict/batch and /invocations', async () => {
    expect((await http.post('/predict').send(wineRows[0]).expect(404)).body.message).toBe('there is no model named wine');
    const accepted = await http
      .post('/models/wine/retrain')
      .send({ dataset: { source: 'csv', path: 'wine-train.csv', label: 'class' }, holdout: { source: 'csv', path: 'wine-test.csv', label: 'class' } })
      .expect(202);
    await eventually(async () => ((await http.get(accepted.headers.location).expect(200)).body.status === 'promoted' ? true : undefined), 15_000);

    const named = (await http.post('/models/wine/predict').send(wineRows[0]).expect(200)).body;
    const one = (await http.post('/predict?unused=1').set('X-Request-Id', 'default-1').send(wineRows[0]).expect(200)).body;
    expect(one).toMatchObject({
      model: 'wine',
      model_version: 1,
      client_request_id: 'default-1',
      prediction: named.prediction,
      probabilities: named.probabilities,
    });
    const batch = (
      await http
        .post('/predict/batch')
        .send({ instances: wineRows.slice(0, 3) })
        .expect(200)
    ).body;
    expect(batch).toMatchObject({ model: 'wine', model_version: 1 });
    expect(batch.predictions).toHaveLength(3);
    const mlflow = (
      await http
        .post('/invocations')
        .send({ dataframe_records: wineRows.slice(0, 2) })
        .expect(200)
    ).body;
    expect(mlflow.predictions).toHaveLength(2);
    // The seed's body is not wine's: the error names the model's fields.
    const refused = (await http.post('/predict').send(SETOSA).expect(400)).body;
    expect(refused.details).toContainEqual({ field: 'alcohol', message: 'is required' });
  });

  it('keeps iris on its own routes', async () => {
    expect((await http.post('/models/iris/predict').send(SETOSA).expect(200)).body).toMatchObject({ model: 'iris', prediction: 'setosa' });
  });
});
