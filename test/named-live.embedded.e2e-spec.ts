import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type request from 'supertest';
import { parseTabularCsv } from '@app/model';
import { eventually } from './support/http';
import { startTestPlatform } from './support/embedded';
import { REPO_ROOT } from './support/python-reference';

const FINAL = ['promoted', 'rejected', 'failed'];
const WINE_CSV = (name: string) => readFileSync(join(REPO_ROOT, 'data', name), 'utf8');
const wineTest = parseTabularCsv(WINE_CSV('wine-test.csv'), 'class').data;
const wineRows = wineTest.X.map((x) => Object.fromEntries(wineTest.featureNames.map((f, j) => [f, x[j]])));
const truth = wineTest.y.map((k) => wineTest.classNames[k]);
const WINE_DATASET = { source: 'csv', path: 'wine-train.csv', label: 'class' };
const WINE_HOLDOUT = { source: 'csv', path: 'wine-test.csv', label: 'class' };

type Http = ReturnType<typeof request>;
type Scored = { prediction: string };

async function finished(http: Http, path: string, body: object) {
  const accepted = await http.post(path).send(body).expect(202);
  return eventually(async () => {
    const job = (await http.get(accepted.headers.location).expect(200)).body;
    return FINAL.includes(job.status) ? job : undefined;
  }, 15_000);
}

const correct = (predictions: Scored[]) => predictions.filter((p, i) => p.prediction === truth[i]).length;

/**
 * The use case: a LogisticRegression challenger beside a Gaussian NB champion of one
 * model, both serving the same wines, judged on the same live labels.
 */
