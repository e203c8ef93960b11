import { BrokerCircuit } from './broker-circuit';

describe('BrokerCircuit', () => {
  it('opens on a trip, probes at its interval, and closes when the probe answers', async () => {
    let reachable = false;
    const changes: string[] = [];
    const circuit = new BrokerCircuit(async () => (reachable ? undefined : Promise.reject(new Error('ECONNREFUSED'))), {
      probeIntervalMs: 20,
      probeTimeoutMs: 50,
      onChange: (open, reason) => changes.push(`${open ? 'open' : 'closed'}: ${reason}`),
    });
    expect(circuit.isOpen).toBe(false);
    circuit.trip('send timed out');
    circuit.trip('again');
    expect(circuit.isOpen).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(circuit.isOpen).toBe(true);
    reachable = true;
    await new Promise((r) => setTimeout(r, 100));
    expect(circuit.isOpen).toBe(false);
    expect(changes).toEqual(['open: send timed out', 'closed: broker answered the probe']);
    circuit.stop();
  });

  it('treats a probe that hangs (a frozen broker) as unreachable', async () => {
    let hang = true;
    const circuit = new BrokerCircuit(() => (hang ? new Promise(() => undefined) : Promise.resolve()), {
      probeIntervalMs: 10,
      probeTimeoutMs: 30,
      onChange: () => undefined,
    });
    circuit.trip('hung');
    await new Promise((r) => setTimeout(r, 120));
    expect(circuit.isOpen).toBe(true);
    hang = false;
    await new Promise((r) => setTimeout(r, 120));
    expect(circuit.isOpen).toBe(false);
    circuit.stop();
  });
});
