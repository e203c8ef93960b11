const PREDICTIONS = 'mlops-predictions-*';
const LENIENT = 'ignore_unavailable=true&allow_no_indices=true';

async function es<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`Elasticsearch ${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

type Mappings = Record<string, { mappings?: { properties?: Record<string, unknown> } }>;

/**
 * The field holding the id the client sent as X-Request-Id: `client_request_id` once the gateway
 * mints its own request ids (any predictions index whose mapping has it), `request_id` before.
 */
export async function clientRequestIdField(base: string): Promise<'client_request_id' | 'request_id'> {
  const mappings = await es<Mappings>(base, 'GET', `/${PREDICTIONS}/_mapping?${LENIENT}`);
  return Object.values(mappings).some((m) => m.mappings?.properties?.client_request_id) ? 'client_request_id' : 'request_id';
}

export interface IndexedCount {
  field: string;
  /** Prediction documents whose request id starts with the run's prefix. */
  docs: number;
  /** Distinct request ids among them (exact, by composite aggregation). */
  distinct_ids: number;
  /** Request ids with more than one document. */
  duplicated_ids: number;
  /** Distinct ids indexed although the client got no 2xx (in flight when the run stopped, or failed). */
  indexed_without_2xx: number;
}

/** Counts one run's predictions in Elasticsearch (after a refresh, so everything acknowledged is searchable). */
export async function countIndexed(base: string, field: string, prefix: string, unanswered: readonly string[]): Promise<IndexedCount> {
  await es(base, 'POST', `/${PREDICTIONS}/_refresh?${LENIENT}`);
  const query = { prefix: { [field]: prefix } };
  const { count: docs } = await es<{ count: number }>(base, 'POST', `/${PREDICTIONS}/_count?${LENIENT}`, { query });
  let distinct = 0;
  let duplicated = 0;
  let after: Record<string, string> | undefined;
  do {
    const r = await es<{ aggregations: { ids: { buckets: Array<{ doc_count: number }>; after_key?: Record<string, string> } } }>(
      base,
      'POST',
      `/${PREDICTIONS}/_search?${LENIENT}`,
      { size: 0, query, aggs: { ids: { composite: { size: 10_000, sources: [{ id: { terms: { field } } }], ...(after ? { after } : {}) } } } },
    );
    const { buckets, after_key } = r.aggregations.ids;
    distinct += buckets.length;
    duplicated += buckets.filter((b) => b.doc_count > 1).length;
    after = buckets.length > 0 ? after_key : undefined;
  } while (after);
  let indexedWithout2xx = 0;
  for (let i = 0; i < unanswered.length; i += 10_000) {
    const ids = unanswered.slice(i, i + 10_000);
    const r = await es<{ aggregations: { ids: { buckets: unknown[] } } }>(base, 'POST', `/${PREDICTIONS}/_search?${LENIENT}`, {
      size: 0,
      query: { terms: { [field]: ids } },
      // A terms aggregation asked for at least as many buckets as there are terms is exact.
      aggs: { ids: { terms: { field, size: ids.length } } },
    });
    indexedWithout2xx += r.aggregations.ids.buckets.length;
  }
  return { field, docs, distinct_ids: distinct, duplicated_ids: duplicated, indexed_without_2xx: indexedWithout2xx };
}
