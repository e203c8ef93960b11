// scripts/compose-smoke.sh, which CI and npm run compose:smoke run against the real compose stack,
// run here against a stand-in HTTP server playing the gateway, Elasticsearch and Kibana, with
// stand-in `docker` and retrain CLI commands that report to it: the script passes only when every
// promised outcome is there, and says which one is missing otherwise.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SAVED_OBJECTS = readFileSync(join(ROOT, 'deploy/kibana/saved-objects.ndjson'), 'utf8').trim().split('\n').length;
const ADMIN = 'Bearer admin-key-1';

interface Scenario {
  retrainOutcome: 'promoted' | 'rejected';
  kafkaRetrainPromotes: boolean;
  documents: number;
  importSuccess: boolean;
  workerRestarts: boolean;
  downFails?: boolean;
  /** MLflow runs the trainer's mirror wrote for the job. */
  mlflowRuns?: number;
}
const GOOD: Scenario = { retrainOutcome: 'promoted', kafkaRetrainPromotes: true, documents: 1, importSuccess: true, workerRestarts: true };

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** A stand-in stack; `seen` lists every request it answered, the fake commands' calls included. */
function standIn(scenario: Scenario): { server: Server; seen: Seen[] } {
  const seen: Seen[] = [];
  let version = 1;
  let retrainPolls = 0;
  let lookups = 0;
  let restarts = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
      const reply = (status: number, answer: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(typeof answer === 'string' ? answer : JSON.stringify(answer));
      const route = `${req.method} ${req.url}`;
      if (route === 'POST /predict') return reply(200, { status: 'success', prediction: 'setosa', model_version: version, request_id: 'req-1' });
      if (route === 'POST /retrain') return reply(202, { job_id: 'job-1', status: 'accepted' });
      if (route === 'GET /retrain/job-1') {
        // An admin route, as on the real gateway.
        if (req.headers.authorization !== ADMIN) return reply(401, { status: 'error', error: 'unauthorized' });
        if (retrainPolls++ === 0) return reply(200, { job_id: 'job-1', status: 'accepted' });
        if (scenario.retrainOutcome === 'promoted') version = 2;
        return reply(200, { job_id: 'job-1', status: scenario.retrainOutcome, model_version: 2, metrics: { accuracy: 0.96 } });
      }
      if (route === 'GET /predictions/req-1') return reply(200, { status: 'success', source: lookups++ === 0 ? 'recent' : 'elasticsearch', request_id: 'req-1' });
      if (route === 'POST /mlops-predictions-*/_count') return reply(200, { count: scenario.documents });
      if (route === 'GET /api/2.0/mlflow/experiments/get-by-name?experiment_name=iris-platform') return reply(200, { experiment: { experiment_id: '1' } });
      if (route === 'POST /api/2.0/mlflow/runs/search') return reply(200, { runs: Array.from({ length: scenario.mlflowRuns ?? 1 }, () => ({ info: { status: 'FINISHED' } })) });
      if (route === 'GET /api/2.0/mlflow/registered-models/alias?name=iris&alias=champion')
        return reply(200, { model_version: { version: '3', tags: [{ key: 'registry_version', value: '3' }] } });
      if (route === 'POST /api/saved_objects/_import?overwrite=true')
        return reply(200, scenario.importSuccess ? { success: true, successCount: SAVED_OBJECTS } : { success: false, successCount: 0, errors: [{}] });
      if (route === 'GET /api/saved_objects/index-pattern/mlops-predictions') return reply(200, { id: 'mlops-predictions', attributes: { title: 'mlops-predictions-*' } });
      if (route === 'POST /retrain-cli') {
        if (!scenario.kafkaRetrainPromotes) return reply(500, 'status: rejected\nreason: accuracy below 0.8\n');
        version = 3;
        return reply(200, 'job_id: job-2\nstatus: promoted\nmodel_version: 3\naccuracy: 0.96\n');
      }
      if (route === 'POST /docker') {
        const args = body;
        if (args === 'compose down' && scenario.downFails) return reply(500, 'no such project');
        if (args === 'compose ps -q inference-worker') return reply(200, 'c1\nc2\n');
        if (args === 'inspect -f {{.RestartCount}} c1') return reply(200, `${restarts}\n`);
        if (args === 'inspect -f {{.RestartCount}} {{.State.Health.Status}} c1') return reply(200, `${restarts} healthy\n`);
        if (args.startsWith('inspect -f')) return reply(200, `${restarts} running starting\n`);
        if (args.startsWith('exec c1 node -e')) {
          if (scenario.workerRestarts) restarts++;
          return reply(200, 'killed worker process 7\n');
        }
        return reply(200, '');
      }
      reply(404, { error: route });
    });
  });
  return { server, seen };
}

