/**
 * Passes a repeated log line at most once per interval, then says how many were held back.
 * kafkajs logs every retry of every connection: a broker outage would otherwise write
 * thousands of identical lines a minute.
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Undefined to drop the line; else how many identical lines were dropped since the last one passed. */
  admit(key: string): number | undefined {
    const t = this.now();
    const seen = this.last.get(key);
    if (seen && t - seen.at < this.intervalMs) {
      seen.suppressed++;
      return undefined;
    }
    this.last.set(key, { at: t, suppressed: 0 });
    if (this.last.size > 1000) this.last.delete(this.last.keys().next().value!);
    return seen?.suppressed ?? 0;
  }
}
