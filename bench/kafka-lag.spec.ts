import { topicLag } from './kafka-lag';

describe('topicLag', () => {
  const ends = [
    { partition: 0, low: '0', high: '100' },
    { partition: 1, low: '40', high: '50' },
    { partition: 2, low: '7', high: '7' },
  ];

  it('sums, over partitions, the end offset minus the committed offset', () => {
    expect(
      topicLag(ends, [
        { partition: 0, offset: '90' },
        { partition: 1, offset: '50' },
        { partition: 2, offset: '7' },
      ]),
    ).toBe(10);
  });

  it('counts a partition without a commit (-1) from its low watermark', () => {
    expect(
      topicLag(ends, [
        { partition: 0, offset: '-1' },
        { partition: 1, offset: '-1' },
      ]),
    ).toBe(100 + 10);
  });

  it('is 0 when every partition is committed at its end', () => {
    expect(
      topicLag(ends, [
        { partition: 0, offset: '100' },
        { partition: 1, offset: '50' },
        { partition: 2, offset: '7' },
      ]),
    ).toBe(0);
  });
});