function executable(path: string, body: string): void {
  writeFileSync(path, body);
  chmodSync(path, 0o755);
}

async function runSmoke(
  scenario: Scenario,
  extraEnv: Record<string, string> = {},
): Promise<{ status: number; stdout: string; stderr: string; seen: Seen[]; results: unknown }> {
  const { server, seen } = standIn(scenario);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'compose-smoke-spec-'));
  // Both report their arguments to the stand-in and print its answer; a non-2xx answer fails them.
  executable(join(dir, 'docker'), `#!/bin/sh\nexec curl -sS --fail-with-body --data-binary "$*" ${base}/docker\n`);
  executable(join(dir, 'retrain-cli'), `#!/bin/sh\nexec curl -sS --fail-with-body --data-binary "$*" ${base}/retrain-cli\n`);
  const results = join(dir, 'results.json');
  try {
    const run = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        [join(ROOT, 'scripts/compose-smoke.sh')],
        {
          env: {
            PATH: `${dir}:${process.env.PATH}`,
            GATEWAY_URL: base,
            ELASTICSEARCH_URL: base,
            KIBANA_URL: base,
            MLFLOW_URL: base,
            ELASTIC_PASSWORD: 'elastic-pw',
            ADMIN_API_KEYS: 'admin-key-1,admin-key-2',
            RETRAIN_CLI: join(dir, 'retrain-cli'),
            SMOKE_TIMEOUT: '3',
            SMOKE_RESULTS: results,
            ...extraEnv,
          },
        },
        (err, stdout, stderr) => resolve({ status: err ? Number(err.code) : 0, stdout, stderr }),
      );
    });
    let written: unknown;
    try {
      written = JSON.parse(readFileSync(results, 'utf8'));
    } catch {
      written = undefined;
    }
    return { ...run, seen, results: written };
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('scripts/compose-smoke.sh', () => {
  it('passes when predictions, both retrains, the documents, the Kibana objects, a down/up and a worker restart all check out', async () => {
    const { status, stdout, stderr, seen, results } = await runSmoke(GOOD);
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toContain('workers serve version 2');
    expect(stdout).toContain('workers serve version 3');
    expect(stdout).toContain(`kibana-init: imported ${SAVED_OBJECTS} saved objects for the indices mlops-* from`);
    expect(stdout).toContain('restarted (restart count 1) and healthy');
    expect(stdout.trimEnd().endsWith('smoke: passed (8 steps, 0 skipped)')).toBe(true);
    expect(results).toEqual({ passed: 8, failed: 0, skipped: 0 });
    // Both retrain routes are admin routes: the poll carries the admin key as the request does.
    expect(seen.filter((r) => r.url.startsWith('/retrain/') || r.url === '/retrain').map((r) => r.authorization)).toEqual([ADMIN, ADMIN, ADMIN]);
    expect(seen.find((r) => r.url === '/retrain-cli')!.body).toBe('--test-size 0.3 --random-state 7 --reason manual --wait --timeout 3');
    // Elasticsearch and Kibana get the elastic user.
    expect(stdout).toContain('one finished run for job-1; models:/iris@champion is MLflow version 3 = registry version 3');
    const basic = `Basic ${Buffer.from('elastic:elastic-pw').toString('base64')}`;
    expect(seen.filter((r) => r.url.startsWith('/mlops') || r.url.startsWith('/api/saved_objects')).map((r) => r.authorization)).toEqual([basic, basic, basic, basic]);
    expect(seen.filter((r) => r.url === '/docker').map((r) => r.body.split(' node -e')[0])).toEqual([
      'compose down',
      'compose up --wait --wait-timeout 15 --no-build',
      'compose ps -q inference-worker',
      'inspect -f {{.RestartCount}} c1',
      'exec c1',
      'inspect -f {{.RestartCount}} {{.State.Health.Status}} c1',
    ]);
  }, 30_000);

  it('fails naming a retrain status poll that is refused', async () => {
    const { status, stderr, results } = await runSmoke(GOOD, { ADMIN_API_KEYS: 'not-an-admin-key' });
    expect(status).toBe(1);
    expect(stderr).toBe('smoke: FAILED: GET /retrain/job-1: HTTP 401, expected 200: {"status":"error","error":"unauthorized"}\n');
    expect(results).toEqual({ passed: 1, failed: 1, skipped: 0 });
  }, 30_000);

  it('counts the Kibana step as skipped, not passed, on a stack without Kibana', async () => {
    const { status, stdout, seen, results } = await runSmoke(GOOD, { SMOKE_KIBANA: '0' });
    expect(status).toBe(0);
    expect(stdout).toContain('skipped: SMOKE_KIBANA=0: this stack runs no Kibana');
    expect(seen.filter((r) => r.url.startsWith('/api/saved_objects'))).toEqual([]);
    expect(results).toEqual({ passed: 7, failed: 0, skipped: 1 });
  }, 30_000);

  it('restarts with the services SMOKE_SERVICES names', async () => {
    const { status, seen } = await runSmoke(GOOD, { SMOKE_SERVICES: 'gateway monitor kibana' });
    expect(status).toBe(0);
    expect(seen.filter((r) => r.url === '/docker').map((r) => r.body)).toContain('compose up --wait --wait-timeout 15 --no-build gateway monitor kibana');
  }, 30_000);

  it('fails naming a duplicate prediction document', async () => {
    const { status, stderr } = await runSmoke({ ...GOOD, documents: 2 });
    expect(status).toBe(1);
    expect(stderr).toBe('smoke: FAILED: expected exactly one prediction document for req-1 in mlops-predictions-*, found 2\n');
  }, 30_000);

  it('fails when the HTTP retrain is not promoted', async () => {
    const { status, stderr } = await runSmoke({ ...GOOD, retrainOutcome: 'rejected' });
    expect(status).toBe(1);
    expect(stderr).toBe('smoke: FAILED: retrain job-1 ended rejected: {"job_id":"job-1","status":"rejected","model_version":2,"metrics":{"accuracy":0.96}}\n');
  }, 30_000);

  it('fails naming a retrain MLflow holds twice', async () => {
    const { status, stderr } = await runSmoke({ ...GOOD, mlflowRuns: 2 });
    expect(status).toBe(1);
    expect(stderr).toBe(`smoke: FAILED: MLflow holds more than one run for job job-1: ${JSON.stringify({ runs: [{ info: { status: 'FINISHED' } }, { info: { status: 'FINISHED' } }] })}\n`);
  }, 30_000);

  it('counts the MLflow step as skipped, not passed, on a stack without MLflow', async () => {
    const { status, stdout, seen, results } = await runSmoke(GOOD, { SMOKE_MLFLOW: '0' });
    expect(status).toBe(0);
    expect(stdout).toContain('skipped: SMOKE_MLFLOW=0: this stack runs no MLflow');
    expect(seen.filter((r) => r.url.startsWith('/api/2.0/mlflow'))).toEqual([]);
    expect(results).toEqual({ passed: 7, failed: 0, skipped: 1 });
  }, 30_000);

  it('fails with the CLI output when the retrain published to Kafka is not promoted', async () => {
    const { status, stderr } = await runSmoke({ ...GOOD, kafkaRetrainPromotes: false });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^smoke: FAILED: the retrain CLI \(.*retrain-cli\) did not end promoted: .*status: rejected reason: accuracy below 0\.8 \n$/);
  }, 30_000);

  it('fails when Kibana does not import every object', async () => {
    const { status, stdout, stderr } = await runSmoke({ ...GOOD, importSuccess: false });
    expect(status).toBe(1);
    expect(stdout).not.toContain('smoke: passed');
    expect(stderr).toBe(
      'kibana-init: Kibana refused the objects (not retried): {"success":false,"successCount":0,"errors":[{}]}\n' +
        'smoke: FAILED: Kibana import of deploy/kibana/saved-objects.ndjson\n',
    );
  }, 30_000);

  it('names the command and line of any other step that fails, never ending silently', async () => {
    const { status, stderr, results } = await runSmoke({ ...GOOD, downFails: true });
    expect(status).toBe(1);
    // The first line is the stand-in docker's own (curl) complaint.
    expect(stderr).toMatch(/\nsmoke: FAILED: line \d+: "docker compose down" exited with status 22\n$/);
    expect(results).toEqual({ passed: 6, failed: 1, skipped: 0 });
  }, 30_000);

  it('fails when a killed worker is not restarted', async () => {
    const { status, stderr } = await runSmoke({ ...GOOD, workerRestarts: false });
    expect(status).toBe(1);
    expect(stderr).toBe('smoke: FAILED: worker c1 not restarted and healthy within 3s: 0 running starting\n');
  }, 30_000);
});

