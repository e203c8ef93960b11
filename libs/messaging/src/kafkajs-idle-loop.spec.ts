import { fixKafkajsIdleLoop, requestQueueClass, type KafkajsRequestQueue } from './kafkajs-idle-loop';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Queue extends KafkajsRequestQueue {
  push(request: { entry: Record<string, unknown>; expectResponse: boolean; sendRequest: () => void }): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  maybeThrottle(ms: number): void;
  destroy(): void;
}

function queue(maxInFlightRequests: number): { q: Queue; checks: () => number } {
  const RequestQueue = requestQueueClass();
  const q = new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 't',
    broker: 'b:9092',
    logger: silent,
  }) as Queue;
  let checks = 0;
  const check = q.checkPendingRequests.bind(q);
  q.checkPendingRequests = () => {
    checks++;
    check();
  };
  return { q, checks: () => checks };
}

function request(correlationId: number, sent: number[]) {
  return {
    entry: { correlationId, apiKey: 0, apiName: 'Produce', apiVersion: 3, resolve: () => undefined, reject: () => undefined },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

describe('fixKafkajsIdleLoop', () => {
  beforeAll(() => expect(fixKafkajsIdleLoop()).toBe(true));

  it('leaves an idle connection without a timer: kafkajs 2.2.4 re-checked its empty queue every millisecond', async () => {
    const { q, checks } = queue(1);
    q.checkPendingRequests(); // what every completed request does
    await sleep(100);
    expect(checks()).toBe(1);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still sends a request that waited for the in-flight cap when the one ahead completes', async () => {
    const { q } = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(sent).toEqual([1, 2]);
    q.destroy();
  });

  it('still sends a request held by a broker throttle when the throttle ends', async () => {
    const { q } = queue(10);
    const sent: number[] = [];
    q.maybeThrottle(40);
    q.push(request(1, sent));
    expect(sent).toEqual([]);
    await sleep(80);
    expect(sent).toEqual([1]);
    q.destroy();
  });
});
