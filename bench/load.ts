import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { flowerBody, rightAnswer, type Reference } from './answers';
import { round } from './proc-sampler';
import { SampleBuffer, summarizeLatencies, type LatencySummary } from './stats';

export interface LoadResult extends LatencySummary {
  mode: 'closed' | 'open';
  connections: number | null;
  /** Open loop: the requests/s asked for. */
  target_rps: number | null;
  duration_s: number;
  /** 2xx answers per second: an error answered fast is not throughput. */
  rps: number;
  sent: number;
  ok_2xx: number;
  non_2xx: number;
  /** Connection errors and timeouts (no answer at all). */
  errors: number;
  /** 2xx answers that are not the answer their own input gets alone (crossed or wrong); null when not checked (warm-up). */
  wrong_answers: number | null;
  /** Open loop: whether 2xx answers kept up with the asked rate (≥ 97% of it within the run). */
  rate_held: boolean | null;
  /** Open loop: the latest a request left after its scheduled time (the generator's own lag). */
  max_send_lag_ms: number | null;
}

export interface LoadOutcome {
  result: LoadResult;
  /** X-Request-Id of every request sent without a 2xx answer (errors, and those in flight when the run stopped). */
  unanswered: string[];
}

const is2xx = (status: number) => status >= 200 && status < 300;

/**
 * Closed loop: `connections` clients, each sending its next request when the previous one is
 * answered, for `durationS` seconds. Request n carries X-Request-Id `<idPrefix><n>` and flower n
 * (bench/answers.ts); with a reference, its answer is checked against that flower's.
 * Latencies are kept exactly (autocannon's own histogram has 1 ms buckets).
 */
export async function closedLoop(baseUrl: string, connections: number, durationS: number, idPrefix: string, reference?: Reference): Promise<LoadOutcome> {
  let next = 0;
  let wrong = 0;
  const answered = new Set<number>();
  const latencies = new SampleBuffer();
  let ok = 0;
  let non2xx = 0;
  const instance = autocannon({
    url: baseUrl,
    connections,
    duration: durationS,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/predict',
        headers: { 'content-type': 'application/json' },
        setupRequest: (req, context) => {
          const n = next++;
          context.n = n;
          return { ...req, body: flowerBody(n), headers: { ...req.headers, 'x-request-id': `${idPrefix}${n}` } };
        },
        onResponse: (status, body, context) => {
          if (!is2xx(status)) return;
          answered.add(context.n as number);
          if (reference && !rightAnswer(reference, context.n as number, body)) wrong++;
        },
      },
    ],
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    latencies.push(ms);
    if (is2xx(status)) ok++;
    else non2xx++;
  });
  const r = await instance;
  const unanswered: string[] = [];
  for (let n = 0; n < next; n++) if (!answered.has(n)) unanswered.push(`${idPrefix}${n}`);
  return {
    result: {
      mode: 'closed',
      connections,
      target_rps: null,
      duration_s: r.duration,
      rps: round(ok / r.duration, 1),
      sent: next,
      ok_2xx: ok,
      non_2xx: non2xx,
      errors: r.errors,
      wrong_answers: reference ? wrong : null,
      rate_held: null,
      max_send_lag_ms: null,
      ...roundLatencies(summarizeLatencies(latencies.values())),
    },
    unanswered,
  };
}

/**
 * Open loop: requests leave on a fixed schedule (n / rate seconds after the start) whatever the
 * answers do, over as many keep-alive connections as that needs. Latency counts from the
 * scheduled time, so a server that falls behind shows it instead of slowing the sender down.
 * (autocannon's overallRate is not used: it gives each connection a quota per second, sent back
 * to back at the top of each second, which measures bursts, not a steady rate.)
 */
export async function openLoop(
  baseUrl: string,
  rate: number,
  durationS: number,
  idPrefix: string,
  reference?: Reference,
  timeoutMs = 10_000,
): Promise<LoadOutcome> {
  const { hostname, port } = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const total = Math.round(rate * durationS);
  const latencies = new SampleBuffer();
  const unanswered = new Set<number>();
  let ok = 0;
  let okInWindow = 0;
  let non2xx = 0;
  let errors = 0;
  let wrong = 0;
  let outstanding = 0;
  let maxLag = 0;
  let sent = 0;
  const t0 = performance.now();
  const windowEnd = t0 + durationS * 1000;
  let allDone: () => void = () => undefined;

  const settle = () => {
    outstanding--;
    if (outstanding === 0 && sent === total) allDone();
  };
  const fire = (n: number, scheduled: number) => {
    outstanding++;
    unanswered.add(n);
    const body = flowerBody(n);
    const req = request(
      {
        agent,
        hostname,
        port,
        method: 'POST',
        path: '/predict',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': `${idPrefix}${n}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.once('end', () => {
          const end = performance.now();
          latencies.push(end - scheduled);
          if (is2xx(res.statusCode ?? 0)) {
            ok++;
            if (end <= windowEnd) okInWindow++;
            unanswered.delete(n);
            if (reference && !rightAnswer(reference, n, Buffer.concat(chunks).toString('utf8'))) wrong++;
          } else non2xx++;
          settle();
        });
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.once('error', () => {
      errors++;
      settle();
    });
    req.end(body);
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * rate) + 1);
      while (sent < due) {
        const n = sent++;
        const scheduled = t0 + (n * 1000) / rate;
        maxLag = Math.max(maxLag, now - scheduled);
        fire(n, scheduled);
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const drained = new Promise<void>((resolve) => {
    allDone = resolve;
    if (outstanding === 0) resolve();
  });
  let giveUp: NodeJS.Timeout | undefined;
  await Promise.race([drained, new Promise((r) => (giveUp = setTimeout(r, 15_000)))]);
  clearTimeout(giveUp);
  agent.destroy();
  const achieved = okInWindow / durationS;
  return {
    result: {
      mode: 'open',
      connections: null,
      target_rps: round(rate, 1),
      duration_s: durationS,
      rps: round(achieved, 1),
      sent,
      ok_2xx: ok,
      non_2xx: non2xx,
      errors,
      wrong_answers: reference ? wrong : null,
      rate_held: achieved >= 0.97 * rate,
      max_send_lag_ms: round(maxLag, 2),
      ...roundLatencies(summarizeLatencies(latencies.values())),
    },
    unanswered: [...unanswered].map((n) => `${idPrefix}${n}`),
  };
}

function roundLatencies(s: LatencySummary): LatencySummary {
  return { n: s.n, p50_ms: round(s.p50_ms, 3), p90_ms: round(s.p90_ms, 3), p99_ms: round(s.p99_ms, 3), max_ms: round(s.max_ms, 3) };
}