describe('named models: live accuracy from feedback (embedded mode)', () => {
  let own: Awaited<ReturnType<typeof startTestPlatform>>;
  let http: Http;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'named-live-'));
    for (const name of ['wine-train.csv', 'wine-test.csv']) writeFileSync(join(dir, name), WINE_CSV(name));
    own = await startTestPlatform('named-live', { DATA_DIR: dir, LIVE_PUBLISH_SECONDS: '1' });
    http = own.http;
    expect(await finished(http, '/models/wine/retrain', { dataset: WINE_DATASET, holdout: WINE_HOLDOUT })).toMatchObject({
      model_version: 1,
      status: 'promoted',
    });
    expect(
      await finished(http, '/models/wine/retrain', {
        algorithm: 'logistic_regression',
        params: { C: 1, max_iter: 1000 },
        dataset: WINE_DATASET,
        holdout: WINE_HOLDOUT,
      }),
    ).toMatchObject({ model_version: 2, status: 'rejected' });
  }, 60_000);

  afterAll(() => own.platform.close());

  it('counts labels for the version that served each row and compares both versions on all of them', async () => {
    const nb = (await http.post('/models/wine/predict/batch').send({ instances: wineRows }).expect(200)).body;
    const lr = (await http.post('/models/wine/versions/2/predict/batch').send({ instances: wineRows }).expect(200)).body;
    expect([nb.model_version, lr.model_version]).toEqual([1, 2]);
    // The held-out wines: the NB gets 44 of 45, the unscaled logistic regression 43 (test/named-models).
    expect([correct(nb.predictions), correct(lr.predictions)]).toEqual([44, 43]);

    const items = [nb, lr].flatMap((answer) => truth.map((label, row) => ({ request_id: answer.request_id, row, label })));
    expect((await http.post('/models/wine/feedback').send({ items }).expect(202)).body).toEqual({
      status: 'accepted',
      accepted: 90,
      rejected: 0,
      rejections: [],
    });

    const v1 = await eventually(async () => {
      const live = (await http.get('/models/wine/versions/1/live').expect(200)).body;
      return live.labeled === 45 && live.comparisons[0]?.labeled === 90 ? live : undefined;
    }, 10_000);
    expect(v1).toMatchObject({
      model_name: 'wine',
      version: 1,
      labeled: 45,
      correct: 44,
      accuracy: 44 / 45,
      // Each version scores all 90 labeled rows again, whichever version answered them.
      comparisons: [{ other_version: 2, labeled: 90, accuracy: 88 / 90, other_accuracy: 86 / 90 }],
    });
    expect(Object.keys(v1.per_class_recall)).toEqual(wineTest.classNames);
    expect(v1.confusion_matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(45);
    const v2 = await eventually(async () => {
      const live = (await http.get('/models/wine/versions/2/live').expect(200)).body;
      return live.labeled === 45 ? live : undefined;
    }, 10_000);
    expect(v2).toMatchObject({ version: 2, correct: 43, comparisons: [{ other_version: 1, labeled: 90, accuracy: 86 / 90, other_accuracy: 88 / 90 }] });

    const model = (await http.get('/models/wine').expect(200)).body;
    expect(model).toMatchObject({ current_version: 1, live_accuracy: 44 / 45 });
    expect(model.versions.map((v: { version: number; live_labeled: number; live_accuracy: number }) => [v.version, v.live_labeled, v.live_accuracy])).toEqual([
      [1, 45, 44 / 45],
      [2, 45, 43 / 45],
    ]);
    const listed = (await http.get('/models').expect(200)).body.named_models.find((m: { name: string }) => m.name === 'wine');
    expect(listed.live_accuracy).toBe(44 / 45);
    const metrics = (await http.get('/metrics').expect(200)).text;
    expect(metrics).toContain(`named_live_accuracy{model="wine",model_version="1"} ${44 / 45}`);

    // The default model's live figures are untouched by the named model's labels.
    expect((await http.get('/models/1/live').expect(200)).body).toMatchObject({ labeled: 0 });
  });

  it('retrains a named model from its reference set plus its joined labels', async () => {
    // The 90 labeled rows of the test above, on top of the 133 wines of its first dataset.
    const job = await finished(http, '/models/wine/retrain', { dataset: { source: 'feedback' }, holdout: WINE_HOLDOUT });
    expect(job).toMatchObject({ model_name: 'wine', model_version: 3, params: { dataset: 'feedback:90' }, dataset: { rows: 223 } });
    expect(['promoted', 'rejected']).toContain(job.status);
    expect(
      (
        await http
          .post('/models/newcomer/retrain')
          .send({ dataset: { source: 'feedback' } })
          .expect(404)
      ).body.message,
    ).toBe('there is no model named newcomer to retrain from feedback: a model learns its features and classes from a CSV first');
  });

  it('retrains a named model from rows sent inline, by feature name, checked as a CSV is', async () => {
    const rows = wineRows.map((row, i) => ({ ...row, class: truth[i] }));
    const job = await finished(http, '/models/wine/retrain', { dataset: { source: 'rows', label: 'class', rows }, test_size: 0.3, random_state: 3 });
    expect(job).toMatchObject({ model_name: 'wine', model_version: 4, params: { dataset: 'rows:45' }, dataset: { rows: 45 } });
    expect(['promoted', 'rejected']).toContain(job.status);
    // Checked row by row by the trainer: the run fails naming the row, nothing is registered.
    const broken = rows.map((r, i) => (i === 7 ? { ...r, proline: 'lots' } : r));
    expect(await finished(http, '/models/wine/retrain', { dataset: { source: 'rows', label: 'class', rows: broken } })).toMatchObject({
      status: 'failed',
      outcome_reason: expect.stringContaining('rows[7], column "proline": expected a finite number, got the text "lots"'),
    });
    const swapped = rows.map((r) => ({ ...r, colour: 1 }));
    expect(await finished(http, '/models/wine/retrain', { dataset: { source: 'rows', label: 'class', rows: swapped } })).toMatchObject({
      status: 'failed',
      outcome_reason: expect.stringContaining('"colour" the training data does not'),
    });
    expect((await http.get('/models/wine').expect(200)).body.versions).toHaveLength(4);
    expect(
      (
        await http
          .post('/models/newcomer/retrain')
          .send({ dataset: { source: 'rows', label: 'class', rows } })
          .expect(404)
      ).body.message,
    ).toBe('there is no model named newcomer to retrain from rows: a model learns its features and classes from a CSV first');
    expect(
      (
        await http
          .post('/retrain')
          .send({ dataset: { source: 'rows', label: 'class', rows } })
          .expect(400)
      ).body.error,
    ).toBe('unsupported_dataset');
    expect(
      (
        await http
          .post('/models/iris/retrain')
          .send({ dataset: { source: 'rows', label: 'class', rows } })
          .expect(400)
      ).body.error,
    ).toBe('unsupported_dataset');
  });

  it("accepts only the model's classes, per item, and labels only a model that serves", async () => {
    const answer = (await http.post('/models/wine/predict').send(wineRows[0]).expect(200)).body;
    const res = (
      await http
        .post('/models/wine/feedback')
        .send({
          items: [
            { request_id: answer.request_id, label: 'merlot' },
            { request_id: answer.request_id, label: ' CLASS_0 ' },
          ],
        })
        .expect(202)
    ).body;
    expect(res).toEqual({
      status: 'accepted',
      accepted: 1,
      rejected: 1,
      rejections: [{ index: 0, reason: 'label "merlot" is not one of class_0, class_1, class_2' }],
    });
    expect((await http.post('/models/nope/feedback').send({ request_id: 'x', label: 'a' }).expect(404)).body.message).toBe('there is no model named nope');
    expect((await http.post('/models/iris/feedback').send({ request_id: 'x', label: 'setosa' }).expect(400)).body.error).toBe('default_model');
    expect((await http.post('/models/..%2Fetc/feedback').send({ request_id: 'x', label: 'a' }).expect(400)).body.error).toBe('invalid_model_name');
    await http.post('/models/wine/feedback').send({ request_id: 'x' }).expect(400);
    expect((await http.get('/models/wine/versions/7/live').expect(404)).body.message).toBe('model wine has no version 7');
    // An archived model takes no labels; its versions' figures are gone with its routes.
    expect(await finished(http, '/models/wine-old/retrain', { dataset: WINE_DATASET, holdout: WINE_HOLDOUT })).toMatchObject({ status: 'promoted' });
    expect((await http.get('/models/wine-old/versions/1/live').expect(200)).body).toMatchObject({
      model_name: 'wine-old',
      labeled: 0,
      accuracy: null,
      per_class_recall: { class_0: null, class_1: null, class_2: null },
      updated_at: null,
    });
    await http.delete('/models/wine-old').expect(200);
    expect((await http.post('/models/wine-old/feedback').send({ request_id: 'x', label: 'class_0' }).expect(404)).body.message).toBe(
      'model wine-old was deleted',
    );
    await http.get('/models/wine-old/versions/1/live').expect(404);
  });
});
