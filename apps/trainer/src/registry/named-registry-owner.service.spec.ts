import type { ModelDecision, NamedModelRegistered, NamedModelRouting, RegistryCommand } from '@app/contracts';
import type { EventPublisher } from '@app/messaging';
import { JsonLogger } from '@app/observability';
import { NamedModels, NamedRoutings } from '@app/registry';
import { NamedRegistryOwner } from './named-registry-owner.service';

function record(version: number, status: NamedModelRegistered['status']): NamedModelRegistered {
  return {
    model_name: 'wine',
    version,
    status,
    status_reason: 'gate',
    parent_version: null,
    job_id: `job-${version}`,
    registered_at: `2026-01-01T00:00:0${version}.000Z`,
    deleted_at: null,
    schema: { label: 'class', features: [], reference: { dataset: 'wine.csv', label: 'class' } },
    model: {} as NamedModelRegistered['model'],
  };
}

const command = (
  action: RegistryCommand['action'],
  version: number | null,
  extra: Partial<RegistryCommand> = {},
): RegistryCommand & { model_name: string } => ({
  command_id: `c-${action}-${version}`,
  model_name: 'wine',
  action,
  version,
  percent: null,
  reason: '',
  source: 'manual',
  incumbent_version: null,
  evidence: null,
  ...extra,
});

function owner(cooldownSeconds = 0) {
  const models = new NamedModels();
  const routings = new NamedRoutings();
  const published: Array<{ topic: string; payload: unknown; key?: string }> = [];
  const publisher = { publish: async (topic: string, payload: unknown, o: { key?: string }) => void published.push({ topic, payload, key: o.key }) };
  const o = new NamedRegistryOwner(models, routings, publisher as unknown as EventPublisher, new JsonLogger('test', 'error', () => undefined), {
    LIVE_COOLDOWN_SECONDS: cooldownSeconds,
  });
  const decisions = () => published.filter((p) => p.topic === 'ml.model.decision.v1').map((p) => p.payload as ModelDecision);
  const records = () => published.filter((p) => p.topic === 'ml.models.registered.v1');
  const routes = () => published.filter((p) => p.topic === 'ml.models.routing.v1').map((p) => [p.key, p.payload as NamedModelRouting] as const);
  return { o, models, routings, decisions, records, routes };
}

