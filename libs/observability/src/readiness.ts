export interface ReadinessCheck {
  name: string;
  check: () => boolean;
}

/** Collects what each service considers "ready" (broker connected, model loaded, ...). */
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];

  register(name: string, check: () => boolean): void {
    this.checks.push({ name, check });
  }

  evaluate(): { ready: boolean; checks: Record<string, boolean> } {
    const checks = Object.fromEntries(this.checks.map((c) => [c.name, safe(c.check)]));
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}

function safe(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
