import { OffsetCommitter, type TopicPartitionOffset } from './offset-committer';

describe('OffsetCommitter', () => {
  it('commits the next offset to read per partition, newest handled batch only, once per flush', async () => {
    const commits: TopicPartitionOffset[][] = [];
    const committer = new OffsetCommitter(
      async (o) => void commits.push(o),
      () => undefined,
    );
    committer.handled('t', 0, '9');
    committer.handled('t', 0, '19');
    committer.handled('t', 3, '4');
    await committer.flush();
    await committer.flush();
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '20' },
        { topic: 't', partition: 3, offset: '5' },
      ],
    ]);
  });

  it('keeps a failed commit for the next flush unless a newer offset superseded it meanwhile', async () => {
    const commits: TopicPartitionOffset[][] = [];
    let fail = true;
    let duringCommit: () => void = () => undefined;
    const errors: string[] = [];
    const committer = new OffsetCommitter(
      async (o) => {
        duringCommit();
        if (fail) throw new Error('rebalance in progress');
        commits.push(o);
      },
      (err) => errors.push(err.message),
    );
    committer.handled('t', 0, '1');
    committer.handled('t', 1, '1');
    duringCommit = () => committer.handled('t', 1, '7');
    await committer.flush();
    duringCommit = () => undefined;
    fail = false;
    await committer.flush();
    expect(errors).toEqual(['rebalance in progress']);
    expect(commits).toEqual([
      [
        { topic: 't', partition: 1, offset: '8' },
        { topic: 't', partition: 0, offset: '2' },
      ],
    ]);
  });

  it('forgets offsets of partitions this member lost in a rebalance', async () => {
    const commits: TopicPartitionOffset[][] = [];
    const committer = new OffsetCommitter(
      async (o) => void commits.push(o),
      () => undefined,
    );
    committer.handled('t', 0, '5');
    committer.handled('t', 1, '5');
    committer.retain((_topic, partition) => partition === 1);
    await committer.stop();
    expect(commits).toEqual([[{ topic: 't', partition: 1, offset: '6' }]]);
  });

  it('commits where the group starts on a partition nothing was handled on yet', async () => {
    const commits: TopicPartitionOffset[][] = [];
    const committer = new OffsetCommitter(
      async (o) => void commits.push(o),
      () => undefined,
    );
    committer.startAt('t', 0, '42');
    await committer.flush();
    expect(commits).toEqual([[{ topic: 't', partition: 0, offset: '42' }]]);
  });

  it('never moves a partition back to its start once something on it was handled or committed', async () => {
    const commits: TopicPartitionOffset[][] = [];
    const committer = new OffsetCommitter(
      async (o) => void commits.push(o),
      () => undefined,
    );
    committer.handled('t', 0, '50');
    committer.startAt('t', 0, '42');
    await committer.flush();
    committer.startAt('t', 0, '42');
    committer.startAt('t', 1, '7');
    committer.handled('t', 1, '9');
    await committer.flush();
    expect(commits).toEqual([[{ topic: 't', partition: 0, offset: '51' }], [{ topic: 't', partition: 1, offset: '10' }]]);
  });

  it('tells where it got to on each partition until a commit takes it', async () => {
    let fail = true;
    const committer = new OffsetCommitter(
      async () => {
        if (fail) throw new Error('The coordinator is not aware of this member');
      },
      () => undefined,
    );
    committer.handled('t', 0, '4');
    committer.handled('t', 2, '9');
    await committer.flush();
    expect(committer.pendingOffsets()).toEqual([
      { topic: 't', partition: 0, offset: '5' },
      { topic: 't', partition: 2, offset: '10' },
    ]);
    fail = false;
    await committer.flush();
    expect(committer.pendingOffsets()).toEqual([]);
  });
});
