import type { NamedModelRegistered } from '@app/contracts';
import { NamedModels } from './named-models';

const record = (model_name: string, version: number, status: NamedModelRegistered['status'], deleted_at: string | null = null): NamedModelRegistered =>
  ({
    model_name,
    version,
    status,
    status_reason: 'test',
    parent_version: null,
    job_id: `${model_name}-${version}`,
    registered_at: `2026-01-0${version}T00:00:00.000Z`,
    deleted_at,
    schema: { label: 'class', features: [{ name: 'x', min: 0, max: 1 }], reference: { dataset: 'x.csv', label: 'class' } },
    model: {} as NamedModelRegistered['model'],
  }) as NamedModelRegistered;

describe('NamedModels', () => {
  it('keeps a registry per model: version numbers and current versions never mix', () => {
    const m = new NamedModels();
    m.apply(record('wine', 1, 'current'));
    m.apply(record('cancer', 1, 'archived'));
    m.apply(record('cancer', 2, 'current'));
    expect(m.names()).toEqual(['cancer', 'wine']);
    expect(m.serving('wine')?.current()?.version).toBe(1);
    expect(m.serving('cancer')?.current()?.version).toBe(2);
    expect(m.version('wine', 2)).toBeUndefined();
    expect(m.registry('cancer')?.nextVersion()).toBe(3);
    expect(m.registry('beer')).toBeUndefined();
  });

  it('takes a model out of service as soon as any of its versions is archived by DELETE (an archive cut short serves nothing)', () => {
    const m = new NamedModels();
    m.apply(record('wine', 1, 'archived'));
    m.apply(record('wine', 2, 'current'));
    m.apply(record('wine', 1, 'archived', '2026-02-01T00:00:00.000Z'));
    expect(m.archivedAt('wine')).toBe('2026-02-01T00:00:00.000Z');
    expect(m.serving('wine')).toBeUndefined();
    expect(m.version('wine', 2)).toBeUndefined();
    // Still known: the name stays taken and GET /models/{name} shows it archived.
    expect(m.registry('wine')?.list()).toHaveLength(2);
  });
});

describe('NamedModels without baselines', () => {
  it('drops each version’s drift baselines and keeps everything else', () => {
    const m = new NamedModels({ baselines: false });
    const r = record('wine', 1, 'current');
    const baselines = [{ feature: 'x', count: 1, mean: 0, std: 0, min: 0, max: 0, binEdges: [0, 1], binCounts: [1] }];
    m.apply({ ...r, model: { ...r.model, version: 1, baselines } });
    expect(m.serving('wine')?.current()?.model).toEqual({ version: 1, baselines: [] });
    expect(r.model).toEqual({});
    const keeping = new NamedModels();
    keeping.apply({ ...r, model: { ...r.model, baselines } });
    expect(keeping.serving('wine')?.current()?.model.baselines).toBe(baselines);
  });
});
