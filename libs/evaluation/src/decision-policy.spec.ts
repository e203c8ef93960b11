import { decide, type DecisionInput, type DecisionPolicyConfig } from './decision-policy';
import type { PairedComparison } from './paired-comparison';

const CONFIG: DecisionPolicyConfig = { autoPromote: true, autoRollback: true, minLabels: 30, alpha: 0.01, cooldownMs: 600_000 };
const comparison = (labeled: number, challengerOnly: number, incumbentOnly: number, pValue: number): PairedComparison => ({
  labeled,
  incumbentCorrect: labeled - challengerOnly,
  challengerCorrect: labeled - incumbentOnly,
  challengerOnly,
  incumbentOnly,
  incumbentAccuracy: (labeled - challengerOnly) / labeled,
  challengerAccuracy: (labeled - incumbentOnly) / labeled,
  pValue,
});
const base: DecisionInput = { now: 1_000_000, lastChangeAt: null, current: 2, previous: 1, challengers: [], previousComparison: null };

describe('decide', () => {
  it('rolls back when the previous version is significantly better on the latest labeled rows', () => {
    const d = decide({ ...base, previousComparison: comparison(40, 30, 0, 1.86e-9) }, CONFIG);
    expect(d).toMatchObject({ action: 'rollback', version: 1, incumbent: 2 });
    expect(d?.reason).toBe('version 1 beat current version 2 on the last 40 labeled rows (30 vs 0 discordant, McNemar p=1.86e-9)');
  });

  it('promotes the most significant challenger that beats the current version', () => {
    const d = decide(
      {
        ...base,
        challengers: [
          { version: 3, comparison: comparison(50, 12, 1, 0.003) },
          { version: 4, comparison: comparison(50, 20, 0, 1.9e-6) },
        ],
      },
      CONFIG,
    );
    expect(d).toMatchObject({ action: 'promote', version: 4, incumbent: 2 });
  });

  it.each([
    ['fewer labels than the minimum', { previousComparison: comparison(29, 29, 0, 3.7e-9) }],
    ['a p-value at alpha', { previousComparison: comparison(40, 9, 1, 0.0107) }],
    ['the previous version worse, however significant', { previousComparison: comparison(40, 0, 30, 1.86e-9) }],
    ['a change within the cool-down', { lastChangeAt: 1_000_000 - 599_999, previousComparison: comparison(40, 30, 0, 1.86e-9) }],
    ['a challenger that is the current version', { challengers: [{ version: 2, comparison: comparison(40, 30, 0, 1.86e-9) }] }],
  ])('decides nothing on %s', (_what, patch) => {
    expect(decide({ ...base, ...patch }, CONFIG)).toBeNull();
  });

  it('does only what the configuration allows', () => {
    const input = { ...base, previousComparison: comparison(40, 30, 0, 1.86e-9), challengers: [{ version: 3, comparison: comparison(40, 30, 0, 1.86e-9) }] };
    expect(decide(input, { ...CONFIG, autoRollback: false })?.action).toBe('promote');
    expect(decide(input, { ...CONFIG, autoRollback: false, autoPromote: false })).toBeNull();
  });
});
