/**
 * Prediction documents per client request id (the load's X-Request-Id, unique per request), as
 * the monitor indexed them across every daily index. Counted by the caller's id, not the
 * platform's: a document's id is `<request_id>:<row>`, so a second document under the same platform
 * id only appears across days, and a request published again under a new platform id would not
 * show at all.
 */
export interface IndexedCounts {
  /** Answered 2xx, and no document. */
  missing: string[];
  /** Sent (whatever the answer) and more than one document: the request was scored into the record twice. */
  duplicates: Array<{ clientRequestId: string; documents: number }>;
}

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
  aggregations: { per_client_request: { buckets: Array<{ key: string; doc_count: number }> } };
}

/** Documents per client request id in the indices `pattern` matches (e.g. `mlops-predictions-*`). */
export async function documentsPerClientRequest(baseUrl: string, pattern: string, clientRequestIds: string[]): Promise<Map<string, number>> {
  await es(baseUrl, `/${pattern}/_refresh`);
  const counts = new Map<string, number>();
  for (let i = 0; i < clientRequestIds.length; i += CHUNK) {
    const ids = clientRequestIds.slice(i, i + CHUNK);
    const response = await es<TermsResponse>(baseUrl, `/${pattern}/_search`, {
      size: 0,
      query: { terms: { client_request_id: ids } },
      aggs: { per_client_request: { terms: { field: 'client_request_id', size: ids.length } } },
    });
    for (const b of response.aggregations.per_client_request.buckets) counts.set(b.key, b.doc_count);
  }
  return counts;
}

function countsOf(documents: Map<string, number>, answered: string[]): IndexedCounts {
  return {
    missing: answered.filter((id) => !documents.has(id)),
    duplicates: [...documents].filter(([, n]) => n > 1).map(([clientRequestId, n]) => ({ clientRequestId, documents: n })),
  };
}

/**
 * Waits until the monitor has indexed every request answered 2xx (it catches up after an outage
 * with backoff), then counts every request sent once more a moment later so a late duplicate is
 * seen too.
 */
export async function settledPredictionCounts(
  baseUrl: string,
  pattern: string,
  requests: { answered: string[]; sent: string[] },
  timeoutMs: number,
  graceMs = 2000,
): Promise<IndexedCounts & { settleSeconds: number }> {
  const started = Date.now();
  const missing = () =>
    documentsPerClientRequest(baseUrl, pattern, requests.answered).then(
      (documents) => countsOf(documents, requests.answered).missing.length,
      () => undefined,
    );
  let left = await missing();
  while (left !== 0 && Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 1000));
    left = (await missing()) ?? left;
  }
  const settleSeconds = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, graceMs));
  return { ...countsOf(await documentsPerClientRequest(baseUrl, pattern, requests.sent), requests.answered), settleSeconds };
}
