import { clientGroup } from './client-address';

/** Addresses tracked at most; past this the least recently failing one is forgotten first. */
const MAX_TRACKED = 10_000;

/**
 * Wrong API keys by client address (clientGroup). Once an address has presented `limit` wrong
 * keys within a window of `windowMs` from its first, it may present no key at all, right or
 * wrong, until that window ends: a guess that happens to be right must fail too, or the limit
 * would not slow guessing down. A limit of 0 turns this off. The clock is passed in, for tests.
 */
export class AuthFailures {
  private readonly byAddress = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds this address must wait before its keys are looked at again; 0 when they are now. */
  retryAfterSeconds(address: string | undefined): number {
    const entry = this.current(clientGroup(address));
    if (!entry || entry.count < this.limit) return 0;
    return Math.max(1, Math.ceil((entry.since + this.windowMs - this.now()) / 1000));
  }

  record(address: string | undefined): void {
    if (this.limit === 0) return;
    const group = clientGroup(address);
    const entry = this.current(group) ?? { count: 0, since: this.now() };
    entry.count++;
    // Re-inserted, so the Map's order is least recently failing first.
    this.byAddress.delete(group);
    this.byAddress.set(group, entry);
    if (this.byAddress.size > MAX_TRACKED) this.byAddress.delete(this.byAddress.keys().next().value!);
  }

  private current(group: string): { count: number; since: number } | undefined {
    const entry = this.byAddress.get(group);
    if (entry && this.now() - entry.since >= this.windowMs) {
      this.byAddress.delete(group);
      return undefined;
    }
    return entry;
  }
}
