import type { Client } from '@elastic/elasticsearch';
import { indexPattern } from '@app/monitoring';

export interface IndexedPrediction {
  request_id: string;
  client_request_id?: string;
  event_id: string;
  occurred_at: string;
  model_version: number;
  worker: string;
  scoring_latency_ms: number;
  predictions: Array<Record<string, unknown>>;
}

/** Where the gateway finds indexed predictions: a port, so controllers hold no search client. */
export interface PredictionIndex {
  /** The indexed rows of one request in input order; null when none are indexed (yet). */
  find(requestId: string): Promise<IndexedPrediction | null>;
}

export const PREDICTION_INDEX = Symbol('PREDICTION_INDEX');

export class ElasticsearchPredictionIndex implements PredictionIndex {
  constructor(
    private readonly client: Client,
    private readonly prefix: string,
  ) {}

  async find(requestId: string): Promise<IndexedPrediction | null> {
    const result = await this.client.search<Record<string, unknown>>({
      index: indexPattern(this.prefix, 'predictions'),
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
      ...(first.client_request_id ? { client_request_id: String(first.client_request_id) } : {}),
      event_id: String(first.event_id),
      occurred_at: String(first['@timestamp']),
      model_version: Number(first.model_version),
      worker: String(first.worker),
      scoring_latency_ms: Number(first.scoring_latency_ms),
      predictions: docs.map((d) => ({
        input: d.input,
        prediction: d.prediction,
        class_id: d.class_id,
        probability: d.probability,
        probabilities: d.probabilities,
      })),
    };
  }
}
