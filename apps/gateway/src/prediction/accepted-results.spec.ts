import { createEnvelope, type PredictionMade } from '@app/contracts';
import { AcceptedResults } from './accepted-results';
import { AsyncResultsFullError, PredictionFailedError } from './prediction-errors';
import { RecentPredictions } from './recent-predictions';

const row = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const scored = { prediction: 'setosa' as const, class_id: 0, probability: 1, probabilities: { setosa: 1, versicolor: 0, virginica: 0 } };
const reply = (requestId: string, rows: number) =>
  createEnvelope<PredictionMade>(
    'PredictionMade',
    { instances: Array(rows).fill(row), predictions: Array(rows).fill(scored), model_version: 1, scoring_latency_ms: 1, worker: 'w', reply_to: 'g' },
    { requestId, producer: 'test' },
  );

describe('AcceptedResults', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = Date.parse('2025-01-01T00:00:00Z')));

  it("keeps an accepted result whatever other callers' batches pass through the recent replies (21 batches of 1000 rows)", () => {
    const recent = new RecentPredictions();
    const accepted = new AcceptedResults(300_000, 20_000, clock);
    accepted.accept('victim', 1);
    for (const event of [reply('victim', 1), ...Array.from({ length: 21 }, (_, i) => reply(`batch-${i}`, 1000))]) {
      recent.remember(event);
      accepted.remember(event);
    }
    expect(recent.find('victim')).toBeUndefined();
    expect(accepted.find('victim')).toEqual({ state: 'scored', event: expect.objectContaining({ request_id: 'victim' }) });
    expect(accepted.find('batch-0')).toBeUndefined();
  });

  it('answers pending until the reply arrives, and remembers no reply it did not accept', () => {
    const accepted = new AcceptedResults(300_000, 10, clock);
    accepted.accept('a', 2);
    expect(accepted.find('a')).toEqual({ state: 'pending', acceptedAt: now });
    expect(accepted.remember(reply('someone-else', 1))).toBe(false);
    expect(accepted.remember(reply('a', 2))).toBe(true);
    expect(accepted.find('a')).toMatchObject({ state: 'scored' });
    expect(accepted.find('never-seen')).toBeUndefined();
  });

  it('keeps each result for the TTL after acceptance, then answers expired with both times', () => {
    const accepted = new AcceptedResults(300_000, 10, clock);
    const acceptedAt = now;
    accepted.accept('a', 1);
    accepted.remember(reply('a', 1));
    now += 299_999;
    expect(accepted.find('a')).toMatchObject({ state: 'scored' });
    now += 1;
    expect(accepted.find('a')).toEqual({ state: 'expired', acceptedAt, expiredAt: acceptedAt + 300_000 });
    expect(accepted.remember(reply('a', 1))).toBe(false);
  });

  it('refuses a new request when its rows would pass the cap, with Retry-After until the oldest result expires, instead of evicting one', () => {
    const accepted = new AcceptedResults(300_000, 3, clock);
    accepted.accept('a', 2);
    now += 100_000;
    accepted.accept('b', 1);
    let refused: unknown;
    try {
      accepted.accept('c', 1);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(AsyncResultsFullError);
    expect(refused).toMatchObject({ status: 503, code: 'async_results_full', retryAfterSeconds: 200 });
    expect([accepted.find('a')?.state, accepted.find('b')?.state]).toEqual(['pending', 'pending']);
    now += 200_000;
    accepted.accept('c', 1);
    expect(accepted.find('c')?.state).toBe('pending');
  });

  it('keeps why a request failed and frees its rows', () => {
    const accepted = new AcceptedResults(300_000, 1, clock);
    accepted.accept('a', 1);
    const error = new PredictionFailedError('a', 'reply_too_large', 'too big');
    expect(accepted.fail('a', error)).toBe(true);
    expect(accepted.find('a')).toEqual({ state: 'failed', error });
    accepted.accept('b', 1);
  });
});
