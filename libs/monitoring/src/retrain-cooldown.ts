/** Rate limit for drift-triggered retraining: drift that persists must not start a retrain per check. */
export class RetrainCooldown {
  private last = -Infinity;

  constructor(private readonly cooldownMs: number) {}

  tryAcquire(now: number): boolean {
    if (now - this.last < this.cooldownMs) return false;
    this.last = now;
    return true;
  }
}
