import { MembershipWatch, isMembershipError } from './membership-watch';

const refused = (type: string) => Object.assign(new Error('The coordinator is not aware of this member'), { type });

describe('MembershipWatch', () => {
  it('counts a consumer stuck once commits have been refused as from an unknown member for the whole grace', () => {
    const watch = new MembershipWatch(10_000);
    watch.commitFailed(1_000, refused('UNKNOWN_MEMBER_ID'));
    watch.commitFailed(6_000, refused('UNKNOWN_MEMBER_ID'));
    expect(watch.stuck(10_999)).toBeUndefined();
    expect(watch.stuck(11_000)).toBe('commit refused: The coordinator is not aware of this member (out of its group for 10 s)');
  });

  it('forgives a refusal once the consumer joins again or a commit is accepted', () => {
    const watch = new MembershipWatch(10_000);
    watch.commitFailed(1_000, refused('ILLEGAL_GENERATION'));
    watch.member();
    expect(watch.stuck(60_000)).toBeUndefined();
    watch.commitFailed(70_000, refused('UNKNOWN_MEMBER_ID'));
    expect(watch.stuck(79_999)).toBeUndefined();
    expect(watch.stuck(80_000)).toMatch(/out of its group for 10 s/);
  });

  it('ignores commit failures that say nothing about membership (a rebalance in progress, a broker away)', () => {
    const watch = new MembershipWatch(10_000);
    watch.commitFailed(0, refused('REBALANCE_IN_PROGRESS'));
    watch.commitFailed(0, new Error('Connection error: connect ECONNREFUSED'));
    expect(watch.stuck(60_000)).toBeUndefined();
  });

  it('counts a crashed consumer stuck when no join follows within the grace', () => {
    const watch = new MembershipWatch(30_000);
    watch.crashed(0, 'No broker available');
    watch.crashed(20_000, 'Connection error');
    expect(watch.stuck(29_999)).toBeUndefined();
    expect(watch.stuck(30_000)).toBe('crashed: No broker available (out of its group for 30 s)');
  });

  it('knows the coordinator errors that refuse a membership', () => {
    expect(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID'].every((t) => isMembershipError(refused(t)))).toBe(true);
    expect(isMembershipError(refused('NOT_COORDINATOR'))).toBe(false);
    expect(isMembershipError(undefined)).toBe(false);
  });
});
