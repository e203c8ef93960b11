import { metricsRegistry } from './metrics';

describe('metricsRegistry', () => {
  it('does not expose the Node.js version (any prediction key may read /metrics)', async () => {
    const text = await metricsRegistry.metrics();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).not.toContain('nodejs_version_info');
    expect(text).not.toContain(process.version);
  });
});
