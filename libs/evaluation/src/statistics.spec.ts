import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mcnemarExact, wilsonInterval } from './statistics';

describe('wilsonInterval', () => {
  it('matches the textbook values (e.g. statsmodels proportion_confint method=wilson)', () => {
    // 81 of 263: (0.2553, 0.3662); 10 of 10: (0.7225, 1.0); 0 of 20: (0.0, 0.1611).
    const round = (v: [number, number] | null) => v?.map((x) => Math.round(x * 1e4) / 1e4);
    expect(round(wilsonInterval(81, 263))).toEqual([0.2553, 0.3662]);
    expect(round(wilsonInterval(10, 10))).toEqual([0.7225, 1]);
    expect(round(wilsonInterval(0, 20))).toEqual([0, 0.1611]);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('mcnemarExact', () => {
  it('equals scipy.stats.binomtest(min(b, c), b + c, 0.5) two-sided on a grid', () => {
    const cases = [
      [0, 0],
      [0, 6],
      [1, 9],
      [3, 12],
      [10, 10],
      [25, 60],
      [0, 30],
      [200, 260],
    ];
    // scripts/test-prereqs.sh puts scikit-learn (and with it scipy) in this venv when the system Python lacks it.
    const venv = join(__dirname, '..', '..', '..', '.tools', 'venv', 'bin', 'python');
    const python = existsSync(venv) ? venv : 'python3';
    const script = `import json,sys
from scipy.stats import binomtest
out=[]
for b,c in json.loads(sys.argv[1]):
    out.append(1.0 if b+c==0 else binomtest(min(b,c), b+c, 0.5).pvalue)
print(json.dumps(out))`;
    const run = spawnSync(python, ['-c', script, JSON.stringify(cases)], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const expected = JSON.parse(run.stdout) as number[];
    cases.forEach(([b, c], i) => expect(mcnemarExact(b, c)).toBeCloseTo(expected[i], 12));
    expect(mcnemarExact(0, 30)).toBeCloseTo(1.862645149230957e-9, 20);
  });
});
