import type { INestApplication } from '@nestjs/common';
import { createBenchServer } from './servers';
import { VARIANTS, type Variant } from './variants';

const FLOWER = JSON.stringify({ sepal_length: 6.3, sepal_width: 3.3, petal_length: 6.0, petal_width: 2.5 });

async function ask(variant: Variant): Promise<{ status: number; body: string; headers: Headers }> {
  const app: INestApplication = await createBenchServer(variant, { LOG_LEVEL: 'warn' });
  try {
    await app.listen(0, '127.0.0.1');
    const url = await app.getUrl();
    const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'bench-1' }, body: FLOWER });
    return { status: res.status, body: await res.text(), headers: res.headers };
  } finally {
    await app.close();
  }
}

// The comparison is fair only if every variant does the same work: the same answer, and the hardened ones the chain's headers.
describe('bench:http servers', () => {
  it('answer the same prediction on every adapter', async () => {
    const answers = [];
    for (const v of VARIANTS) answers.push(await ask(v));
    for (const a of answers) expect(a.status).toBe(200);
    expect(JSON.parse(answers[0].body)).toMatchObject({ status: 'success', prediction: 'virginica', class_id: 2 });
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
  });

  it.each(['express-hardened', 'fastify-hardened'] as const)(
    '%s carries the security chain: request id, helmet headers, no-store, rate limit',
    async (variant) => {
      const { headers } = await ask(variant);
      expect(headers.get('x-request-id')).toBe('bench-1');
      expect(headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(headers.get('x-content-type-options')).toBe('nosniff');
      expect(headers.get('cache-control')).toBe('no-store');
      expect(headers.get('x-ratelimit-limit')).toBe('1000000000');
    },
  );

  it.each(['express', 'fastify'] as const)('%s is bare: none of the chain', async (variant) => {
    const { headers } = await ask(variant);
    expect(headers.get('content-security-policy')).toBeNull();
    expect(headers.get('x-ratelimit-limit')).toBeNull();
  });
});
