import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type request from 'supertest';
import { TOPICS, decodeEvent, type DriftDetected, type InputStats, type Topic } from '@app/contracts';
import { FEATURE_NAMES, IRIS_ROWS, mulberry32, parseTabularCsv } from '@app/model';
import { indexTemplates } from '@app/monitoring';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { startTestPlatform } from './support/embedded';
import { eventually, metricSum } from './support/http';
import { REPO_ROOT } from './support/python-reference';

const WINE_CSV = (name: string) => readFileSync(join(REPO_ROOT, 'data', name), 'utf8');
const wine = parseTabularCsv(WINE_CSV('wine-train.csv'), 'class').data;
const WINDOW = 150;

/** Wine training rows drawn with a fixed seed, as request bodies; proline times `proline`. */
function wineTraffic(n: number, seed: number, proline = 1) {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const x = wine.X[Math.floor(random() * wine.X.length)];
    return Object.fromEntries(wine.featureNames.map((f, j) => [f, f === 'proline' ? x[j] * proline : x[j]]));
  });
}

const irisTraffic = () => IRIS_ROWS.map((r) => Object.fromEntries(FEATURE_NAMES.map((f, j) => [f, r.features[j]])));

type Doc = Record<string, unknown> & { _index: string; model?: string };

describe('rolling statistics and drift per named model (embedded mode)', () => {
  let platform: EmbeddedPlatform;
  let http: ReturnType<typeof request>;
  let documents: string;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'named-drift-data-'));
    for (const name of ['wine-train.csv', 'wine-test.csv']) writeFileSync(join(dataDir, name), WINE_CSV(name));
    const embedded = mkdtempSync(join(tmpdir(), 'named-drift-'));
    documents = join(embedded, 'documents');
    ({ platform, http } = await startTestPlatform('named-drift', {
      DATA_DIR: dataDir,
      EMBEDDED_DATA_DIR: embedded,
      STATS_WINDOW_SIZE: String(WINDOW),
      STATS_PUBLISH_SECONDS: '1',
      DRIFT_MIN_WINDOW: '100',
      DRIFT_CHECK_EVERY: '30',
    }));
  }, 30_000);
  afterAll(() => platform?.close());

  const events = async <T>(topic: Topic) =>
    (await platform.bus.readToEnd(topic)).map((m) => decodeEvent(topic, m.value)).flatMap((d) => (d.ok ? [d.event.payload as T] : []));
  const indexed = (kind: string): Doc[] => {
    try {
      return readFileSync(join(documents, `${kind}.ndjson`), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Doc);
    } catch {
      return [];
    }
  };
  const sendWine = async (rows: Array<Record<string, number>>) => {
    for (let i = 0; i < rows.length; i += 30) {
      await http
        .post('/models/wine/predict/batch')
        .send({ instances: rows.slice(i, i + 30) })
        .expect(200);
    }
  };

  it("raises drift for wine's shifted proline, named wine and with no retrain, and none for iris, whose window holds no wine", async () => {
    const accepted = await http
      .post('/models/wine/retrain')
      .send({ dataset: { source: 'csv', path: 'wine-train.csv', label: 'class' }, holdout: { source: 'csv', path: 'wine-test.csv', label: 'class' } })
      .expect(202);
    const job = await eventually(
      async () => {
        const j = (await http.get(accepted.headers.location).expect(200)).body;
        return ['promoted', 'rejected', 'failed'].includes(j.status) ? j : undefined;
      },
      15_000,
      'the wine model to be trained',
    );
    expect(job).toMatchObject({ model_name: 'wine', status: 'promoted', model_version: 1 });

    // In-distribution traffic for both models: a full window each, evaluated, no drift.
    await sendWine(wineTraffic(WINDOW, 1));
    await http.post('/predict/batch').send({ instances: irisTraffic() }).expect(200);
    const evaluated = await eventually(
      async () => {
        const stats = await events<InputStats>(TOPICS.inputStats);
        const ofWine = stats.filter((s) => s.model_name === 'wine' && s.count === WINDOW && s.drift);
        const ofIris = stats.filter((s) => s.model_name === undefined && s.count === IRIS_ROWS.length && s.drift);
        return ofWine.length > 0 && ofIris.length > 0 ? { wine: ofWine.at(-1)!, iris: ofIris.at(-1)! } : undefined;
      },
      15_000,
      'evaluated statistics of both models',
    );
    // Each window is its model's own: wine's 13 features and 3 classes, iris's 4 and its rows only.
    expect(Object.keys(evaluated.wine.features)).toEqual(wine.featureNames);
    expect(Object.keys(evaluated.wine.class_mix)).toEqual(wine.classNames);
    expect(Object.keys(evaluated.iris.features)).toEqual([...FEATURE_NAMES]);
    expect(Object.values(evaluated.wine.drift!).every((d) => !d.drifted)).toBe(true);
    expect(Object.values(evaluated.iris.drift!).every((d) => !d.drifted)).toBe(true);
    expect(await events(TOPICS.driftDetected)).toEqual([]);

    // Proline tripled, nothing else: wine drifts on proline alone.
    await sendWine(wineTraffic(WINDOW, 2, 3));
    const [drift] = await eventually(
      async () => {
        const raised = await events<DriftDetected>(TOPICS.driftDetected);
        return raised.length > 0 ? raised : undefined;
      },
      15_000,
      'a drift event for wine',
    );
    expect(drift).toMatchObject({ model_name: 'wine', model_version: 1, drifted_features: ['proline'], retrain_requested: false });
    expect(Object.keys(drift.features)).toEqual(wine.featureNames);
    expect(drift.window_size).toBeLessThanOrEqual(WINDOW);
    // More checks of the same episode and iris's window raise nothing more; no retrain was asked for.
    await sendWine(wineTraffic(60, 3, 3));
    await http.post('/predict/batch').send({ instances: irisTraffic() }).expect(200);
    // Every row of both models indexed, then observed, then one more statistics round published.
    const rows = (model: string) => indexed('predictions').filter((d) => d.model === model).length;
    await eventually(async () => (rows('wine') === 2 * WINDOW + 60 && rows('iris') === 2 * IRIS_ROWS.length ? true : undefined), 15_000, 'every row indexed');
    const published = (await events(TOPICS.inputStats)).length;
    await eventually(async () => ((await events(TOPICS.inputStats)).length >= published + 2 ? true : undefined), 15_000, 'a later statistics round');
    expect((await events<DriftDetected>(TOPICS.driftDetected)).map((d) => d.model_name)).toEqual(['wine']);
    // The only retrain request is the one that trained wine.
    expect((await events<{ job_id: string; reason?: string }>(TOPICS.retrainRequested)).map((r) => [r.job_id, r.reason])).toEqual([[job.job_id, undefined]]);
    const metrics = (await http.get('/metrics').expect(200)).text;
    expect(metricSum(metrics, 'named_drift_psi_max', 'model="wine"')).toBeGreaterThan(0.25);

    // Indexed (files in the embedded mode) as a fixed mapping takes any model's names.
    const drifts = await eventually(async () => (indexed('drift').length > 0 ? indexed('drift') : undefined), 10_000, 'the drift document');
    expect(drifts.map((d) => d.model)).toEqual(['wine']);
    expect(drifts[0]).toMatchObject({ _index: 'drift', model: 'wine', model_version: 1, drifted_features: ['proline'], retrain_requested: false });
    const proline = (drifts[0].feature_stats as Array<{ name: string; drifted: boolean; psi: number }>).find((f) => f.name === 'proline')!;
    expect(proline.drifted).toBe(true);
    expect(drifts[0].psi_max).toBe(proline.psi);
    const stats = indexed('stats');
    const wineStats = stats.filter((d) => d.model === 'wine');
    const irisStats = stats.filter((d) => d.model === 'iris');
    expect(wineStats.length).toBeGreaterThan(0);
    expect(irisStats.length).toBeGreaterThan(0);
    for (const d of wineStats) {
      expect('features' in d || 'class_mix' in d || 'drift' in d).toBe(false);
      expect((d.feature_stats as Array<{ name: string }>).map((f) => f.name)).toEqual(wine.featureNames);
    }
    for (const d of irisStats) expect(Object.keys(d.features as object)).toEqual([...FEATURE_NAMES]);
    // Every top-level field is one the strict templates map.
    const mapped = Object.fromEntries(
      indexTemplates('mlops').map((t) => [t.name.replace('mlops-', ''), Object.keys(t.template.mappings.properties as object)]),
    );
    for (const d of [...drifts, ...stats]) {
      const { _id: _ignored, _index, ...body } = d;
      expect(Object.keys(body).filter((k) => !mapped[_index].includes(k))).toEqual([]);
    }
  });
});

