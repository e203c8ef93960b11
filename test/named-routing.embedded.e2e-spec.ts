import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type request from 'supertest';
import { inCanary } from '@app/evaluation';
import { parseTabularCsv } from '@app/model';
import { eventually } from './support/http';
import { startTestPlatform } from './support/embedded';
import { REPO_ROOT } from './support/python-reference';

const FINAL = ['promoted', 'rejected', 'failed'];
const WINE_CSV = (name: string) => readFileSync(join(REPO_ROOT, 'data', name), 'utf8');
const wineTest = parseTabularCsv(WINE_CSV('wine-test.csv'), 'class').data;
const wineRows = wineTest.X.map((x) => Object.fromEntries(wineTest.featureNames.map((f, j) => [f, x[j]])));
const truth = wineTest.y.map((k) => wineTest.classNames[k]);
const HOLDOUT = { source: 'csv', path: 'wine-test.csv', label: 'class' };
/** The training wines with every class renamed to the next: a model of it is wrong on nearly every wine. */
const ROTATED = WINE_CSV('wine-train.csv').replace(/class_([012])$/gm, (_, k: string) => `class_${(Number(k) + 1) % 3}`);

type Http = ReturnType<typeof request>;

async function finished(http: Http, body: object) {
  const accepted = await http.post('/models/wine/retrain').send(body).expect(202);
  return eventually(async () => {
    const job = (await http.get(accepted.headers.location).expect(200)).body;
    return FINAL.includes(job.status) ? job : undefined;
  }, 15_000);
}

/**
 * A named model's canary and automatic decisions, as the default model's: the gate is opened
 * (MIN_ACCURACY 0, MAX_REGRESSION and REFERENCE_MAX_REGRESSION 1) so that bad versions become current, and the live labels
 * must put them right.
 */
