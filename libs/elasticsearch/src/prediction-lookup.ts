import type { Client } from '@elastic/elasticsearch';
import { indexPattern } from '@app/monitoring';

export interface IndexedPrediction {
  request_id: string;
  event_id: string;
  occurred_at: string;
  model_version: number;
  worker: string;
  scoring_latency_ms: number;
  input_stats: unknown;
  predictions: Array<Record<string, unknown>>;
}

/** The indexed documents of one request, reassembled in input order; null when none are indexed (yet). */
export async function findIndexedPrediction(client: Client, prefix: string, requestId: string): Promise<IndexedPrediction | null> {
  const result = await client.search<Record<string, unknown>>({
    index: indexPattern(prefix, 'predictions'),
    query: { term: { request_id: requestId } },
    sort: [{ batch_index: 'asc' }],
    size: 1000,
    ignore_unavailable: true,
    allow_no_indices: true,
  });
  const docs = result.hits.hits.map((h) => h._source!);
  if (docs.length === 0) return null;
  const first = docs[0];
  return {
    request_id: requestId,
    event_id: String(first.event_id),
    occurred_at: String(first['@timestamp']),
    model_version: Number(first.model_version),
    worker: String(first.worker),
    scoring_latency_ms: Number(first.scoring_latency_ms),
    input_stats: first.input_stats,
    predictions: docs.map((d) => ({
      input: d.input,
      prediction: d.prediction,
      class_id: d.class_id,
      probability: d.probability,
      probabilities: d.probabilities,
    })),
  };
}
