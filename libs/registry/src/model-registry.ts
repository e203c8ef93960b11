import type { ModelRegistered } from '@app/contracts';

/**
 * The registry as a fold over ModelRegistered records (a compacted topic keyed by version):
 * any service can rebuild it by replaying the topic, so no service owns a database.
 */
export class ModelRegistry<R extends ModelRegistered = ModelRegistered> {
  private readonly versions = new Map<number, R>();

  apply(record: R): void {
    this.versions.set(record.version, record);
  }

  get(version: number): R | undefined {
    return this.versions.get(version);
  }

  list(): R[] {
    return [...this.versions.values()].sort((a, b) => a.version - b.version);
  }

  /**
   * The versions as they serve: exactly one current. Between the two records of a promotion (the
   * new current first, then the old one archived) the old one still claims current; it shows as
   * what its next record will say, so a reader polling the registry never sees two.
   */
  listAsServed(): R[] {
    const current = this.current();
    return this.list().map((r) =>
      r.status === 'current' && current && r.version !== current.version
        ? { ...r, status: 'archived' as const, status_reason: `superseded by version ${current.version}` }
        : r,
    );
  }

  /** The version a retrain job registered, if it got that far (a job re-run after a crash keeps it). */
  versionOfJob(jobId: string): number | undefined {
    return this.list().find((r) => r.job_id === jobId)?.version;
  }

  /** The newest record marked current; during a promotion two may briefly claim it. */
  current(): R | undefined {
    return this.list()
      .filter((r) => r.status === 'current')
      .sort((a, b) => Date.parse(b.registered_at) - Date.parse(a.registered_at) || b.version - a.version)[0];
  }

  nextVersion(): number {
    return Math.max(0, ...this.versions.keys()) + 1;
  }

  /**
   * Records that make `version` current, in the order to publish them: the new current first,
   * stamped a millisecond after the previous current's archive record, so that at every step
   * of the sequence (a writer may die between two records) exactly the intended version reads
   * as current and never none. Rejected versions cannot be promoted: they failed the gate.
   */
  promotion(version: number, reason: string, at: Date): R[] {
    const target = this.versions.get(version);
    if (!target) throw new RangeError(`model version ${version} does not exist`);
    if (target.status === 'rejected') throw new RangeError(`model version ${version} was rejected by the promotion gate: ${target.status_reason}`);
    const previous = this.current();
    const records: R[] = [{ ...target, status: 'current', status_reason: reason, registered_at: new Date(at.getTime() + 1).toISOString() }];
    if (previous && previous.version !== version) {
      records.push({ ...previous, status: 'archived', status_reason: `superseded by version ${version}`, registered_at: at.toISOString() });
    }
    return records;
  }
}
