import { randomUUID } from 'node:crypto';
import { TOPICS, createEnvelope, decodeEvent, type LabeledRow, type ModelDecision } from '@app/contracts';
import { IRIS_ROWS, compileScorer, type GaussianNBParams } from '@app/model';
import { startTestPlatform } from './support/embedded';
import { eventually } from './support/http';
import { asRow, boundaryRows, vector, type Row } from './support/feature-rows';

/** Settings of every platform here: automatic decisions on 30 labels, judged at once, published every second. */
const LIVE_ENV = {
  RATE_LIMIT: '0',
  AUTO_ROLLBACK: 'true',
  LIVE_MIN_LABELS: '30',
  LIVE_ALPHA: '0.01',
  LIVE_WINDOW: '5000',
  LIVE_COOLDOWN_SECONDS: '0',
  LIVE_PUBLISH_SECONDS: '1',
};

/** A platform of the test's own (version 1 serving, nothing labeled) and what the tests do with it. */
async function livePlatform(env: Record<string, string> = {}) {
  const { platform, http } = await startTestPlatform('live', { ...LIVE_ENV, ...env });
  const params = async (version: number) => (await http.get(`/models/${version}`).expect(200)).body.params as GaussianNBParams;
  const classify = async (version: number) => {
    const score = compileScorer(await params(version));
    return (r: Row) => score(vector(r)).className;
  };
  const live = (version: number, labeled: number) =>
    eventually(
      async () => {
        const body = (await http.get(`/models/${version}/live`).expect(200)).body;
        return body.labeled >= labeled ? body : undefined;
      },
      15_000,
      `${labeled} labeled rows for version ${version}`,
    );
  const predictBatch = async (rows: Row[]) => (await http.post('/predict/batch').send({ instances: rows }).expect(200)).body;
  const label = (items: Array<{ request_id: string; row?: number; label: string }>) => http.post('/feedback').send({ items }).expect(202);
  const labeledRows = async () =>
    (await platform.bus.readToEnd(TOPICS.feedbackLabeled)).flatMap((m) => {
      const d = decodeEvent(TOPICS.feedbackLabeled, m.value);
      return d.ok ? [d.event.payload as LabeledRow] : [];
    });
  const decisions = async () =>
    (await platform.bus.readToEnd(TOPICS.modelDecision)).flatMap((m) => {
      const d = decodeEvent(TOPICS.modelDecision, m.value);
      return d.ok ? [d.event.payload as ModelDecision] : [];
    });
  /** Trains version 2 (random_state 7, test_size 0.3) and waits until it serves; version 1 is then the previous one. */
  const promoteVersion2 = async () => {
    const retrain = await http.post('/retrain').send({ random_state: 7, test_size: 0.3 }).expect(202);
    const job = await eventually(
      async () => {
        const body = (await http.get(`/retrain/${retrain.body.job_id}`)).body;
        return ['promoted', 'rejected', 'failed'].includes(body.status) ? body : undefined;
      },
      10_000,
      'the retrain outcome',
    );
    expect([job.status, job.model_version]).toEqual(['promoted', 2]);
    await eventually(async () => ((await predictBatch([asRow(IRIS_ROWS[0].features)])).model_version === 2 ? true : undefined), 5_000, 'version 2 serving');
  };
  return { platform, http, params, classify, live, predictBatch, label, labeledRows, decisions, promoteVersion2 };
}

