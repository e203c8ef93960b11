import { authorizationHeader, type MlflowAuth } from './mlflow-auth';
import type { KeyValue, MlflowExperiment, MlflowMetric, MlflowModelVersion, MlflowRegisteredModel, MlflowRun, MlflowRunStatus } from './mlflow-entities';
import { MlflowError, retryableStatus } from './mlflow-error';

export interface MlflowClientOptions {
  trackingUri: string;
  auth: MlflowAuth;
  /** Each call is abandoned after this long and reported as retryable. */
  timeoutMs: number;
}

/** Limits of MLflow's log-batch endpoint, per request. */
const BATCH = { params: 100, tags: 100, entities: 1000 };
/** An error body quoted in a log line or the readiness detail: enough to act on, never a page of HTML. */
const MAX_ERROR_TEXT = 300;
const ARTIFACT_SCHEME = 'mlflow-artifacts:';

/**
 * MLflow's tracking and registry REST API (2.0) over fetch: the calls the mirror makes and
 * nothing else. Every failure is an MlflowError that says whether trying again can help;
 * the credentials go in a header and never into an error message.
 */
export class MlflowClient {
  private readonly base: string;
  /** Aborts calls in flight on close(): a hung server must not hold the trainer's shutdown for a whole timeout. */
  private readonly closing = new AbortController();

  constructor(private readonly options: MlflowClientOptions) {
    this.base = options.trackingUri.replace(/\/+$/, '');
  }

  get trackingUri(): string {
    return this.base;
  }

  close(): void {
    this.closing.abort();
  }

  async getExperimentByName(name: string): Promise<MlflowExperiment | null> {
    const body = await this.call<{ experiment: MlflowExperiment }>('GET', 'experiments/get-by-name', { experiment_name: name }, { notFound: true });
    return body?.experiment ?? null;
  }