describe('named models: canary and automatic decisions from live labels (embedded mode)', () => {
  let own: Awaited<ReturnType<typeof startTestPlatform>>;
  let http: Http;
  const model = async () => (await http.get('/models/wine').expect(200)).body;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'named-routing-'));
    for (const name of ['wine-train.csv', 'wine-test.csv']) writeFileSync(join(dir, name), WINE_CSV(name));
    writeFileSync(join(dir, 'wine-rotated.csv'), ROTATED);
    own = await startTestPlatform('named-routing', {
      DATA_DIR: dir,
      MIN_ACCURACY: '0',
      MAX_REGRESSION: '1',
      REFERENCE_MAX_REGRESSION: '1',
      AUTO_PROMOTE: 'true',
      AUTO_ROLLBACK: 'true',
      LIVE_MIN_LABELS: '20',
      LIVE_COOLDOWN_SECONDS: '0',
      LIVE_PUBLISH_SECONDS: '1',
    });
    http = own.http;
    // 1 learns the wines; 2 and 3 learn them with the classes rotated, and each becomes current.
    const versions = [
      await finished(http, { dataset: { source: 'csv', path: 'wine-train.csv', label: 'class' }, holdout: HOLDOUT }),
      await finished(http, { dataset: { source: 'csv', path: 'wine-rotated.csv', label: 'class' }, holdout: HOLDOUT }),
      await finished(http, { dataset: { source: 'csv', path: 'wine-rotated.csv', label: 'class' }, holdout: HOLDOUT }),
    ];
    expect(versions.map((j) => [j.model_version, j.status])).toEqual([
      [1, 'promoted'],
      [2, 'promoted'],
      [3, 'promoted'],
    ]);
  }, 60_000);

  afterAll(() => own.platform.close());

  it('splits requests by the caller id between the current version and the canary, then promotes the canary the labels favour', async () => {
    expect((await http.post('/models/wine/versions/1/canary').send({ percent: 50 }).expect(200)).body).toMatchObject({
      model: 'wine',
      action: 'canary_start',
      version: 1,
      outcome: 'applied',
    });
    expect(await model()).toMatchObject({ current_version: 3, previous_version: 2, canary: { version: 1, percent: 50 } });

    const ids = wineRows.map((_, i) => `split-${i}`);
    const answers = [];
    for (const [i, row] of wineRows.entries()) answers.push((await http.post('/models/wine/predict').set('X-Request-Id', ids[i]).send(row).expect(200)).body);
    // The same split every worker computes from the caller's id.
    expect(answers.map((a) => a.model_version)).toEqual(ids.map((id) => (inCanary(id, 50) ? 1 : 3)));
    expect(new Set(answers.map((a) => a.model_version))).toEqual(new Set([1, 3]));

    const items = answers.map((a, row) => ({ request_id: a.request_id, label: truth[row] }));
    expect((await http.post('/models/wine/feedback').send({ items }).expect(202)).body.accepted).toBe(45);
    // Version 3 (the rotated classes) is wrong where 1 is right: the monitor asks, the trainer promotes the canary.
    const after = await eventually(async () => {
      const m = await model();
      return m.current_version === 1 ? m : undefined;
    }, 15_000);
    expect(after).toMatchObject({ current_version: 1, previous_version: 3, canary: null });
    expect((await http.get('/models/wine/versions/1/live').expect(200)).body.comparisons).toContainEqual(
      expect.objectContaining({ other_version: 3, labeled: 45, accuracy: 44 / 45 }),
    );
  });

  it('rolls back a version made current by hand when the labels it has favour the previous one', async () => {
    await http.post('/models/wine/versions/2/promote').send({ reason: 'try the rotated one again' }).expect(200);
    // The labeled rows already there judge it: version 1, now previous, beats it, so it is rolled back.
    const after = await eventually(async () => {
      const m = await model();
      return m.current_version === 1 && m.previous_version === 2 ? m : undefined;
    }, 15_000);
    expect(after.versions.find((v: { version: number }) => v.version === 2).status).toBe('archived');
  });

  it('scores every request with a shadow beside the current version, answers with the current one, and counts their agreement', async () => {
    expect((await http.post('/models/wine/versions/3/shadow').send({}).expect(200)).body).toMatchObject({ action: 'shadow_start', outcome: 'applied' });
    expect(await model()).toMatchObject({ current_version: 1, shadow_version: 3 });
    const rows = wineRows.slice(0, 10);
    const answers = [];
    for (const [i, row] of rows.entries())
      answers.push((await http.post('/models/wine/predict').set('X-Request-Id', `shadowed-${i}`).send(row).expect(200)).body);
    expect(answers.every((a) => a.model_version === 1)).toBe(true);
    const shadow = (await http.post('/models/wine/versions/3/predict/batch').send({ instances: rows }).expect(200)).body.predictions;
    const agreed = answers.filter((a, i) => a.prediction === shadow[i].prediction).length;
    const live = await eventually(async () => {
      const figures = (await http.get('/models/wine/versions/1/live').expect(200)).body;
      const vs3 = figures.comparisons.find((c: { other_version: number }) => c.other_version === 3);
      return vs3?.compared === 10 ? vs3 : undefined;
    }, 10_000);
    expect(live.agreement).toBe(agreed / 10);
    expect((await http.delete('/models/wine/versions/3/shadow').expect(200)).body).toMatchObject({ action: 'shadow_stop', outcome: 'applied' });
    expect((await model()).shadow_version).toBeNull();
    await http.delete('/models/wine/versions/3/shadow').expect(404);
    expect((await http.post('/models/wine/versions/1/shadow').send({}).expect(409)).body.message).toBe(
      'version 1 is the current version of wine; a shadow scores beside it',
    );
  });

  it('refuses a canary that cannot be one, and stops one by version', async () => {
    expect((await http.post('/models/wine/versions/1/canary').send({ percent: 10 }).expect(409)).body.message).toBe('version 1 is the current version of wine');
    await http.post('/models/wine/versions/9/canary').send({ percent: 10 }).expect(404);
    await http.post('/models/wine/versions/2/canary').send({ percent: 0 }).expect(400);
    await http.post('/models/iris/versions/2/canary').send({ percent: 10 }).expect(400);
    await http.delete('/models/wine/versions/2/canary').expect(404);
    await http.post('/models/wine/versions/2/canary').send({ percent: 5 }).expect(200);
    expect((await model()).canary).toEqual({ version: 2, percent: 5 });
    expect((await http.delete('/models/wine/versions/2/canary').expect(200)).body).toMatchObject({ action: 'canary_stop', outcome: 'applied' });
    expect((await model()).canary).toBeNull();
  });
});
