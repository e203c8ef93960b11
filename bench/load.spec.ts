import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flowerBody, referenceAnswers } from './answers';
import { closedLoop, openLoop } from './load';

/**
 * A real HTTP server that records what it receives, answers each request with its own input as
 * the prediction (or, crossing, with the input of the request before it), and 503 to every id
 * ending in 7. Requests without an id (the reference pass) are answered and not recorded.
 */
function recordingServer(cross = false): Promise<{ url: string; server: Server; ids: string[]; bodies: Map<string, string> }> {
  const ids: string[] = [];
  const bodies = new Map<string, string>();
  let previous = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const id = req.headers['x-request-id'];
      const answer = cross && id !== undefined ? previous : body;
      previous = body;
      if (id !== undefined) {
        ids.push(String(id));
        bodies.set(String(id), `${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
      }
      res.writeHead(String(id).endsWith('7') ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ prediction: answer, request_id: id }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, ids, bodies })),
  );
}

describe('load generators against a real local server', () => {
  let target: Awaited<ReturnType<typeof recordingServer>>;

  beforeEach(async () => {
    target = await recordingServer();
  });

  afterEach(async () => {
    target.server.closeAllConnections();
    await new Promise((r) => target.server.close(r));
  });

  it('closed loop: sends each request its own flower with a unique prefixed id and accounts for every one', async () => {
    const reference = await referenceAnswers(target.url);
    const { result, unanswered } = await closedLoop(target.url, 4, 1, 'run-a-', reference);
    expect(reference.indistinguishable).toBe(0);
    expect([...target.bodies].filter(([id, body]) => body !== `POST /predict application/json ${flowerBody(Number(id.slice('run-a-'.length)))}`)).toEqual([]);
    expect(new Set(target.bodies.values()).size).toBe(Math.min(256, target.ids.length));
    expect(result.wrong_answers).toBe(0);
    expect(new Set(target.ids).size).toBe(target.ids.length);
    expect(target.ids.every((id) => /^run-a-\d+$/.test(id))).toBe(true);
    // The server answers everything it receives; the client sees all but the (at most one per
    // connection) answers still in flight when the run stops.
    expect(target.ids.length - result.n).toBeGreaterThanOrEqual(0);
    expect(target.ids.length - result.n).toBeLessThanOrEqual(4);
    expect(result.n).toBe(result.ok_2xx + result.non_2xx);
    const answered503 = target.ids.filter((id) => id.endsWith('7')).length;
    expect(answered503 - result.non_2xx).toBeGreaterThanOrEqual(0);
    expect(answered503 - result.non_2xx).toBeLessThanOrEqual(4);
    // Every id sent either got a 2xx or is listed as unanswered (the 503s, and those cut off at the stop).
    expect(result.ok_2xx + unanswered.length).toBe(result.sent);
    const refused = target.ids.filter((id) => id.endsWith('7'));
    expect(refused.filter((id) => !unanswered.includes(id))).toEqual([]);
    expect(unanswered.length - refused.length).toBeLessThanOrEqual(4);
    expect(result.rps).toBeCloseTo(result.ok_2xx / result.duration_s, 0);
    expect(result.p50_ms).toBeLessThanOrEqual(result.p99_ms);
  });

  it("counts every answer that is not its own input's as wrong, in both loops", async () => {
    const reference = await referenceAnswers(target.url);
    target.server.closeAllConnections();
    await new Promise((r) => target.server.close(r));
    target = await recordingServer(true);
    const closed = await closedLoop(target.url, 1, 1, 'run-x-', reference);
    expect(closed.result.ok_2xx).toBeGreaterThan(0);
    expect(closed.result.wrong_answers).toBe(closed.result.ok_2xx);
    const open = await openLoop(target.url, 50, 1, 'run-y-', reference);
    expect(open.result.wrong_answers).toBe(open.result.ok_2xx);
  });

  it('open loop: sends exactly rate × duration requests and waits for every answer', async () => {
    const reference = await referenceAnswers(target.url);
    const { result, unanswered } = await openLoop(target.url, 200, 1, 'run-b-', reference);
    expect(result.wrong_answers).toBe(0);
    expect(result.sent).toBe(200);
    expect(target.ids.length).toBe(200);
    expect(new Set(target.ids)).toEqual(new Set(Array.from({ length: 200 }, (_, n) => `run-b-${n}`)));
    // ids 7, 17, …, 197: 20 of them end in 7.
    expect([result.ok_2xx, result.non_2xx, result.errors]).toEqual([180, 20, 0]);
    expect(unanswered.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `run-b-${i * 10 + 7}`).sort());
    expect(result.n).toBe(200);
    expect(result.target_rps).toBe(200);
  });

  it('open loop: a server that never answers shows as errors, not as a held rate', async () => {
    target.server.removeAllListeners('request');
    target.server.on('request', () => undefined);
    target.server.headersTimeout = 0;
    const { result, unanswered } = await openLoop(target.url, 20, 1, 'run-c-', undefined, 500);
    expect([result.sent, result.ok_2xx, result.rate_held]).toEqual([20, 0, false]);
    expect([result.errors, unanswered.length]).toEqual([20, 20]);
  });
});
