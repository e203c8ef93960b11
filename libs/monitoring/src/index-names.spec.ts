import { INDEX_KINDS, indexName, indexPattern } from './index-names';

describe('indexName', () => {
  it('names a daily index by the UTC day of the timestamp', () => {
    expect(indexName('mlops', 'predictions', new Date('2026-03-04T23:59:59Z'))).toBe('mlops-predictions-2026.03.04');
    expect(indexName('mlops', 'predictions', new Date('2026-03-05T00:00:00Z'))).toBe('mlops-predictions-2026.03.05');
  });

  it('uses the UTC day even for a timestamp written with an offset', () => {
    expect(indexName('mlops', 'drift', new Date('2026-03-04T23:30:00-02:00'))).toBe('mlops-drift-2026.03.05');
  });

  it('is matched by the pattern of its kind', () => {
    for (const kind of INDEX_KINDS) {
      const pattern = new RegExp(`^${indexPattern('mlops', kind).replace('*', '.*')}$`);
      expect(indexName('mlops', kind, new Date('2026-01-31T10:00:00Z'))).toMatch(pattern);
    }
    expect(indexPattern('mlops', 'stats')).toBe('mlops-stats-*');
  });
});
