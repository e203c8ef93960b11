import { withDeadline } from './with-deadline';

export interface BrokerCircuitOptions {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  onChange: (open: boolean, reason: string) => void;
}

/**
 * Remembers that the broker is unreachable so callers fail at once instead of each waiting
 * out kafkajs' retries (seconds per request on a dead broker, longer on a hung one). While
 * open, a probe asks the broker for metadata at an interval and closes the circuit as soon as
 * it answers.
 */
export class BrokerCircuit {
  private open = false;
  private probing = false;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly options: BrokerCircuitOptions,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  trip(reason: string): void {
    if (this.open) return;
    this.open = true;
    this.options.onChange(true, reason);
    this.timer = setInterval(() => void this.tryClose(), this.options.probeIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async tryClose(): Promise<void> {
    if (this.probing || !this.open) return;
    this.probing = true;
    try {
      await withDeadline(this.probe(), this.options.probeTimeoutMs, 'broker probe');
      this.open = false;
      clearInterval(this.timer);
      this.options.onChange(false, 'broker answered the probe');
    } catch {
      // still unreachable; the next tick probes again
    } finally {
      this.probing = false;
    }
  }
}
