import { replyPartitionFor } from './pinned-partition-assigner';

describe('replyPartitionFor', () => {
  // FNV-1a 32-bit of the published test vectors ("" 0x811c9dc5, "a" 0xe40c292c, "foobar" 0xbf9cf968)
  // and of pod-like names, computed with Python outside this code base.
  it.each([
    ['', 6, 0x811c9dc5 % 6],
    ['a', 6, 0xe40c292c % 6],
    ['foobar', 6, 0xbf9cf968 % 6],
    ['a', 7, 0xe40c292c % 7],
    ['gateway-0', 6, 0],
    ['gateway-1', 6, 5],
    ['gateway-2', 6, 4],
    ['gateway-3', 6, 3],
  ])('gives %j of %i partitions the FNV-1a hash modulo the count (%i)', (id, partitions, expected) => {
    expect(replyPartitionFor(id, partitions)).toBe(expected);
  });

  it('is the whole unsigned 32-bit hash when the modulus does not cut it', () => {
    expect(replyPartitionFor('foobar', 2 ** 32)).toBe(0xbf9cf968);
  });

  it('gives the same instance the same partition on every start, within the topic', () => {
    const ids = Array.from({ length: 200 }, (_, i) => `gateway-${i}`);
    const first = ids.map((id) => replyPartitionFor(id, 6));
    expect(ids.map((id) => replyPartitionFor(id, 6))).toEqual(first);
    expect(new Set(first)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });
});
