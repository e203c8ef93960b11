import { Agent, request } from 'node:http';
import { distinctFlower, type Flower } from '../support/distinct-flowers';
import type { ScoredAnswer } from '../support/reference-scoring';

/** What one POST /predict of the load got; everything the verdict needs, nothing interpreted yet. */
export interface RequestRecord {
  client: number;
  /** Sent as X-Request-Id, unique per request: documents are counted by it. */
  clientRequestId: string;
  /** The row sent, its own: every answer is checked against it. */
  input: Flower;
  startedAt: number;
  endedAt: number;
  /** null: no HTTP response at all (see errorCode). */
  status: number | null;
  /** The platform's request id from the body. */
  requestId?: string;
  /** `client_request_id` from the body and X-Request-Id from the response header. */
  echoedBodyId?: string;
  echoedHeaderId?: string;
  /** A 2xx's scoring and the version it names. */
  answer?: ScoredAnswer;
  modelVersion?: number;
  /** `error` from an error body, or the socket error code when nothing answered. */
  error?: string;
  errorCode?: string;
}

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
): Promise<Omit<RequestRecord, 'client' | 'clientRequestId' | 'input' | 'startedAt' | 'endedAt'>> {
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
          const scored = typeof parsed.model_version === 'number';
          resolve({
            status: res.statusCode ?? null,
            requestId: str(parsed.request_id),
            echoedBodyId: str(parsed.client_request_id),
            echoedHeaderId: str(res.headers['x-request-id']),
            ...(scored
              ? {
                  modelVersion: parsed.model_version as number,
                  answer: {
                    prediction: parsed.prediction as string,
                    class_id: parsed.class_id as number,
                    probability: parsed.probability as number,
                    probabilities: parsed.probabilities as Record<string, number>,
                  },
                }
              : {}),
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

/**
 * `clients` callers, each sending POST /predict in a loop, every request with its own X-Request-Id
 * and its own flower (client c's k-th: flower c + clients·k), so that an answer crossed with
 * another request's shows.
 */
export class Load {
  readonly records: RequestRecord[] = [];
  private running = true;
  private sent = 0;
  private readonly loops: Array<Promise<void>>;

  constructor(
    gatewayUrl: string,
    private readonly options: LoadOptions,
  ) {
    const url = new URL('/predict', gatewayUrl);
    this.loops = Array.from({ length: options.clients }, (_, client) => this.loop(url, client));
  }

  get clients(): number {
    return this.options.clients;
  }

  /** Requests sent and not answered yet. */
  get inFlight(): number {
    return this.sent - this.records.length;
  }

  private async loop(url: URL, client: number): Promise<void> {
    for (let seq = 0; this.running; seq++) {
      const clientRequestId = `${this.options.tag}-c${client}-${seq}`;
      const input = distinctFlower(client + this.options.clients * seq);
      const startedAt = Date.now();
      this.sent++;
      const result = await postPredict(url, clientRequestId, JSON.stringify(input), this.options.timeoutMs);
      this.records.push({ client, clientRequestId, input, startedAt, endedAt: Date.now(), ...result });
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
