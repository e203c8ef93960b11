interface Entry<V> {
  value: V;
  seq: number;
}

/**
 * A map that gives up its oldest entry in constant time, for caches bounded by count or weight.
 *
 * A plain Map evicted with `map.delete(map.keys().next().value)` is quadratic in disguise: V8
 * leaves a deleted entry's slot in place until the table is rebuilt, and every `keys().next()`
 * walks the deleted slots at the front first: with 20,000 entries that was a quarter of the
 * monitor's CPU under load (`npm run bench:profile`). Here the insertion order is
 * kept in an array of (key, sequence) beside the map, read from a moving head; entries deleted
 * or set again leave stale slots that the head skips and that are dropped in bulk.
 */
export class OldestFirst<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private order: Array<{ key: K; seq: number }> = [];
  private head = 0;
  private seq = 0;

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Adds the entry as the newest, replacing (and renewing) one under the same key. */
  set(key: K, value: V): void {
    const seq = ++this.seq;
    this.entries.set(key, { value, seq });
    this.order.push({ key, seq });
    this.compact();
  }

  delete(key: K): boolean {
    const deleted = this.entries.delete(key);
    if (deleted) this.compact();
    return deleted;
  }

  /** The oldest entry still held. */
  oldest(): [K, V] | undefined {
    while (this.head < this.order.length) {
      const { key, seq } = this.order[this.head];
      const entry = this.entries.get(key);
      if (entry?.seq === seq) return [key, entry.value];
      this.head++;
    }
    return undefined;
  }

  /** Removes and returns the oldest entry. */
  shift(): [K, V] | undefined {
    const oldest = this.oldest();
    if (oldest) {
      this.entries.delete(oldest[0]);
      this.head++;
      this.compact();
    }
    return oldest;
  }

  /** Stale slots (skipped, deleted or renewed entries) never outnumber live ones by much. */
  private compact(): void {
    if (this.order.length - this.head <= 2 * this.entries.size + 64) {
      if (this.head > 1024 && this.head * 2 > this.order.length) {
        this.order = this.order.slice(this.head);
        this.head = 0;
      }
      return;
    }
    this.order = this.order.slice(this.head).filter(({ key, seq }) => this.entries.get(key)?.seq === seq);
    this.head = 0;
  }
}
