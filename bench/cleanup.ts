/**
 * What the bench started, stopped in reverse order on success, failure or Ctrl-C. A second Ctrl-C
 * while stopping gives up and exits at once.
 */
export class Cleanup {
  private readonly steps: Array<{ name: string; run: () => Promise<void> }> = [];
  private running: Promise<void> | null = null;

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  /** Runs (and forgets) one registered step now, e.g. to stop the stack before the embedded run. */
  async runOne(name: string): Promise<void> {
    const i = this.steps.findIndex((s) => s.name === name);
    if (i < 0) return;
    const [step] = this.steps.splice(i, 1);
    await step.run();
  }

  runAll(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (err) {
          console.error(`[bench] stopping ${step.name} failed: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  onSignals(): void {
    let interrupted = false;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (interrupted) process.exit(130);
        interrupted = true;
        console.error(`[bench] ${signal}: stopping everything the bench started (again to exit at once)`);
        void this.runAll().finally(() => process.exit(130));
      });
    }
  }
}