describe('scripts/compose/smoke.sh where no Docker engine can be had', () => {
  const ENGINE_PACKAGES = /^ENGINE_PACKAGES=\(([^)]*)\)/m.exec(readFileSync(join(ROOT, 'scripts/compose/engine.sh'), 'utf8'))![1].split(/\s+/).filter(Boolean);

  /** Runs the smoke with `docker info` failing and the given fakes on PATH; returns its output and counts. */
  function runSkipped(fakes: Record<string, string>, cache: (dir: string) => void = () => undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'compose-smoke-skip-'));
    try {
      executable(join(dir, 'docker'), '#!/bin/sh\nexit 1\n');
      for (const [name, body] of Object.entries(fakes)) executable(join(dir, name), body);
      cache(join(dir, 'cache'));
      const run = spawnSync('bash', [join(ROOT, 'scripts/compose/smoke.sh')], {
        env: {
          PATH: `${dir}:${process.env.PATH}`,
          COMPOSE_SMOKE_CACHE: join(dir, 'cache'),
          COMPOSE_SMOKE_RESULTS: join(dir, 'results.json'),
          COMPOSE_SMOKE_LOGS: join(dir, 'logs'),
          COMPOSE_SMOKE_PORT_BASE: '6700',
        },
        encoding: 'utf8',
      });
      return { status: run.status, stdout: run.stdout, results: JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as unknown };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('says why and counts the smoke as skipped, not passed, when it is not root', () => {
    const { status, stdout, results } = runSkipped({ id: '#!/bin/sh\necho 1000\n' });
    expect(status).toBe(0);
    expect(stdout).toContain('[compose] SKIPPED: the compose smoke did not run: no Docker engine answers, and starting a private one needs root\n');
    expect(results).toEqual({ passed: 0, failed: 0, skipped: 1 });
  });

  it("says why, with dockerd's own error, when a private dockerd cannot start", () => {
    const { status, stdout, results } = runSkipped({ id: '#!/bin/sh\necho 0\n' }, (cache) => {
      mkdirSync(join(cache, 'engine/usr/sbin'), { recursive: true });
      writeFileSync(join(cache, 'engine/.packages'), `${ENGINE_PACKAGES.join(' ')}\n`);
      executable(
        join(cache, 'engine/usr/sbin/dockerd'),
        '#!/bin/sh\necho \'time="x" level=fatal msg="failed to start daemon: error initializing graphdriver: operation not permitted"\'\nexit 1\n',
      );
    });
    expect(status).toBe(0);
    expect(stdout).toMatch(
      /\[compose\] SKIPPED: the compose smoke did not run: a private dockerd could not start here: time="x" level=fatal msg="failed to start daemon: error initializing graphdriver: operation not permitted" \(log: .*dockerd\.log\)\n/,
    );
    expect(results).toEqual({ passed: 0, failed: 0, skipped: 1 });
  });
});
