import { loadConfig } from '@app/config';
import type { EventPublisher } from '@app/messaging';
import { AcceptedResults } from './accepted-results';
import { PendingReplies } from './pending-replies';
import { GatewayOverloadedError, ReplyTimeoutError, ReplyTooLargeError } from './prediction-errors';
import { PredictionService } from './prediction.service';

const SETOSA = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };

function service(env: Record<string, string>, publish: () => Promise<unknown>) {
  const config = loadConfig({ TRANSPORT: 'memory', ...env });
  const pending = new PendingReplies(config);
  const publisher = { publish } as unknown as EventPublisher;
  const accepted = new AcceptedResults(60_000, 10);
  return { pending, accepted, predictions: new PredictionService(publisher, pending, accepted, config, 0) };
}

describe('PredictionService', () => {
  it('times out with ReplyTimeoutError when publishing outlasts the reply timeout', async () => {
    // A broker kafkajs keeps retrying: the send resolves only after the reply deadline passed.
    // (That this leaves no unhandled rejection is checked in a real process: test/unhandled-rejection.e2e-spec.ts.)
    const { predictions, pending } = service({ PREDICT_TIMEOUT_MS: '200', KAFKA_SEND_TIMEOUT_MS: '100' }, () => new Promise((r) => setTimeout(r, 500)));
    const outcome = predictions.predict([SETOSA], { requestId: 'r-1' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 600));
    expect(await outcome).toEqual(new ReplyTimeoutError('r-1', 200));
    expect(pending.size).toBe(0);
  });

  it('fails with the publish error when publishing fails, and forgets the request', async () => {
    const { predictions, pending } = service({}, () => Promise.reject(new Error('broker down')));
    await expect(predictions.predict([SETOSA], { requestId: 'r-2' })).rejects.toThrow('broker down');
    expect(pending.size).toBe(0);
  });

  it('sheds load with 503 past MAX_PENDING_REQUESTS instead of holding more requests', async () => {
    const { predictions, pending } = service({ MAX_PENDING_REQUESTS: '2', PREDICT_TIMEOUT_MS: '1000', KAFKA_SEND_TIMEOUT_MS: '500' }, async () => undefined);
    const first = predictions.predict([SETOSA], { requestId: 'a' });
    const second = predictions.predict([SETOSA], { requestId: 'b' });
    await expect(predictions.predict([SETOSA], { requestId: 'c' })).rejects.toBeInstanceOf(GatewayOverloadedError);
    expect(pending.size).toBe(2);
    pending.onApplicationShutdown();
    await expect(first).rejects.toMatchObject({ status: 503, code: 'shutting_down' });
    await expect(second).rejects.toMatchObject({ status: 503, code: 'shutting_down' });
  });

  it('refuses with 413 a batch whose reply would exceed the broker message limit, naming the limit and the rows allowed', async () => {
    let published = 0;
    const { predictions } = service({ KAFKA_MAX_MESSAGE_BYTES: '100000' }, async () => void published++);
    const rows = Array.from({ length: 300 }, () => SETOSA);
    const err = await predictions.predict(rows, { requestId: 'big' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyTooLargeError);
    expect(err).toMatchObject({ status: 413, code: 'reply_too_large', extra: { limit_bytes: 100000, max_rows: 244 } });
    expect((err as Error).message).toBe(
      "the reply to 300 rows would take up to 122048 bytes, over the broker's message limit of 100000 bytes (KAFKA_MAX_MESSAGE_BYTES); send at most 244 rows per request",
    );
    expect(published).toBe(0);
  });

  it('keeps room for an async request before publishing it, and its publish failure as its outcome', async () => {
    const broken = service({}, () => Promise.reject(new Error('broker down')));
    await expect(broken.predictions.submit([SETOSA], { requestId: 'async-1' })).rejects.toThrow('broker down');
    expect(broken.accepted.find('async-1')).toEqual({ state: 'failed', error: new Error('broker down') });
    const seen: unknown[] = [];
    const working = service({}, async () => void seen.push(working.accepted.find('async-2')));
    await working.predictions.submit([SETOSA], { requestId: 'async-2' });
    expect(seen).toEqual([{ state: 'pending', acceptedAt: expect.any(Number) }]);
  });
});
