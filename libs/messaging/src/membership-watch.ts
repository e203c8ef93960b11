/**
 * Errors with which a group coordinator refuses a commit from a member it no longer counts in
 * the group's current generation: whatever this member handles from then on is handled again by
 * the partition's next owner.
 */
const MEMBERSHIP_ERRORS = new Set(['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'FENCED_INSTANCE_ID']);

export function isMembershipError(err: unknown): boolean {
  const type = (err as { type?: unknown })?.type;
  return typeof type === 'string' && MEMBERSHIP_ERRORS.has(type);
}

/**
 * Whether a consumer still belongs to its group. kafkajs normally rejoins by itself (its next
 * heartbeat is refused, or a crashed consumer restarts), but after a broker froze it was seen to
 * keep fetching with every commit refused as from an unknown member, or to stay gone after a
 * restart, for minutes and without a word: the fault suite's graceful worker stop then found 181
 * requests scored twice, the commits of four minutes lost. Such a consumer is stuck once it has
 * been out of the group longer than `graceMs` without kafkajs bringing it back.
 */
export class MembershipWatch {
  private outSince?: number;
  private reason?: string;

  constructor(private readonly graceMs: number) {}

  /** kafkajs reported the consumer crashed (it restarts it, and the restart may never join). */
  crashed(now: number, reason: string): void {
    this.leave(now, `crashed: ${reason}`);
  }

  /** A commit failed; only a refusal of the membership itself counts. */
  commitFailed(now: number, err: unknown): void {
    if (isMembershipError(err)) this.leave(now, `commit refused: ${(err as Error).message}`);
  }

  /** The consumer joined its group, or the coordinator accepted a commit from it. */
  member(): void {
    this.outSince = undefined;
    this.reason = undefined;
  }

  /** Why the consumer counts as stuck, or undefined while it is in its group or within the grace. */
  stuck(now: number): string | undefined {
    if (this.outSince === undefined || now - this.outSince < this.graceMs) return undefined;
    return `${this.reason} (out of its group for ${Math.round((now - this.outSince) / 1000)} s)`;
  }

  private leave(now: number, reason: string): void {
    this.outSince ??= now;
    this.reason ??= reason;
  }
}