describe('drift retrains a named model from its reference set and labels, with DRIFT_AUTO_RETRAIN (embedded mode)', () => {
  let platform: EmbeddedPlatform;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'named-drift-retrain-data-'));
    for (const name of ['wine-train.csv', 'wine-test.csv']) writeFileSync(join(dataDir, name), WINE_CSV(name));
    ({ platform, http } = await startTestPlatform('named-drift-retrain', {
      DATA_DIR: dataDir,
      STATS_WINDOW_SIZE: String(WINDOW),
      DRIFT_MIN_WINDOW: '100',
      DRIFT_CHECK_EVERY: '30',
      DRIFT_AUTO_RETRAIN: 'true',
    }));
  }, 30_000);
  afterAll(() => platform?.close());

  it('asks the trainer for one retrain of wine, from feedback, when its proline drifts', async () => {
    const accepted = await http
      .post('/models/wine/retrain')
      .send({ dataset: { source: 'csv', path: 'wine-train.csv', label: 'class' }, holdout: { source: 'csv', path: 'wine-test.csv', label: 'class' } })
      .expect(202);
    await eventually(async () => ((await http.get(accepted.headers.location).expect(200)).body.status === 'promoted' ? true : undefined), 15_000);
    const rows = [...wineTraffic(WINDOW, 5), ...wineTraffic(2 * WINDOW, 6, 3)];
    for (let i = 0; i < rows.length; i += 30)
      await http
        .post('/models/wine/predict/batch')
        .send({ instances: rows.slice(i, i + 30) })
        .expect(200);
    const run = await eventually(
      async () => {
        const runs = (await platform.bus.readToEnd(TOPICS.trainingRun))
          .map((m) => decodeEvent(TOPICS.trainingRun, m.value))
          .flatMap((d) => (d.ok ? [d.event.payload] : []))
          .filter((r) => r.params.reason === 'drift' && ['promoted', 'rejected'].includes(r.status));
        return runs.length > 0 ? runs : undefined;
      },
      20_000,
      'the drift retrain of wine',
    );
    // No labels yet: the reference set alone (wine-train.csv's 133 rows), split 0.25 as scikit-learn's default.
    expect(run).toHaveLength(1);
    expect(run[0]).toMatchObject({
      model_name: 'wine',
      model_version: 2,
      params: { dataset: 'feedback:0', reason: 'drift', test_size: 0.25 },
      dataset: { rows: 133 },
    });
    expect(run[0].metrics!.holdout_size).toBeGreaterThanOrEqual(30);
  });
});
