import { BrokerCircuit } from './broker-circuit';

// Fake timers: the probe interval and deadline are asserted tick by tick, not hoped for with sleeps.
describe('BrokerCircuit', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('opens on a trip, probes at its interval, and closes when the probe answers', async () => {
    let reachable = false;
    let probes = 0;
    const changes: string[] = [];
    const circuit = new BrokerCircuit(
      async () => {
        probes++;
        if (!reachable) throw new Error('ECONNREFUSED');
      },
      { probeIntervalMs: 20, probeTimeoutMs: 50, onChange: (open, reason) => changes.push(`${open ? 'open' : 'closed'}: ${reason}`) },
    );
    expect(circuit.isOpen).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    expect(probes).toBe(0);
    circuit.trip('send timed out');
    circuit.trip('again');
    expect([circuit.isOpen, probes]).toEqual([true, 0]);
    await jest.advanceTimersByTimeAsync(19);
    expect(probes).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect([circuit.isOpen, probes]).toEqual([true, 1]);
    await jest.advanceTimersByTimeAsync(80);
    expect([circuit.isOpen, probes]).toEqual([true, 5]);
    reachable = true;
    await jest.advanceTimersByTimeAsync(20);
    expect([circuit.isOpen, probes]).toEqual([false, 6]);
    await jest.advanceTimersByTimeAsync(100);
    expect(probes).toBe(6);
    expect(changes).toEqual(['open: send timed out', 'closed: broker answered the probe']);
    circuit.stop();
  });

  it('treats a probe that hangs (a frozen broker) as unreachable, and probes again only after its deadline', async () => {
    let hang = true;
    let probes = 0;
    const circuit = new BrokerCircuit(
      () => {
        probes++;
        return hang ? new Promise(() => undefined) : Promise.resolve();
      },
      { probeIntervalMs: 10, probeTimeoutMs: 30, onChange: () => undefined },
    );
    circuit.trip('hung');
    await jest.advanceTimersByTimeAsync(10);
    expect([circuit.isOpen, probes]).toEqual([true, 1]);
    // Ticks at 20 and 30 ms find the first probe still waiting: no second probe piles up behind it.
    await jest.advanceTimersByTimeAsync(20);
    expect([circuit.isOpen, probes]).toEqual([true, 1]);
    // Its deadline passes at 40 ms; the tick at 50 ms probes again.
    await jest.advanceTimersByTimeAsync(20);
    expect([circuit.isOpen, probes]).toEqual([true, 2]);
    hang = false;
    await jest.advanceTimersByTimeAsync(40);
    expect([circuit.isOpen, probes]).toEqual([false, 3]);
    circuit.stop();
  });
});