  async createExperiment(name: string, tags: KeyValue[] = []): Promise<string> {
    return (await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name, tags }))!.experiment_id;
  }

  async searchRuns(experimentId: string, filter: string, pageToken?: string): Promise<{ runs: MlflowRun[]; next_page_token?: string }> {
    const body = await this.call<{ runs?: MlflowRun[]; next_page_token?: string }>('POST', 'runs/search', {
      experiment_ids: [experimentId],
      filter,
      max_results: 1000,
      page_token: pageToken,
    });
    return { runs: body?.runs ?? [], next_page_token: body?.next_page_token || undefined };
  }

  async createRun(run: { experimentId: string; runName: string; startTime: number; tags: KeyValue[] }): Promise<MlflowRun> {
    const body = await this.call<{ run: MlflowRun }>('POST', 'runs/create', {
      experiment_id: run.experimentId,
      run_name: run.runName,
      start_time: run.startTime,
      tags: run.tags,
    });
    return body!.run;
  }

  async updateRun(runId: string, update: { status: MlflowRunStatus; endTime: number | null; runName: string }): Promise<void> {
    await this.call('POST', 'runs/update', { run_id: runId, status: update.status, end_time: update.endTime ?? undefined, run_name: update.runName });
  }

  /** Params, metrics and tags in as many requests as MLflow's batch limits need. Logging the same values again changes nothing. */
  async logBatch(runId: string, data: { params: KeyValue[]; metrics: MlflowMetric[]; tags: KeyValue[] }): Promise<void> {
    const params = [...data.params];
    const metrics = [...data.metrics];
    const tags = [...data.tags];
    while (params.length + metrics.length + tags.length > 0) {
      const p = params.splice(0, BATCH.params);
      const t = tags.splice(0, BATCH.tags);
      const m = metrics.splice(0, BATCH.entities - p.length - t.length);
      await this.call('POST', 'runs/log-batch', { run_id: runId, params: p, metrics: m, tags: t });
    }
  }

  /**
   * Writes one file under the run's artifact root through the server's artifact proxy
   * (`mlflow server --serve-artifacts`, the default). A root the server does not proxy (s3://,
   * a local path) cannot be written over REST: `artifactRootServed` tells the caller beforehand.
   */
  async uploadArtifact(artifactUri: string, path: string, content: string, contentType: string): Promise<void> {
    const root = proxiedArtifactPath(artifactUri);
    if (root === null) throw new MlflowError(`artifact root ${artifactUri} is not served by the tracking server`, false);
    const file = `${root}/${path}`.split('/').filter(Boolean).map(encodeURIComponent).join('/');
    await this.request('PUT', `${this.base}/api/2.0/mlflow-artifacts/artifacts/${file}`, content, contentType, false);
  }

  async getRegisteredModel(name: string): Promise<MlflowRegisteredModel | null> {
    const body = await this.call<{ registered_model: MlflowRegisteredModel }>('GET', 'registered-models/get', { name }, { notFound: true });
    return body?.registered_model ?? null;
  }

  async createRegisteredModel(name: string, description: string): Promise<void> {
    await this.call('POST', 'registered-models/create', { name, description });
  }

  async searchModelVersions(filter: string, pageToken?: string): Promise<{ model_versions: MlflowModelVersion[]; next_page_token?: string }> {
    const body = await this.call<{ model_versions?: MlflowModelVersion[]; next_page_token?: string }>('GET', 'model-versions/search', {
      filter,
      max_results: '1000',
      page_token: pageToken,
    });
    return { model_versions: body?.model_versions ?? [], next_page_token: body?.next_page_token || undefined };
  }

  async createModelVersion(version: { name: string; source: string; runId: string; tags: KeyValue[]; description: string }): Promise<MlflowModelVersion> {
    const body = await this.call<{ model_version: MlflowModelVersion }>('POST', 'model-versions/create', {
      name: version.name,
      source: version.source,
      run_id: version.runId,
      tags: version.tags,
      description: version.description,
    });
    return body!.model_version;
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<void> {
    await this.call('PATCH', 'model-versions/update', { name, version, description });
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'model-versions/set-tag', { name, version, key, value });
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    await this.call('DELETE', 'model-versions/delete-tag', { name, version, key });
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('POST', 'registered-models/alias', { name, alias, version });
  }

  /** Deleting an alias that is not set succeeds: MLflow answers 200. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.call('DELETE', 'registered-models/alias', { name, alias });
  }

  /** One call of the 2.0 API: GET sends its fields as a query, every other method as a JSON body. */
  private async call<T>(method: string, endpoint: string, fields: Record<string, unknown>, opts: { notFound?: boolean } = {}): Promise<T | null> {
    const url = new URL(`${this.base}/api/2.0/mlflow/${endpoint}`);
    let body: string | undefined;
    if (method === 'GET') {
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) url.searchParams.set(k, String(v));
    } else {
      body = JSON.stringify(fields);
    }
    const text = await this.request(method, url.toString(), body, 'application/json', opts.notFound ?? false);
    return text === null ? null : (JSON.parse(text || '{}') as T);
  }

  /** Resolves to the response text, or null for a 404 the caller expects; throws MlflowError otherwise. */
  private async request(method: string, url: string, body: string | undefined, contentType: string, notFound: boolean): Promise<string | null> {
    const what = `${method} ${new URL(url).pathname}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': contentType } : {}), accept: 'application/json', ...authorizationHeader(this.options.auth) },
        body,
        signal: AbortSignal.any([AbortSignal.timeout(this.options.timeoutMs), this.closing.signal]),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const reason =
        e.name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : this.closing.signal.aborted
            ? 'the mirror is stopping'
            : (e.cause?.code ?? e.message);
      throw new MlflowError(`MLflow ${what} failed: ${reason}`, true);
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return text;
    if (res.status === 404 && notFound) return null;
    const { code, message } = errorOf(text);
    const refused =
      res.status === 401 || res.status === 403
        ? ' (MLflow refused the credentials: check MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD)'
        : '';
    throw new MlflowError(
      `MLflow ${what} answered ${res.status}${code ? ` ${code}` : ''}: ${message}${refused}`,
      retryableStatus(res.status),
      res.status,
      code,
    );
  }
}

function errorOf(text: string): { code: string | null; message: string } {
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    if (body && typeof body === 'object') return { code: body.error_code ?? null, message: bound(body.message ?? text) };
  } catch {
    // Not JSON: an HTML page from a proxy or the auth plugin's plain text.
  }
  return { code: null, message: bound(text.replace(/\s+/g, ' ').trim()) };
}

const bound = (s: string) => (s.length > MAX_ERROR_TEXT ? `${s.slice(0, MAX_ERROR_TEXT)}…` : s);

/** The path below the artifact proxy of a `mlflow-artifacts:` URI (with or without a host part), or null for a root the server does not proxy. */
export function proxiedArtifactPath(artifactUri: string): string | null {
  if (!artifactUri.startsWith(ARTIFACT_SCHEME)) return null;
  const rest = artifactUri.slice(ARTIFACT_SCHEME.length);
  return rest.startsWith('//') ? rest.slice(2).replace(/^[^/]*/, '') : rest;
}
