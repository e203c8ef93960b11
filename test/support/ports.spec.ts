import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { testPort } from './ports';

const TEST_DIR = join(__dirname, '..');

function e2eSpecs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? e2eSpecs(join(dir, e.name)) : e.name.endsWith('.e2e-spec.ts') ? [join(dir, e.name)] : [],
  );
}

const sources = e2eSpecs(TEST_DIR).map((file) => ({ spec: relative(TEST_DIR, file), text: readFileSync(file, 'utf8') }));

describe('e2e ports', () => {
  it('gives each spec its own blocks of ten offsets from E2E_PORT_BASE', () => {
    const owners = new Map<number, Set<string>>();
    for (const { spec, text } of sources) {
      for (const m of text.matchAll(/testPort\((\d+)\)/g)) {
        const block = Math.floor(Number(m[1]) / 10);
        owners.set(block, (owners.get(block) ?? new Set()).add(spec));
      }
    }
    expect(owners.size).toBeGreaterThan(5);
    const shared = [...owners]
      .filter(([, specs]) => specs.size > 1)
      .map(([block, specs]) => `offsets ${block * 10}-${block * 10 + 9}: ${[...specs].join(', ')}`);
    expect(shared).toEqual([]);
  });

  it('asks only for offsets testPort accepts, so no spec fails at its start', () => {
    const outOfRange = sources.flatMap(({ spec, text }) =>
      [...text.matchAll(/testPort\((\d+)\)/g)].flatMap((m) => {
        try {
          testPort(Number(m[1]));
          return [];
        } catch {
          return [`${spec}: ${m[0]}`];
        }
      }),
    );
    expect(outOfRange).toEqual([]);
  });

  it('starts no service on a fixed port, which E2E_PORT_BASE could not move', () => {
    const fixed = sources.flatMap(({ spec, text }) =>
      [...text.matchAll(/ServiceProcess\.start\([^,]+,\s*'[a-z-]+',\s*(\d+)|GRPC_PORT: '([1-9]\d*)'/g)].map((m) => `${spec}: ${m[0]}`),
    );
    expect(fixed).toEqual([]);
  });

  it('moves every port with E2E_PORT_BASE and refuses a base or offset out of range', () => {
    const before = process.env.E2E_PORT_BASE;
    try {
      process.env.E2E_PORT_BASE = '5400';
      expect([testPort(0), testPort(129)]).toEqual([5400, 5529]);
      expect(() => testPort(130)).toThrow('port offset must be 0..129, got 130');
      process.env.E2E_PORT_BASE = '80';
      expect(() => testPort(1)).toThrow('E2E_PORT_BASE must be an integer from 1024 to 65406, got "80"');
    } finally {
      if (before === undefined) delete process.env.E2E_PORT_BASE;
      else process.env.E2E_PORT_BASE = before;
    }
  });
});
