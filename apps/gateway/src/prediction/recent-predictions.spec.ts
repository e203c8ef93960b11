import { createEnvelope, type PredictionMade } from '@app/contracts';
import { RecentPredictions } from './recent-predictions';

const row = { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 };
const scored = { prediction: 'setosa' as const, class_id: 0, probability: 1, probabilities: { setosa: 1, versicolor: 0, virginica: 0 } };
const reply = (requestId: string, rows: number) =>
  createEnvelope<PredictionMade>(
    'PredictionMade',
    { instances: Array(rows).fill(row), predictions: Array(rows).fill(scored), model_version: 1, scoring_latency_ms: 1, worker: 'w', reply_to: 'g' },
    { requestId, producer: 'test' },
  );

describe('RecentPredictions', () => {
  it('stays within its byte budget under sustained 1000-row batches, evicting the oldest first', () => {
    const recent = new RecentPredictions();
    for (let i = 0; i < 200; i++) recent.remember(reply(`r-${i}`, 1000));
    // 8 MB at 400 bytes per row: the newest 20 batches of 1000 rows.
    expect(recent.find('r-179')).toBeUndefined();
    expect(recent.find('r-180')?.request_id).toBe('r-180');
    expect(recent.find('r-199')?.request_id).toBe('r-199');
  });

  it('keeps at most 10,000 requests', () => {
    const recent = new RecentPredictions();
    for (let i = 0; i < 10_500; i++) recent.remember(reply(`r-${i}`, 1));
    expect(recent.find('r-499')).toBeUndefined();
    expect(recent.find('r-500')?.request_id).toBe('r-500');
  });
});
