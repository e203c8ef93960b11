/** Prediction documents per platform request id, as the monitor indexed them. */
export interface IndexedCounts {
  expected: number;
  /** Request ids with no document. */
  missing: string[];
  /** Request ids with more than one document, and how many each has. */
  duplicates: Array<{ requestId: string; documents: number }>;
}

const PATTERN = 'mlops-predictions-*';
const CHUNK = 5_000;

async function es<T>(baseUrl: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`Elasticsearch ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface TermsResponse {
  aggregations: { per_request: { buckets: Array<{ key: string; doc_count: number }> } };
}

/**
 * Counts documents per request id across every daily predictions index: the platform's
 * promise is one document per row (the load sends one row per request), so exactly one each.
 */
export async function countPredictions(baseUrl: string, requestIds: string[]): Promise<IndexedCounts> {
  await es(baseUrl, `/${PATTERN}/_refresh`);
  const counts = new Map<string, number>();
  for (let i = 0; i < requestIds.length; i += CHUNK) {
    const ids = requestIds.slice(i, i + CHUNK);
    const response = await es<TermsResponse>(baseUrl, `/${PATTERN}/_search`, {
      size: 0,
      query: { terms: { request_id: ids } },
      aggs: { per_request: { terms: { field: 'request_id', size: ids.length } } },
    });
    for (const b of response.aggregations.per_request.buckets) counts.set(b.key, b.doc_count);
  }
  return {
    expected: requestIds.length,
    missing: requestIds.filter((id) => !counts.has(id)),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([requestId, documents]) => ({ requestId, documents })),
  };
}

/**
 * Waits until the monitor has indexed every request (it catches up after an outage with
 * backoff), then counts once more a moment later so a late duplicate is seen too.
 */
export async function settledPredictionCounts(baseUrl: string, requestIds: string[], timeoutMs: number): Promise<IndexedCounts & { settleSeconds: number }> {
  const started = Date.now();
  let counts = await countPredictions(baseUrl, requestIds).catch(() => undefined);
  while ((counts === undefined || counts.missing.length > 0) && Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 1000));
    counts = await countPredictions(baseUrl, requestIds).catch(() => counts);
  }
  const settleSeconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 2000));
  return { ...(await countPredictions(baseUrl, requestIds)), settleSeconds };
}
