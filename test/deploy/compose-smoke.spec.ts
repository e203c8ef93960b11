// scripts/compose-smoke.sh, which CI runs against the real compose stack, run here against a
// stand-in HTTP server playing the gateway, Elasticsearch and Kibana: the script passes only
// when every promised outcome is there, and says which one is missing otherwise.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SAVED_OBJECTS = readFileSync(join(ROOT, 'deploy/kibana/saved-objects.ndjson'), 'utf8').trim().split('\n').length;

interface Scenario {
  retrainOutcome: 'promoted' | 'rejected';
  documents: number;
  importSuccess: boolean;
  /** MLflow runs the trainer's mirror wrote for the job. */
  mlflowRuns?: number;
}
interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

/** A stand-in stack; `seen` lists every request it answered. */
function standIn(scenario: Scenario): { server: Server; seen: Seen[] } {
  const seen: Seen[] = [];
  let version = 1;
  let retrainPolls = 0;
  let lookups = 0;
  const server = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization });
    const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    req.resume();
    req.on('end', () => {
      const route = `${req.method} ${req.url}`;
      if (route === 'POST /predict') return reply(200, { status: 'success', prediction: 'setosa', model_version: version, request_id: 'req-1' });
      if (route === 'POST /retrain') return reply(202, { job_id: 'job-1', status: 'accepted' });
      if (route === 'GET /retrain/job-1') {
        if (retrainPolls++ === 0) return reply(200, { job_id: 'job-1', status: 'accepted' });
        if (scenario.retrainOutcome === 'promoted') version = 2;
        return reply(200, { job_id: 'job-1', status: scenario.retrainOutcome, model_version: 2, metrics: { accuracy: 0.96 } });
      }
      if (route === 'GET /predictions/req-1') return reply(200, { status: 'success', source: lookups++ === 0 ? 'recent' : 'elasticsearch', request_id: 'req-1' });
      if (route === 'POST /mlops-predictions-*/_count') return reply(200, { count: scenario.documents });
      if (route === 'GET /api/2.0/mlflow/experiments/get-by-name?experiment_name=iris-platform') return reply(200, { experiment: { experiment_id: '1' } });
      if (route === 'POST /api/2.0/mlflow/runs/search') return reply(200, { runs: Array.from({ length: scenario.mlflowRuns ?? 1 }, () => ({ info: { status: 'FINISHED' } })) });
      if (route === 'GET /api/2.0/mlflow/registered-models/alias?name=iris&alias=champion')
        return reply(200, { model_version: { version: '2', tags: [{ key: 'registry_version', value: '2' }] } });
      if (route === 'POST /api/saved_objects/_import?overwrite=true')
        return reply(200, scenario.importSuccess ? { success: true, successCount: SAVED_OBJECTS } : { success: false, successCount: 0, errors: [{}] });
      reply(404, { error: route });
    });
  });
  return { server, seen };
}

async function runSmoke(scenario: Scenario): Promise<{ status: number; stdout: string; stderr: string; seen: Seen[] }> {
  const { server, seen } = standIn(scenario);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    return await new Promise((resolve) => {
      execFile(
        'bash',
        [join(ROOT, 'scripts/compose-smoke.sh')],
        {
          env: {
            PATH: process.env.PATH,
            GATEWAY_URL: base,
            ELASTICSEARCH_URL: base,
            KIBANA_URL: base,
            MLFLOW_URL: base,
            ELASTIC_PASSWORD: 'elastic-pw',
            ADMIN_API_KEYS: 'admin-key-1,admin-key-2',
            SMOKE_TIMEOUT: '20',
          },
        },
        (err, stdout, stderr) => resolve({ status: err ? Number(err.code) : 0, stdout, stderr, seen }),
      );
    });
  } finally {
    server.close();
  }
}

describe('scripts/compose-smoke.sh', () => {
  it('passes when a prediction, a promoted retrain, the Elasticsearch document and the Kibana import are all there', async () => {
    const { status, stdout, stderr, seen } = await runSmoke({ retrainOutcome: 'promoted', documents: 1, importSuccess: true });
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toContain('workers serve version 2');
    expect(stdout).toContain(`Kibana imported all ${SAVED_OBJECTS} saved objects`);
    expect(stdout).toContain('one finished run for job-1; models:/iris@champion is MLflow version 2 = registry version 2');
    expect(stdout.trimEnd().endsWith('smoke: passed')).toBe(true);
    // The retrain carries the first admin key; Elasticsearch and Kibana get the elastic user.
    expect(seen.find((r) => r.url === '/retrain')!.authorization).toBe('Bearer admin-key-1');
    const basic = `Basic ${Buffer.from('elastic:elastic-pw').toString('base64')}`;
    expect(seen.filter((r) => r.url.startsWith('/mlops') || r.url.startsWith('/api/')).map((r) => r.authorization)).toEqual([basic, basic]);
  }, 30_000);

  it('fails naming a duplicate prediction document', async () => {
    const { status, stderr } = await runSmoke({ retrainOutcome: 'promoted', documents: 2, importSuccess: true });
    expect(status).toBe(1);
    expect(stderr).toBe('smoke: FAILED: expected exactly one prediction document for req-1 in mlops-predictions-*, found 2\n');
  }, 30_000);

  it('fails when the retrain is not promoted', async () => {
    const { status, stderr } = await runSmoke({ retrainOutcome: 'rejected', documents: 1, importSuccess: true });
    expect(status).toBe(1);
    expect(stderr).toBe('smoke: FAILED: retrain job-1 ended rejected: {"job_id":"job-1","status":"rejected","model_version":2,"metrics":{"accuracy":0.96}}\n');
  }, 30_000);

  it('fails naming a retrain MLflow holds twice', async () => {
    const { status, stderr } = await runSmoke({ retrainOutcome: 'promoted', documents: 1, importSuccess: true, mlflowRuns: 2 });
    expect(status).toBe(1);
    expect(stderr).toBe(`smoke: FAILED: MLflow holds more than one run for job job-1: ${JSON.stringify({ runs: [{ info: { status: 'FINISHED' } }, { info: { status: 'FINISHED' } }] })}\n`);
  }, 30_000);

  it('fails when Kibana does not import every object', async () => {
    const { status, stderr } = await runSmoke({ retrainOutcome: 'promoted', documents: 1, importSuccess: false });
    expect(status).toBe(1);
    expect(stderr).toBe(`smoke: FAILED: Kibana import: expected success for all ${SAVED_OBJECTS} objects: {"success":false,"successCount":0,"errors":[{}]}\n`);
  }, 30_000);
});
