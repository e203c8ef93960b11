import express from 'express';
import request from 'supertest';
import { JsonLogger } from './json-logger';
import { requestIdMiddleware } from './request-id.middleware';

describe('requestIdMiddleware access log', () => {
  it('writes the path with a key sent in the query string masked', async () => {
    const lines: string[] = [];
    const app = express();
    app.use(requestIdMiddleware(new JsonLogger('gateway', 'info', (l) => lines.push(l))));
    app.get('/models', (_req, res) => void res.json({ status: 'success' }));
    await request(app).get('/models?api_key=s3cret-key-1&limit=5&token=t0k3n').expect(200);
    expect(JSON.parse(lines[0])).toMatchObject({ message: 'http request', path: '/models?api_key=[REDACTED]&limit=5&token=[REDACTED]', status: 200 });
    expect(lines.join('\n')).not.toMatch(/s3cret-key-1|t0k3n/);
  });
});
