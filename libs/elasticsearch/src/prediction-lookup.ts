import type { Client } from '@elastic/elasticsearch';
import { MAX_BATCH, type NamedInstance } from '@app/contracts';
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

/** A named model's indexed request, row by row in input order. */
export interface IndexedNamedPrediction {
  model: string;
  request_id: string;
  occurred_at: string;
  model_version: number;
  /** Each row's input by feature name. */
  instances: NamedInstance[];
  /** Each row's predicted class. */
  predictions: string[];
}

/** Where the gateway and the monitor find indexed predictions: a port, so they hold no search client. */
export interface PredictionIndex {
  /** The indexed rows of one request in input order; null when none are indexed (yet). */
  find(requestId: string): Promise<IndexedPrediction | null>;
  /**
   * A named model's request, only if that model served it: null when it is not indexed (yet),
   * when another model's is, or when some of its rows are missing.
   */
  findNamed(model: string, requestId: string): Promise<IndexedNamedPrediction | null>;
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

  async findNamed(model: string, requestId: string): Promise<IndexedNamedPrediction | null> {
    const result = await this.client.search<NamedRowDocument>({
      index: indexPattern(this.prefix, 'predictions'),
      query: { bool: { filter: [{ term: { request_id: requestId } }, { term: { model } }] } },
      sort: [{ batch_index: 'asc' }],
      size: MAX_BATCH,
      _source: ['@timestamp', 'model_version', 'prediction', 'features', 'batch_index', 'batch_size'],
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    const docs = result.hits.hits.map((h) => h._source!);
    // Labels join by row position, so a request whose rows are not exactly one document each (a
    // row refused by the index, a request scored again the next day into another index) is not one to join.
    if (docs.length === 0 || docs.length !== docs[0].batch_size || docs.some((d, i) => d.batch_index !== i)) return null;
    return {
      model,
      request_id: requestId,
      occurred_at: docs[0]['@timestamp'],
      model_version: docs[0].model_version,
      instances: docs.map((d) => Object.fromEntries(d.features.map((f) => [f.name, f.value]))),
      predictions: docs.map((d) => d.prediction),
    };
  }
}

/** The fields of a named model's row document (libs/monitoring's namedPredictionDocuments) that a label join needs. */
interface NamedRowDocument {
  '@timestamp': string;
  model_version: number;
  prediction: string;
  features: Array<{ name: string; value: number }>;
  batch_index: number;
  batch_size: number;
}
