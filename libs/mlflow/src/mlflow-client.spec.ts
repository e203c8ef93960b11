import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlflowClient, proxiedArtifactPath } from './mlflow-client';
import { MlflowError } from './mlflow-error';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A local HTTP server answering each request with `reply`: the client's side of the wire, seen exactly. */
async function server(reply: (req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const http: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(s);
      reply(s, res);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const { port } = http.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => http.close(() => r())) };
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const failure = async (call: Promise<unknown>): Promise<MlflowError> => {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof MlflowError)) throw new Error(`expected an MlflowError, got ${String(err)}`);
  return err;
};

describe('MlflowClient', () => {
  it('sends a bearer token, or basic auth, on every call, below the tracking URI path', async () => {
    const s = await server((_req, res) => json(res, 200, { experiment: { experiment_id: '7', name: 'e', lifecycle_stage: 'active' } }));
    try {
      await new MlflowClient({ trackingUri: `${s.url}/mlflow/`, auth: { token: 't0k' }, timeoutMs: 2000 }).getExperimentByName('iris platform');
      await new MlflowClient({ trackingUri: s.url, auth: { username: 'trainer', password: 'pw' }, timeoutMs: 2000 }).getExperimentByName('x');
      expect(s.seen.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
        ['GET', '/mlflow/api/2.0/mlflow/experiments/get-by-name?experiment_name=iris+platform', 'Bearer t0k'],
        ['GET', '/api/2.0/mlflow/experiments/get-by-name?experiment_name=x', `Basic ${Buffer.from('trainer:pw').toString('base64')}`],
      ]);
    } finally {
      await s.close();
    }
  });

  it('reads a missing experiment as null', async () => {
    const s = await server((_req, res) => json(res, 404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Could not find experiment' }));
    try {
      expect(await new MlflowClient({ trackingUri: s.url, auth: null, timeoutMs: 2000 }).getExperimentByName('x')).toBeNull();
    } finally {
      await s.close();
    }
  });

  it('reports refused credentials as retryable, naming the variables and never the secret', async () => {
    const s = await server((_req, res) => res.writeHead(401, { 'content-type': 'text/plain' }).end('You are not authenticated.'));
    try {
      const err = await failure(
        new MlflowClient({ trackingUri: s.url, auth: { username: 'u', password: 'hunter2-secret' }, timeoutMs: 2000 }).setAlias('iris', 'champion', '1'),
      );
      expect(err.retryable).toBe(true);
      expect(err.status).toBe(401);
      expect(err.message).toBe(
        'MLflow POST /api/2.0/mlflow/registered-models/alias answered 401: You are not authenticated. (MLflow refused the credentials: check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD)',
      );
      expect(err.message).not.toContain('hunter2');
    } finally {
      await s.close();
    }
  });

  it('tells a server error (retry) from a request MLflow calls invalid (no retry can help)', async () => {
    let status = 503;
    const s = await server((_req, res) =>
      json(res, status, { error_code: status === 503 ? 'TEMPORARILY_UNAVAILABLE' : 'INVALID_PARAMETER_VALUE', message: 'm' }),
    );
    const client = new MlflowClient({ trackingUri: s.url, auth: null, timeoutMs: 2000 });
    try {
      expect(await failure(client.createRegisteredModel('iris', 'd'))).toMatchObject({ retryable: true, status: 503, errorCode: 'TEMPORARILY_UNAVAILABLE' });
      status = 400;
      expect(await failure(client.createRegisteredModel('iris', 'd'))).toMatchObject({ retryable: false, status: 400, errorCode: 'INVALID_PARAMETER_VALUE' });
    } finally {
      await s.close();
    }
  });

  it('gives up on a server that does not answer within the timeout, and on one that is not there, both retryable', async () => {
    const s = await server(() => undefined);
    try {
      const slow = await failure(new MlflowClient({ trackingUri: s.url, auth: null, timeoutMs: 200 }).getRegisteredModel('iris'));
      expect(slow).toMatchObject({ retryable: true, message: 'MLflow GET /api/2.0/mlflow/registered-models/get failed: no answer within 200 ms' });
    } finally {
      await s.close();
    }
    const gone = await failure(new MlflowClient({ trackingUri: s.url, auth: null, timeoutMs: 2000 }).getRegisteredModel('iris'));
    expect(gone).toMatchObject({ retryable: true, message: 'MLflow GET /api/2.0/mlflow/registered-models/get failed: ECONNREFUSED' });
  });

  it('abandons a call in flight when closed, long before its timeout', async () => {
    const s = await server(() => undefined);
    try {
      const client = new MlflowClient({ trackingUri: s.url, auth: null, timeoutMs: 60_000 });
      const started = Date.now();
      const call = failure(client.getRegisteredModel('iris'));
      setTimeout(() => client.close(), 50);
      expect(await call).toMatchObject({ message: 'MLflow GET /api/2.0/mlflow/registered-models/get failed: the mirror is stopping' });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await s.close();
    }
  });

  it("splits a batch at MLflow's limit of 100 params per request", async () => {
    const s = await server((_req, res) => json(res, 200, {}));
    try {
      const params = Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
      await new MlflowClient({ trackingUri: s.url, auth: null, timeoutMs: 2000 }).logBatch('r1', {
        params,
        metrics: [{ key: 'm', value: 1, timestamp: 5, step: 0 }],
        tags: [],
      });
      const bodies = s.seen.map((r) => JSON.parse(r.body) as { params: unknown[]; metrics: unknown[] });
      expect(bodies.map((b) => [b.params.length, b.metrics.length])).toEqual([
        [100, 1],
        [50, 0],
      ]);
    } finally {
      await s.close();
    }
  });

  it('uploads an artifact through the server proxy of a mlflow-artifacts root, with or without a host', async () => {
    const s = await server((_req, res) => json(res, 200, {}));
    const client = new MlflowClient({ trackingUri: s.url, auth: { token: 't' }, timeoutMs: 2000 });
    try {
      await client.uploadArtifact('mlflow-artifacts:/1/abc/artifacts', 'model/model.json', '{"a":1}', 'application/json');
      await client.uploadArtifact('mlflow-artifacts://mlflow:5000/2/def/artifacts', 'model/READ ME.md', '# x', 'text/markdown');
      expect(s.seen.map((r) => [r.method, r.url, r.headers['content-type'], r.body, r.headers.authorization])).toEqual([
        ['PUT', '/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model/model.json', 'application/json', '{"a":1}', 'Bearer t'],
        ['PUT', '/api/2.0/mlflow-artifacts/artifacts/2/def/artifacts/model/READ%20ME.md', 'text/markdown', '# x', 'Bearer t'],
      ]);
      expect(await failure(client.uploadArtifact('s3://bucket/1/abc/artifacts', 'model/model.json', '{}', 'application/json'))).toMatchObject({
        retryable: false,
      });
    } finally {
      await s.close();
    }
  });
});

describe('proxiedArtifactPath', () => {
  it('reads the proxied path of mlflow-artifacts URIs and nothing else', () => {
    expect(proxiedArtifactPath('mlflow-artifacts:/1/abc/artifacts')).toBe('/1/abc/artifacts');
    expect(proxiedArtifactPath('mlflow-artifacts://host:5000/1/abc/artifacts')).toBe('/1/abc/artifacts');
    expect(proxiedArtifactPath('s3://bucket/1/abc/artifacts')).toBeNull();
    expect(proxiedArtifactPath('/var/mlruns/1/abc/artifacts')).toBeNull();
  });
});