describe('NamedRegistryOwner', () => {
  it('publishes a promoted candidate as current after its archived record, keyed name/version, and records the decision', async () => {
    const { o, models, decisions, records } = owner();
    await o.registerCandidate({ ...record(1, 'archived') }, true, 'passed', 'r');
    expect(records().map((r) => [r.key, (r.payload as NamedModelRegistered).status])).toEqual([
      ['wine/1', 'archived'],
      ['wine/1', 'current'],
    ]);
    expect(models.serving('wine')?.current()?.version).toBe(1);
    expect(decisions()).toEqual([expect.objectContaining({ model_name: 'wine', action: 'promote', outcome: 'applied', version: 1, previous_version: null })]);
  });

  it('promotes and rolls back by version, refuses rejected and unknown versions and actions it does not have', async () => {
    const { o, models, decisions } = owner();
    await o.registerCandidate(record(1, 'archived'), true, 'passed', 'r');
    await o.registerCandidate(record(2, 'archived'), true, 'passed', 'r');
    await o.registerCandidate({ ...record(3, 'rejected'), status_reason: 'regressed' }, false, 'regressed', 'r');
    expect(models.serving('wine')?.current()?.version).toBe(2);
    await o.apply(command('promote', 1), 'r');
    expect(models.serving('wine')?.current()?.version).toBe(1);
    expect(
      models
        .serving('wine')
        ?.list()
        .filter((r) => r.status === 'current'),
    ).toHaveLength(1);
    await o.apply(command('promote', 3), 'r');
    await o.apply(command('promote', 9), 'r');
    await o.apply(command('canary_start', 2), 'r');
    expect(
      decisions()
        .slice(-3)
        .map((d) => [d.outcome, d.reason]),
    ).toEqual([
      ['refused', 'version 3 of wine was rejected by the promotion gate: regressed'],
      ['refused', 'model wine has no version 9'],
      ['refused', 'percent must be in (0, 100]'],
    ]);
    expect(models.serving('wine')?.current()?.version).toBe(1);
  });

  it('archives every version with one time; a repeated archive completes one cut short; nothing else applies after', async () => {
    const { o, models, decisions, records } = owner();
    await o.registerCandidate(record(1, 'archived'), true, 'passed', 'r');
    await o.registerCandidate(record(2, 'rejected'), false, 'regressed', 'r');
    await o.apply(command('archive_model', null), 'r');
    const archived = records()
      .slice(-2)
      .map((r) => r.payload as NamedModelRegistered);
    expect(archived.map((r) => [r.version, r.status, r.deleted_at !== null])).toEqual([
      [1, 'archived', true],
      [2, 'rejected', true],
    ]);
    expect(new Set(archived.map((r) => r.deleted_at)).size).toBe(1);
    expect(models.serving('wine')).toBeUndefined();
    await o.apply(command('archive_model', null), 'r');
    expect(
      records()
        .slice(-2)
        .map((r) => (r.payload as NamedModelRegistered).deleted_at),
    ).toEqual(archived.map((r) => r.deleted_at));
    await o.apply(command('promote', 1), 'r');
    expect(decisions().at(-1)).toMatchObject({ outcome: 'refused', reason: 'model wine was deleted' });
  });

  it('routes per model: previous and since on every change, a canary until stopped or promoted, a rollback to the previous version', async () => {
    const { o, models, routings, decisions, routes } = owner();
    await o.registerCandidate(record(1, 'archived'), true, 'passed', 'r');
    await o.registerCandidate(record(2, 'archived'), true, 'passed', 'r');
    expect(routings.get('wine')).toMatchObject({ model_name: 'wine', current_version: 2, previous_version: 1, canary: null });
    expect(routes().every(([key]) => key === 'wine')).toBe(true);
    await o.apply(command('canary_start', 1, { percent: 25 }), 'r');
    expect(routings.get('wine')?.canary).toEqual({ version: 1, percent: 25 });
    await o.apply(command('canary_start', 2, { percent: 25 }), 'r');
    await o.apply(command('canary_start', 1, { percent: 0 }), 'r');
    expect(
      decisions()
        .slice(-2)
        .map((d) => d.reason),
    ).toEqual(['version 2 is the current version of wine', 'percent must be in (0, 100]']);
    // Promoting the canary ends it; the version it replaced is where a rollback goes.
    await o.apply(command('promote', 1), 'r');
    expect(routings.get('wine')).toMatchObject({ current_version: 1, previous_version: 2, canary: null });
    await o.apply(command('rollback', null), 'r');
    expect(models.serving('wine')?.current()?.version).toBe(2);
    expect(routings.get('wine')).toMatchObject({ current_version: 2, previous_version: 1 });
    await o.apply(command('canary_start', 1, { percent: 10 }), 'r');
    await o.apply(command('canary_stop', null), 'r');
    expect(routings.get('wine')?.canary).toBeNull();
    await o.apply(command('shadow_start', 2), 'r');
    await o.apply(command('shadow_start', 1), 'r');
    expect(routings.get('wine')?.shadow_version).toBe(1);
    await o.apply(command('shadow_stop', null), 'r');
    expect(routings.get('wine')?.shadow_version).toBeNull();
    // A shadow promoted stops being one.
    await o.apply(command('shadow_start', 1), 'r');
    await o.apply(command('promote', 1), 'r');
    expect(routings.get('wine')).toMatchObject({ current_version: 1, shadow_version: null });
    await o.apply(command('archive_model', null), 'r');
    expect(decisions().at(-1)).toMatchObject({ outcome: 'applied' });
  });

  it('refuses an automatic decision gathered against another current version or inside the cool-down', async () => {
    const { o, models, decisions } = owner(600);
    await o.registerCandidate(record(1, 'archived'), true, 'passed', 'r');
    await o.registerCandidate(record(2, 'archived'), true, 'passed', 'r');
    await o.apply(command('rollback', 1, { source: 'auto', incumbent_version: 1 }), 'r');
    await o.apply(command('rollback', 1, { source: 'auto', incumbent_version: 2 }), 'r');
    expect(
      decisions()
        .slice(-2)
        .map((d) => d.reason),
    ).toEqual([
      'the current version of wine is 2, not 1 the evidence was gathered against',
      'within the cool-down after the last change of the current version (LIVE_COOLDOWN_SECONDS)',
    ]);
    expect(models.serving('wine')?.current()?.version).toBe(2);
  });
});
