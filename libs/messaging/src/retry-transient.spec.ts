import { retryTransient } from './retry-transient';

const transient = () => Object.assign(new Error('This server is not the leader for that topic-partition'), { retriable: true });

describe('retryTransient', () => {
  it('rides out retriable errors and returns the eventual result', async () => {
    let calls = 0;
    const result = await retryTransient(
      async () => {
        if (++calls < 3) throw transient();
        return 'offsets';
      },
      5,
      1,
    );
    expect(result).toBe('offsets');
    expect(calls).toBe(3);
  });

  it('throws a non-retriable error at once', async () => {
    let calls = 0;
    const call = async () => {
      calls++;
      throw new Error('topic authorization failed');
    };
    await expect(retryTransient(call, 5, 1)).rejects.toThrow('topic authorization failed');
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt', async () => {
    let calls = 0;
    const call = async () => {
      calls++;
      throw transient();
    };
    await expect(retryTransient(call, 4, 1)).rejects.toThrow(/not the leader/);
    expect(calls).toBe(4);
  });
});
