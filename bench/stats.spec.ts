import { median, percentile, SampleBuffer, summarizeLatencies } from './stats';

describe('percentile (nearest rank)', () => {
  const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('returns the smallest value with at least p% of the samples at or below it', () => {
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 90)).toBe(9);
    expect(percentile(sorted, 91)).toBe(10);
    expect(percentile(sorted, 99)).toBe(10);
    expect(percentile(sorted, 100)).toBe(10);
    expect(percentile(sorted, 0)).toBe(1);
  });

  it('is NaN for no samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('median', () => {
  it('takes the middle value of an odd count, unsorted input', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('averages the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is NaN for no values', () => {
    expect(median([])).toBeNaN();
  });
});

describe('summarizeLatencies', () => {
  it('gives exact p50/p90/p99/max of unsorted samples, keeping sub-millisecond values', () => {
    const samples = Array.from({ length: 200 }, (_, i) => (200 - i) / 100); // 2.00 … 0.01
    expect(summarizeLatencies(samples)).toEqual({ n: 200, p50_ms: 1, p90_ms: 1.8, p99_ms: 1.98, max_ms: 2 });
  });

  it('is NaN throughout for no samples', () => {
    expect(summarizeLatencies([])).toEqual({ n: 0, p50_ms: NaN, p90_ms: NaN, p99_ms: NaN, max_ms: NaN });
  });
});

describe('SampleBuffer', () => {
  it('keeps every pushed value in order past its initial capacity', () => {
    const buf = new SampleBuffer();
    for (let i = 0; i < 10_000; i++) buf.push(i * 0.5);
    expect(buf.length).toBe(10_000);
    expect(buf.values()[0]).toBe(0);
    expect(buf.values()[9_999]).toBe(4_999.5);
    expect(buf.values().length).toBe(10_000);
  });
});
