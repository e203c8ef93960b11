import type { ModelRegistered } from '@app/contracts';
import { ModelRegistry } from './model-registry';

const record = (version: number, status: ModelRegistered['status'], at = '2026-01-01T00:00:00.000Z'): ModelRegistered =>
  ({
    version,
    status,
    status_reason: 'test',
    parent_version: version > 1 ? version - 1 : null,
    job_id: `job-${version}`,
    registered_at: at,
    model: {} as ModelRegistered['model'],
  }) as ModelRegistered;

describe('ModelRegistry', () => {
  it('keeps the newest record per version and lists versions in order', () => {
    const r = new ModelRegistry();
    r.apply(record(2, 'rejected'));
    r.apply(record(1, 'current'));
    r.apply(record(1, 'archived', '2026-01-02T00:00:00.000Z'));
    expect(r.list().map((m) => [m.version, m.status])).toEqual([
      [1, 'archived'],
      [2, 'rejected'],
    ]);
    expect(r.current()).toBeUndefined();
    expect(r.nextVersion()).toBe(3);
  });

  it('lists exactly one current version between the two records of a promotion', () => {
    const r = new ModelRegistry();
    r.apply(record(10, 'current'));
    r.apply(record(11, 'archived'));
    const [promoted, archived] = r.promotion(11, 'retrain', new Date('2026-02-01T00:00:00.000Z'));
    r.apply(promoted);
    // The old current's archive record has not arrived: its raw record still claims current.
    expect(
      r
        .list()
        .filter((m) => m.status === 'current')
        .map((m) => m.version),
    ).toEqual([10, 11]);
    expect(r.listAsServed().map((m) => [m.version, m.status, m.status_reason])).toEqual([
      [10, 'archived', 'superseded by version 11'],
      [11, 'current', 'retrain'],
    ]);
    r.apply(archived);
    expect(r.listAsServed()).toEqual(r.list());
  });

  it('promotes an archived version back and archives the current one', () => {
    const r = new ModelRegistry();
    r.apply(record(1, 'archived'));
    r.apply(record(2, 'current'));
    const records = r.promotion(1, 'rollback', new Date('2026-02-01T00:00:00.000Z'));
    expect(records.map((m) => [m.version, m.status, m.registered_at])).toEqual([
      [1, 'current', '2026-02-01T00:00:00.001Z'],
      [2, 'archived', '2026-02-01T00:00:00.000Z'],
    ]);
    records.forEach((m) => r.apply(m));
    expect(r.current()?.version).toBe(1);
  });

  it('reads the intended version as current at every step, should the writer die between the records', () => {
    const r = new ModelRegistry();
    r.apply(record(1, 'archived'));
    r.apply(record(2, 'current'));
    const [first] = r.promotion(1, 'rollback', new Date('2026-02-01T00:00:00.000Z'));
    r.apply(first);
    // Only the first record made it: two records say current, the newer one wins, never none.
    expect(
      r
        .list()
        .filter((m) => m.status === 'current')
        .map((m) => m.version),
    ).toEqual([1, 2]);
    expect(r.current()?.version).toBe(1);
  });

  it('refuses to promote a rejected or unknown version', () => {
    const r = new ModelRegistry();
    r.apply(record(1, 'current'));
    r.apply(record(2, 'rejected'));
    expect(() => r.promotion(2, 'x', new Date())).toThrow(/rejected/);
    expect(() => r.promotion(9, 'x', new Date())).toThrow(/does not exist/);
  });
});
