import request from 'supertest';
import { TOPICS, decodeEvent, type TrainingRun } from '@app/contracts';
import { IRIS_ROWS, mulberry32 } from '@app/model';
import type { EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { startTestPlatform } from './support/embedded';
import { eventually, metricSum } from './support/http';

/** Iris rows drawn with a fixed seed, petal_length shifted: traffic the model was not trained on. */
function shiftedTraffic(n: number, seed: number, shift: number) {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const [sepal_length, sepal_width, petal_length, petal_width] = IRIS_ROWS[Math.floor(random() * IRIS_ROWS.length)].features;
    return { sepal_length, sepal_width, petal_length: petal_length + shift, petal_width };
  });
}

describe('drift-triggered retraining (embedded mode)', () => {
  let platform: EmbeddedPlatform;

  beforeAll(async () => {
    ({ platform } = await startTestPlatform('drift', { DRIFT_AUTO_RETRAIN: 'true' }));
  });
  afterAll(() => platform?.close());

  const events = async <T>(topic: (typeof TOPICS)[keyof typeof TOPICS]) =>
    (await platform.bus.readToEnd(topic)).map((m) => decodeEvent(topic, m.value)).flatMap((d) => (d.ok ? [d.event.payload as T] : []));

  it('publishes one drift event per version and one retrain request with reason drift, however long the drift lasts', async () => {
    const http = request(platform.gateway.getHttpServer());
    for (let wave = 0; wave < 3; wave++) {
      await http
        .post('/predict/batch')
        .send({ instances: shiftedTraffic(300, wave + 1, 2.5) })
        .expect(200);
    }
    // Everything below is about what did not happen as well: first the monitor must have handled all three waves.
    const monitored = async () =>
      metricSum((await http.get('/metrics').expect(200)).text, 'events_consumed_total', `topic="${TOPICS.predictionBatchMade}",group="monitor",outcome="ok"`);
    await eventually(async () => ((await monitored()) >= 3 ? true : undefined), 15_000, 'the monitor to handle the three waves');
    const runs = await eventually(
      async () => {
        const recorded = await events<TrainingRun>(TOPICS.trainingRun);
        return recorded.some((r) => r.params.reason === 'drift' && r.finished_at) ? recorded : undefined;
      },
      15_000,
      'the drift retrain to finish',
    );
    const drift = await events<{ model_version: number; drifted_features: string[]; retrain_requested: boolean }>(TOPICS.driftDetected);
    // At most one event per version's drift episode; the retrained version drifts too, but the cooldown holds.
    const versions = drift.map((d) => d.model_version);
    expect(new Set(versions).size).toBe(versions.length);
    expect(drift[0]).toMatchObject({ model_version: 1, retrain_requested: true });
    expect(drift.slice(1).every((d) => !d.retrain_requested)).toBe(true);
    for (const d of drift) expect(d.drifted_features).toEqual(['petal_length']);
    const retrains = await events<{ reason: string }>(TOPICS.retrainRequested);
    expect(retrains.map((r) => r.reason)).toEqual(['drift']);
    expect(runs.find((r) => r.params.reason === 'drift' && r.finished_at)?.status).toMatch(/^(promoted|rejected)$/);
  });
});
