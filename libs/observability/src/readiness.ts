export interface ReadinessCheck {
  name: string;
  check: () => boolean;
}

export type ReadinessDetail = Record<string, unknown>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, boolean>;
  /** State of optional dependencies (the trainer's MLflow mirror): shown, never a reason to be unready. */
  details?: Record<string, ReadinessDetail>;
}

/** Collects what each service considers "ready" (broker connected, model loaded, ...). */
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];
  private readonly details = new Map<string, () => ReadinessDetail>();

  register(name: string, check: () => boolean): void {
    this.checks.push({ name, check });
  }

  /** Reports the state of something the service works without: a failing one must not take the service out of rotation. */
  detail(name: string, describe: () => ReadinessDetail): void {
    this.details.set(name, describe);
  }

  evaluate(): ReadinessReport {
    const checks = Object.fromEntries(this.checks.map((c) => [c.name, safe(c.check, false)]));
    const report: ReadinessReport = { ready: Object.values(checks).every(Boolean), checks };
    if (this.details.size > 0) report.details = Object.fromEntries([...this.details].map(([name, d]) => [name, safe(d, { error: 'detail unavailable' })]));
    return report;
  }
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}
