/** The newest `capacity` items, oldest evicted first: the rows a rollback is judged on. */
export class LabeledWindow<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length - this.start > this.capacity) this.start++;
    // Compact now and then so the array does not keep evicted items alive.
    if (this.start > 1024 && this.start * 2 > this.items.length) {
      this.items.splice(0, this.start);
      this.start = 0;
    }
  }

  values(): T[] {
    return this.items.slice(this.start);
  }

  get size(): number {
    return this.items.length - this.start;
  }
}
