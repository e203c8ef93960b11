import { randomUUID } from 'node:crypto';
import { ELASTICSEARCH_URL } from '../support/infra';
import { settledPredictionCounts } from './es-check';

const prefix = `faults-e2e-${randomUUID().slice(0, 8)}`;
const days = [`${prefix}-predictions-2026.01.01`, `${prefix}-predictions-2026.01.02`];

async function es(method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(new URL(path, ELASTICSEARCH_URL), {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/** As the monitor writes them: id `<request_id>:<row>`, both ids keywords (libs/monitoring index templates). */
const indexPrediction = (index: string, requestId: string, clientRequestId: string) =>
  es('PUT', `/${index}/_doc/${requestId}:0`, { request_id: requestId, client_request_id: clientRequestId, prediction: 'setosa' });

describe('the fault suite counts prediction documents per client request id, across every daily index (real Elasticsearch)', () => {
  beforeAll(async () => {
    for (const index of days) {
      await es('PUT', `/${index}`, { mappings: { properties: { request_id: { type: 'keyword' }, client_request_id: { type: 'keyword' } } } });
    }
    await indexPrediction(days[0], 'p-1', 'c-once');
    // Published again under a new platform id on the next day: one document per platform id, two for the caller.
    await indexPrediction(days[0], 'p-2', 'c-republished');
    await indexPrediction(days[1], 'p-3', 'c-republished');
    // The same platform id on two days: the document id alone cannot collide across indices.
    await indexPrediction(days[0], 'p-4', 'c-across-days');
    await indexPrediction(days[1], 'p-4', 'c-across-days');
  });

  afterAll(async () => {
    await es('DELETE', `/${days.join(',')}`);
  });

  it('finds the answered request with no document and every request with more than one, whatever its platform ids', async () => {
    const counts = await settledPredictionCounts(
      ELASTICSEARCH_URL,
      `${prefix}-predictions-*`,
      {
        answered: ['c-once', 'c-republished', 'c-across-days', 'c-never-indexed'],
        // A 503 may still have been scored: its documents count as duplicates too.
        sent: ['c-once', 'c-republished', 'c-across-days', 'c-never-indexed', 'c-failed'],
      },
      1_000,
      0,
    );
    expect(counts.missing).toEqual(['c-never-indexed']);
    expect([...counts.duplicates].sort((a, b) => a.clientRequestId.localeCompare(b.clientRequestId))).toEqual([
      { clientRequestId: 'c-across-days', documents: 2 },
      { clientRequestId: 'c-republished', documents: 2 },
    ]);
  });
});
