import type { Client } from '@elastic/elasticsearch';
import { createEnvelope, type NamedScoredInstance } from '@app/contracts';
import { namedPredictionDocuments, type IndexDocument } from '@app/monitoring';
import { ElasticsearchPredictionIndex } from './prediction-lookup';

const scored = (prediction: string): NamedScoredInstance => ({ prediction, class_id: 0, probability: 0.9, probabilities: { [prediction]: 0.9 } });

/** A named reply's row documents, as the monitor indexes them. */
const documents = namedPredictionDocuments(
  createEnvelope(
    'NamedPredictionMade',
    {
      worker: 'worker-a',
      reply_to: 'gateway-1',
      results: [
        {
          outcome: 'scored',
          request_id: 'r1',
          event_id: 'evt-r1',
          model: 'wine',
          instances: [
            { alcohol: 13.2, proline: 400 },
            { alcohol: 12.1, proline: 1160 },
          ],
          predictions: [scored('class_1'), scored('class_0')],
          model_version: 3,
          scoring_latency_ms: 0.3,
        },
      ],
    },
    { requestId: 'r1', producer: 'inference-worker', occurredAt: new Date('2026-12-03T10:00:00.000Z') },
  ),
);

/** Answers every search with these documents, sorted as the query asks (the query itself is held to the real Elasticsearch in test/monitoring.e2e-spec.ts). */
function indexWith(docs: IndexDocument[]): ElasticsearchPredictionIndex {
  const client = { search: () => Promise.resolve({ hits: { hits: docs.map((d) => ({ _source: d.body })) } }) };
  return new ElasticsearchPredictionIndex(client as unknown as Client, 'mlops');
}

describe('ElasticsearchPredictionIndex.findNamed', () => {
  it("gives a named request's version, inputs by feature name and predicted classes in row order, and when it was scored", async () => {
    expect(await indexWith(documents).findNamed('wine', 'r1')).toEqual({
      model: 'wine',
      request_id: 'r1',
      occurred_at: '2026-12-03T10:00:00.000Z',
      model_version: 3,
      instances: [
        { alcohol: 13.2, proline: 400 },
        { alcohol: 12.1, proline: 1160 },
      ],
      predictions: ['class_1', 'class_0'],
    });
  });

  it('finds nothing when a row is missing, since labels join by row position', async () => {
    expect(await indexWith([]).findNamed('wine', 'r1')).toBeNull();
    expect(await indexWith(documents.slice(1)).findNamed('wine', 'r1')).toBeNull();
    expect(await indexWith(documents.slice(0, 1)).findNamed('wine', 'r1')).toBeNull();
  });
});
