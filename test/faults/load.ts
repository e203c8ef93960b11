import { Agent, request } from 'node:http';

/** What one POST /predict of the load got; everything the verdict needs, nothing interpreted yet. */
export interface RequestRecord {
  client: number;
  /** Sent as X-Request-Id. */
  clientRequestId: string;
  startedAt: number;
  endedAt: number;
  /** null: no HTTP response at all (see errorCode). */
  status: number | null;
  /** The platform's request id from the body. */
  requestId?: string;
  /** `client_request_id` from the body and X-Request-Id from the response header. */
  echoedBodyId?: string;
  echoedHeaderId?: string;
  /** `error` from an error body, or the socket error code when nothing answered. */
  error?: string;
  errorCode?: string;
}

const FLOWERS = [
  { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
  { sepal_length: 6.4, sepal_width: 3.2, petal_length: 4.5, petal_width: 1.5 },
  { sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, petal_width: 2.5 },
];

/**
 * A new connection per request: then a reset means the gateway dropped a request it had
 * accepted, and a refusal means nothing was listening, which keep-alive races would blur.
 */
const agent = new Agent({ keepAlive: false });

function postPredict(
  url: URL,
  clientRequestId: string,
  body: string,
  timeoutMs: number,
): Promise<Omit<RequestRecord, 'client' | 'clientRequestId' | 'startedAt' | 'endedAt'>> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': clientRequestId } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: null, errorCode: err.code ?? err.message }));
        res.on('end', () => {
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
          } catch {
            // not JSON: the verdict sees no request id
          }
          const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
          resolve({
            status: res.statusCode ?? null,
            requestId: str(parsed.request_id),
            echoedBodyId: str(parsed.client_request_id),
            echoedHeaderId: str(res.headers['x-request-id']),
            error: str(parsed.error),
          });
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'CLIENT_TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: null, errorCode: err.code ?? err.message }));
    req.end(body);
  });
}

export interface LoadOptions {
  clients: number;
  /** Pause between one client's requests: a steady load, not a saturating one, on a shared 2-core machine. */
  pauseMs: number;
  /** Longer than the gateway's own deadlines (PREDICT_TIMEOUT_MS 5 s, send timeout 2 s). */
  timeoutMs: number;
  /** Prefix of every X-Request-Id, unique per scenario run. */
  tag: string;
}

/** `clients` callers, each sending POST /predict in a loop with its own unique X-Request-Ids. */
export class Load {
  readonly records: RequestRecord[] = [];
  private running = true;
  private readonly loops: Array<Promise<void>>;

  constructor(
    gatewayUrl: string,
    private readonly options: LoadOptions,
  ) {
    const url = new URL('/predict', gatewayUrl);
    this.loops = Array.from({ length: options.clients }, (_, client) => this.loop(url, client));
  }

  private async loop(url: URL, client: number): Promise<void> {
    for (let seq = 0; this.running; seq++) {
      const clientRequestId = `${this.options.tag}-c${client}-${seq}`;
      const startedAt = Date.now();
      const result = await postPredict(url, clientRequestId, JSON.stringify(FLOWERS[seq % FLOWERS.length]), this.options.timeoutMs);
      this.records.push({ client, clientRequestId, startedAt, endedAt: Date.now(), ...result });
      await new Promise((r) => setTimeout(r, this.options.pauseMs));
    }
  }

  /** Lets every client finish its request in flight and returns all records. */
  async stop(): Promise<RequestRecord[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.records;
  }
}
