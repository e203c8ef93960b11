import type { NamedModelRegistered } from '@app/contracts';
import { fitGaussianNB } from '@app/model';
import { NamedModels } from './named-models';
import { NAMED_SCORERS_KEPT, NamedScorers } from './named-scorers';

const params = fitGaussianNB({
  featureNames: ['a', 'b'],
  classNames: ['no', 'yes'],
  X: [
    [0, 0],
    [0.1, 0.2],
    [1, 1],
    [0.9, 1.1],
  ],
  y: [0, 0, 1, 1],
});

function record(model_name: string, version: number, status: NamedModelRegistered['status']): NamedModelRegistered {
  return {
    model_name,
    version,
    status,
    status_reason: '',
    parent_version: null,
    job_id: `${model_name}-${version}`,
    registered_at: `2026-01-01T00:00:0${version}.000Z`,
    deleted_at: null,
    schema: { label: 'y', features: [], reference: { dataset: 'x.csv', label: 'y' } },
    model: { version, params } as unknown as NamedModelRegistered['model'],
  };
}

describe('NamedScorers', () => {
  it('scores rows by feature name with the current version, or with a named one (a rejected candidate included)', () => {
    const models = new NamedModels();
    models.apply(record('m', 1, 'current'));
    models.apply(record('m', 2, 'rejected'));
    const scorers = new NamedScorers(models);
    const current = scorers.get('m')!;
    expect(current.version).toBe(1);
    // Keys in any order: the scorer reads them by name.
    const answer = current.score({ b: 1, a: 1 });
    expect(answer.prediction).toBe('yes');
    expect(answer.probabilities.no + answer.probabilities.yes).toBeCloseTo(1, 12);
    expect(scorers.get('m', 2)?.version).toBe(2);
    expect(scorers.get('m', 3)).toBeUndefined();
    expect(scorers.get('other')).toBeUndefined();
  });

  it(`keeps at most ${NAMED_SCORERS_KEPT} compiled versions, dropping the least recently used, and compiles a dropped one again on use`, () => {
    const models = new NamedModels();
    for (let i = 0; i <= NAMED_SCORERS_KEPT; i++) models.apply(record(`m${i}`, 1, 'current'));
    const scorers = new NamedScorers(models);
    const first = scorers.get('m0')!;
    for (let i = 1; i < NAMED_SCORERS_KEPT; i++) scorers.get(`m${i}`);
    expect(scorers.size).toBe(NAMED_SCORERS_KEPT);
    expect(scorers.get('m0')).toBe(first); // a hit refreshes m0
    scorers.get(`m${NAMED_SCORERS_KEPT}`); // evicts m1, the least recently used
    expect(scorers.size).toBe(NAMED_SCORERS_KEPT);
    expect(scorers.get('m0')).toBe(first);
    const again = scorers.get('m1')!;
    expect(again.model).toBe('m1');
    expect(scorers.size).toBe(NAMED_SCORERS_KEPT);
  });

  it('serves nothing of an archived model', () => {
    const models = new NamedModels();
    models.apply(record('m', 1, 'current'));
    const scorers = new NamedScorers(models);
    expect(scorers.get('m')).toBeDefined();
    models.apply({ ...record('m', 1, 'archived'), deleted_at: '2026-02-01T00:00:00.000Z' });
    expect(scorers.get('m')).toBeUndefined();
    expect(scorers.get('m', 1)).toBeUndefined();
  });
});
