/** Offsets used by the specs that take their ports from here; each spec owns its blocks of ten (ports.spec.ts checks). */
const MAX_OFFSET = 129;

/**
 * A service port for an e2e spec: E2E_PORT_BASE (default 3400) plus the spec's fixed offset, so
 * two checkouts on one machine run their suites side by side with different bases.
 */
export function testPort(offset: number): number {
  const raw = process.env.E2E_PORT_BASE ?? '3400';
  const base = Number(raw);
  if (!/^\d+$/.test(raw) || base < 1024 || base + MAX_OFFSET > 65535) {
    throw new Error(`E2E_PORT_BASE must be an integer from 1024 to ${65535 - MAX_OFFSET}, got "${raw}"`);
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) throw new RangeError(`port offset must be 0..${MAX_OFFSET}, got ${offset}`);
  return base + offset;
}
