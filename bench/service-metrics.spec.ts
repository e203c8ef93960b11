import { parseMemory, parsePublished, perPrediction } from './service-metrics';

const page = (requests: [number, number], replies: [number, number]) =>
  [
    '# HELP events_published_total Records published by topic',
    '# TYPE events_published_total counter',
    `events_published_total{topic="ml.prediction.batch.requested.v1"} ${requests[0]}`,
    `events_published_total{topic="ml.prediction.batch.made.v1"} ${replies[0]}`,
    `event_published_bytes_total{topic="ml.prediction.batch.requested.v1"} ${requests[1]}`,
    `event_published_bytes_total{topic="ml.prediction.batch.made.v1"} ${replies[1]}`,
    'events_consumed_total{topic="ml.prediction.batch.made.v1",group="g",outcome="ok"} 99',
  ].join('\n');

describe('published bytes per prediction', () => {
  it('reads records and bytes per topic, nothing else', () => {
    expect(parsePublished(page([10, 2500], [4, 3000]))).toEqual({
      'ml.prediction.batch.requested.v1': { records: 10, bytes: 2500 },
      'ml.prediction.batch.made.v1': { records: 4, bytes: 3000 },
    });
  });

  it('divides what a load added by the predictions it answered, largest first', () => {
    const before = parsePublished(page([10, 2500], [4, 3000]));
    const after = parsePublished(page([110, 52_500], [104, 103_000]));
    expect(perPrediction(before, after, 500)).toEqual([
      { topic: 'ml.prediction.batch.made.v1', records_per_prediction: 0.2, bytes_per_prediction: 200, bytes_per_record: 1000 },
      { topic: 'ml.prediction.batch.requested.v1', records_per_prediction: 0.2, bytes_per_prediction: 100, bytes_per_record: 500 },
    ]);
  });

  it('counts a topic first seen after the load from zero and leaves out topics the load did not touch', () => {
    const before = { 'ml.prediction.batch.requested.v1': { records: 10, bytes: 2500 } };
    const costs = perPrediction(before, parsePublished(page([10, 2500], [5, 2000])), 10);
    expect(costs).toEqual([{ topic: 'ml.prediction.batch.made.v1', records_per_prediction: 0.5, bytes_per_prediction: 200, bytes_per_record: 400 }]);
  });
});

describe('parseMemory', () => {
  const page = [
    'process_resident_memory_bytes 209715200',
    'nodejs_heap_size_total_bytes 104857600',
    'nodejs_heap_size_used_bytes 62914560',
    'nodejs_external_memory_bytes 20971520',
    'nodejs_heap_space_size_total_bytes{space="new"} 33554432',
    'nodejs_heap_space_size_total_bytes{space="old"} 62914560',
    'nodejs_heap_space_size_used_bytes{space="old"} 41943040',
  ].join('\n');

  it('splits the RSS into heap (per space), external and the rest', () => {
    expect(parseMemory(page)).toEqual({ rss: 200, heap_total: 100, heap_used: 60, heap_spaces: { new: 32, old: 60 }, external: 20, other: 80 });
  });

  it('refuses a page without the process metrics rather than report zeros', () => {
    expect(() => parseMemory('http_requests_total 5')).toThrow(/lacks the process and heap metrics/);
  });
});