// Each test starts its own platform: none depends on versions, labels or decisions another left.
describe('live evaluation (embedded mode)', () => {
  let p: Awaited<ReturnType<typeof livePlatform>> | undefined;
  const start = async (env?: Record<string, string>) => (p = await livePlatform(env));
  afterEach(async () => {
    await p?.platform.close();
    p = undefined;
  });

  it('counts accepted and rejected labels: unknown labels are rejected, labels for unknown requests are kept', async () => {
    const { http, label, labeledRows } = await start();
    const res = await label([
      { request_id: randomUUID(), label: 'virginica' },
      { request_id: randomUUID(), label: 'Iris-virginica' },
      { request_id: randomUUID(), row: 3, label: 'setosa' },
    ]);
    expect(res.body).toEqual({
      status: 'accepted',
      accepted: 2,
      rejected: 1,
      rejections: [{ index: 1, reason: 'label "Iris-virginica" is not one of setosa, versicolor, virginica' }],
    });
    const bad = await http.post('/feedback').send({ request_id: 'x', row: 1000, label: 'setosa' }).expect(400);
    expect(bad.body.error).toBe('validation_failed');
    const pending = await eventually(async () => ((await labeledRows()).length >= 2 ? labeledRows() : undefined), 5_000, 'pending labels recorded');
    expect(pending.map((r) => [r.label, r.joined])).toEqual([
      ['virginica', false],
      ['setosa', false],
    ]);
  });

  it('gives live accuracy equal to the offline accuracy of the version on the same 300 labeled rows', async () => {
    const { http, classify, live, predictBatch, label } = await start();
    const rows = [...IRIS_ROWS, ...IRIS_ROWS].map((r) => ({ row: asRow(r.features), label: r.label }));
    const first = await predictBatch(rows.slice(0, 150).map((r) => r.row));
    const second = await predictBatch(rows.slice(150).map((r) => r.row));
    expect([first.model_version, second.model_version]).toEqual([1, 1]);
    await label(rows.map((r, i) => ({ request_id: (i < 150 ? first : second).request_id, row: i % 150, label: r.label })));
    const v1 = await classify(1);
    const correct = rows.filter((r) => v1(r.row) === r.label).length;
    const figures = await live(1, 300);
    expect(figures).toMatchObject({ version: 1, labeled: 300, correct, accuracy: correct / 300 });
    expect(figures.accuracy_ci95[0]).toBeLessThan(correct / 300);
    expect(figures.accuracy_ci95[1]).toBeGreaterThan(correct / 300);
    const recall = (c: string) => rows.filter((r) => r.label === c && v1(r.row) === c).length / 100;
    expect(figures.per_class_recall).toEqual({ setosa: recall('setosa'), versicolor: recall('versicolor'), virginica: recall('virginica') });
    expect(figures.confusion_matrix.flat().reduce((a: number, b: number) => a + b, 0)).toBe(300);
    const metrics = (await http.get('/metrics').expect(200)).text;
    expect(metrics).toContain(`live_accuracy{model_version="1"} ${correct / 300}`);
  });

  it('joins a label sent before its prediction once the prediction arrives', async () => {
    const { platform, live, label, labeledRows } = await start();
    const requestId = randomUUID();
    await label([{ request_id: requestId, label: 'setosa' }]);
    await eventually(async () => ((await labeledRows()).some((r) => r.request_id === requestId && !r.joined) ? true : undefined), 5_000);
    const envelope = createEnvelope(
      'PredictionRequested',
      { instances: [asRow(IRIS_ROWS[0].features)], reply_to: 'nobody' },
      { requestId, producer: 'test', eventId: randomUUID() },
    );
    await platform.bus.send(TOPICS.predictionRequested, [{ key: requestId, value: JSON.stringify(envelope), headers: { 'x-request-id': requestId } }]);
    const joined = await eventually(async () => (await labeledRows()).find((r) => r.request_id === requestId && r.joined), 5_000, 'the early label joined');
    expect(joined).toMatchObject({ label: 'setosa', served_version: 1, predicted: 'setosa', input: asRow(IRIS_ROWS[0].features) });
    expect(await live(1, 1)).toMatchObject({ labeled: 1, correct: 1 });
  });

  it('scores every request in shadow too, and reports agreement and both accuracies on the same labeled rows', async () => {
    const { http, classify, predictBatch, label, labeledRows, promoteVersion2 } = await start();
    await promoteVersion2();
    expect((await http.post('/models/1/shadow').send({}).expect(200)).body).toMatchObject({ action: 'shadow_start', version: 1, outcome: 'applied' });
    expect((await http.get('/models').expect(200)).body).toMatchObject({ current_version: 2, previous_version: 1, shadow_version: 1 });
    const rows = IRIS_ROWS.map((r) => asRow(r.features));
    const answered = await predictBatch(rows);
    expect([answered.model_version, answered.predictions.length]).toEqual([2, 150]);
    await label(IRIS_ROWS.map((r, i) => ({ request_id: answered.request_id, row: i, label: r.label })));
    const [v1, v2] = [await classify(1), await classify(2)];
    const agreed = rows.filter((r) => v1(r) === v2(r)).length;
    const comparison = await eventually(
      async () => {
        const body = (await http.get('/models/2/live').expect(200)).body;
        const c = body.comparisons.find((x: { other_version: number }) => x.other_version === 1);
        return c && c.compared >= 150 && c.labeled >= 150 ? c : undefined;
      },
      10_000,
      'shadow agreement over the labeled rows',
    );
    expect(comparison.compared).toBe(150);
    expect(comparison.agreement).toBe(agreed / 150);
    // Both accuracies on the same 150 labeled rows, each version re-scoring the same inputs.
    const labeled = (await labeledRows()).filter((r) => r.joined && r.input);
    expect(labeled).toHaveLength(150);
    const accuracy = (f: (r: Row) => string) => labeled.filter((r) => f(r.input!) === r.label).length / labeled.length;
    expect([comparison.labeled, comparison.accuracy, comparison.other_accuracy]).toEqual([150, accuracy(v2), accuracy(v1)]);
    await http.delete('/models/1/shadow').expect(200);
    expect((await http.get('/models').expect(200)).body.shadow_version).toBeNull();
  });

  it('refuses as the registry owner what cannot be done: the current version as its own shadow, an unknown version', async () => {
    const { http, promoteVersion2 } = await start();
    await promoteVersion2();
    const res = await http.post('/models/2/shadow').send({}).expect(409);
    expect(res.body).toMatchObject({ error: 'not_applied', message: 'version 2 is the current version; a shadow scores beside it' });
    await http.post('/models/99/canary').send({ percent: 10 }).expect(404);
    await http.post('/models/1/canary').send({ percent: 0 }).expect(400);
  });

  it('sends a canary its share of requests, the same caller id always to the same version', async () => {
    const { http, promoteVersion2 } = await start();
    await promoteVersion2();
    await http.post('/models/1/canary').send({ percent: 30 }).expect(200);
    const versions = await Promise.all(
      Array.from(
        { length: 200 },
        async (_, i) =>
          (await http.post('/predict').set('X-Request-Id', `canary-${i}`).send(asRow(IRIS_ROWS[0].features)).expect(200)).body.model_version as number,
      ),
    );
    const share = versions.filter((v) => v === 1).length / versions.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
    const again = await Promise.all(
      Array.from(
        { length: 20 },
        async (_, i) =>
          (await http.post('/predict').set('X-Request-Id', `canary-${i}`).send(asRow(IRIS_ROWS[0].features)).expect(200)).body.model_version as number,
      ),
    );
    expect(again).toEqual(versions.slice(0, 20));
    await http.delete('/models/1/canary').expect(200);
  });

  /** 60 rows versions 1 and 2 classify differently, answered by version 2, labeled as version 1 says: a concept version 2 missed. */
  const disputedLabels = async ({ classify, params, predictBatch, label }: Awaited<ReturnType<typeof livePlatform>>) => {
    const [v1, v2] = [await classify(1), await classify(2)];
    const disputed = boundaryRows(await params(2)).filter((r) => v1(r) !== v2(r));
    expect(disputed.length).toBeGreaterThan(0);
    const rows = Array.from({ length: 60 }, (_, i) => disputed[i % disputed.length]);
    const answer = await predictBatch(rows);
    expect(answer.model_version).toBe(2);
    await label(rows.map((r, i) => ({ request_id: answer.request_id, row: i, label: v1(r) })));
    return rows;
  };

  it('rolls back automatically when feedback shows the previous version is significantly better, with the test in the decision', async () => {
    const platform = await start();
    const { http, decisions, promoteVersion2 } = platform;
    await promoteVersion2();
    const rows = await disputedLabels(platform);
    const rollback = await eventually(
      async () => (await decisions()).find((d) => d.action === 'rollback' && d.source === 'auto'),
      15_000,
      'an automatic rollback',
    );
    expect(rollback).toMatchObject({ outcome: 'applied', version: 1, previous_version: 2, evidence: { test: 'mcnemar-exact', alpha: 0.01 } });
    // Every labeled row so far is one version 1 got right and version 2 wrong; the decision may come before all 60 are in.
    const evidence = rollback.evidence!;
    expect([evidence.challenger_only_correct, evidence.incumbent_only_correct]).toEqual([evidence.labeled, 0]);
    expect(evidence.labeled).toBeGreaterThanOrEqual(30);
    expect(evidence.labeled).toBeLessThanOrEqual(60);
    expect(evidence.p_value).toBeLessThan(0.01);
    expect(rollback.reason).toMatch(/^version 1 beat current version 2 on the last \d+ labeled rows \(\d+ vs 0 discordant, McNemar p=/);
    await eventually(
      async () => ((await http.post('/predict').send(rows[0]).expect(200)).body.model_version === 1 ? true : undefined),
      5_000,
      'version 1 serving',
    );
    expect((await http.get('/models/1').expect(200)).body.decisions).toEqual(
      expect.arrayContaining([expect.objectContaining({ command_id: rollback.command_id })]),
    );
  });

  it('trains from the reference data plus the labeled live rows, through the same gate', async () => {
    // No automatic decision here: version 2 stays current, and the gate judges the candidate against it.
    const platform = await start({ AUTO_ROLLBACK: 'false' });
    const { http, live, labeledRows, promoteVersion2 } = platform;
    await promoteVersion2();
    await disputedLabels(platform);
    await live(2, 60);
    expect((await labeledRows()).filter((r) => r.joined && r.input)).toHaveLength(60);
    const accepted = await http
      .post('/retrain')
      .send({ dataset: { source: 'feedback' } })
      .expect(202);
    const job = await eventually(async () => {
      const body = (await http.get(`/retrain/${accepted.body.job_id}`)).body;
      return ['promoted', 'rejected', 'failed'].includes(body.status) ? body : undefined;
    }, 10_000);
    expect(job).toMatchObject({
      params: { dataset: 'feedback:60' },
      dataset: { rows: 210 },
      reference: { dataset: 'iris', rows: 150 },
    });
    // The 60 "version 1 was right" rows pull the candidate's boundary: on the reference set it loses too much to version 2.
    expect([job.status, job.outcome_reason]).toEqual([
      'rejected',
      "candidate accuracy 0.9067 on the reference set regresses more than 0.0200 from the current model's 0.9600",
    ]);
  });

  it('leaves exactly one current version when a promote races a retrain', async () => {
    const { http, promoteVersion2 } = await start();
    await promoteVersion2();
    const [promote, retrain] = await Promise.all([http.post('/models/1/promote').send({ reason: 'race' }), http.post('/retrain').send({ random_state: 11 })]);
    expect(promote.status).toBe(200);
    await eventually(
      async () => (['promoted', 'rejected'].includes((await http.get(`/retrain/${retrain.body.job_id}`)).body.status) ? true : undefined),
      10_000,
    );
    const models = (await http.get('/models').expect(200)).body;
    const current = models.models.filter((m: { status: string }) => m.status === 'current');
    expect(current).toHaveLength(1);
    expect(current[0].version).toBe(models.current_version);
  });
});
