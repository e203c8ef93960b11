import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig, type AppConfig } from '@app/config';
import { TOPICS } from '@app/contracts';
import { JsonLogger } from '@app/observability';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '@apps/embedded/embedded-platform';
import { eventually } from './support/http';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const quiet = new JsonLogger('test', 'error', () => undefined);

/**
 * A trainer killed between the registry record that makes a version current and the routing and
 * model-ready records after it leaves workers serving the old version. The embedded registry is
 * files of compacted topics, so the interrupted promotion is recreated exactly by putting back
 * the routing and model-ready records from before it.
 */
describe('trainer restart after an interrupted promotion (embedded mode)', () => {
  let dataDir: string;
  let config: AppConfig;
  let platform: EmbeddedPlatform | undefined;
  afterEach(() => platform?.close());

  const start = async () => {
    platform = await startEmbeddedPlatform(config, dataDir, quiet);
    const http = request(platform.gateway.getHttpServer());
    await eventually(async () => ((await http.get('/ready')).status === 200 ? true : undefined), 10_000, 'the platform to be ready');
    return http;
  };
  const file = (topic: string) => join(dataDir, `${topic}.jsonl`);

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'trainer-restart-'));
    config = loadConfig({ TRANSPORT: 'memory', MONITOR_SINK: 'file', EMBEDDED_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'error' });
  });

  it('republishes the routing and model-ready for the registered current version, and trains no bootstrap model', async () => {
    let http = await start();
    expect((await http.post('/predict').send(SETOSA).expect(200)).body.model_version).toBe(1);
    const before = { routing: readFileSync(file(TOPICS.modelRouting), 'utf8'), ready: readFileSync(file(TOPICS.modelReady), 'utf8') };

    const job = (await http.post('/retrain').send({ random_state: 7, test_size: 0.3 }).expect(202)).body.job_id as string;
    await eventually(async () => ((await http.get(`/retrain/${job}`)).body.status === 'promoted' ? true : undefined), 10_000, 'version 2 promoted');
    await platform!.close();
    platform = undefined;

    writeFileSync(file(TOPICS.modelRouting), before.routing);
    writeFileSync(file(TOPICS.modelReady), before.ready);

    http = await start();
    await eventually(
      async () => ((await http.post('/predict').send(SETOSA)).body.model_version === 2 ? true : undefined),
      10_000,
      'workers serving version 2 again',
    );
    const models = (await http.get('/models').expect(200)).body as {
      current_version: number;
      previous_version: number;
      models: { version: number; status: string }[];
    };
    expect(models).toMatchObject({ current_version: 2, previous_version: 1 });
    expect(models.models.map((m) => [m.version, m.status])).toEqual([
      [1, 'archived'],
      [2, 'current'],
    ]);
  });
});
