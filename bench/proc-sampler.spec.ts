import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import {
  cpuAccountingToleranceS,
  cpuSeconds,
  OTHER_PROCESSES,
  otherProcessesCpuSeconds,
  parseMachineBusyTicks,
  parseStatCpuTicks,
  parseVmRssBytes,
  ProcessSampler,
} from './proc-sampler';

describe('parseStatCpuTicks', () => {
  it('adds utime and stime (fields 14 and 15), even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (gateway) x) S 1 4242 4242 0 -1 4194304 1234 0 0 0 731 269 0 0 20 0 11 0 5000 1000000 20000 18446744073709551615';
    expect(parseStatCpuTicks(stat)).toBe(731 + 269);
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseStatCpuTicks('garbage')).toThrow('unexpected /proc/<pid>/stat');
  });
});

describe('parseVmRssBytes', () => {
  it('reads VmRSS in kB as bytes', () => {
    expect(parseVmRssBytes('Name:\tnode\nVmHWM:\t  300000 kB\nVmRSS:\t  204800 kB\nThreads:\t11\n')).toBe(204800 * 1024);
  });

  it('is null for a process without a resident set (a zombie has no VmRSS line)', () => {
    expect(parseVmRssBytes('Name:\tnode\nState:\tZ (zombie)\n')).toBeNull();
  });
});

describe('parseMachineBusyTicks', () => {
  it('adds user, nice, system, irq, softirq and steal of the aggregate line, leaving idle and iowait out', () => {
    const stat = 'cpu  100 2 30 5000 40 5 6 7 0 0\ncpu0 50 1 15 2500 20 2 3 3 0 0\nintr 1 2 3\n';
    expect(parseMachineBusyTicks(stat)).toBe(100 + 2 + 30 + 5 + 6 + 7);
  });

  it('rejects text without the aggregate line', () => {
    expect(() => parseMachineBusyTicks('cpu0 1 2 3\n')).toThrow('no aggregate "cpu" line in /proc/stat');
  });
});

describe('ProcessSampler on this process', () => {
  it('counts the CPU seconds spent between start and stop, and a peak RSS', () => {
    const sampler = new ProcessSampler({ self: process.pid });
    const start = process.cpuUsage();
    let x = 0;
    // 300 ms of CPU by this process's own clock, however long the shared machine makes it take.
    while ((process.cpuUsage(start).user + process.cpuUsage(start).system) / 1e6 < 0.3) x += Math.sqrt(x + 1);
    const usage = sampler.stop().self;
    expect(x).toBeGreaterThan(0);
    expect(usage.pid).toBe(process.pid);
    // Clock ticks are 10 ms, and the sampler also counts the few ms around the loop.
    expect(usage.cpu_s).toBeGreaterThanOrEqual(0.29);
    expect(usage.cpu_s).toBeLessThan(1);
    expect(usage.peak_rss_mb).toBeGreaterThan(10);
  });

  it('reports the CPU of a process it does not sample as "other processes"', async () => {
    const sampler = new ProcessSampler({ self: process.pid });
    const started = process.hrtime.bigint();
    // A child burning 0.5 s of CPU by its own clock, then reporting it: none of it is the sampled process's.
    const childCpuS = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [
        '-e',
        'const s = process.cpuUsage(); let x = 0; const used = () => { const u = process.cpuUsage(s); return (u.user + u.system) / 1e6; }; ' +
          'while (used() < 0.5) x += Math.sqrt(x + 1); console.log(used(), x > 0);',
      ]);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('error', reject);
      child.on('close', () => resolve(Number(out.split(' ')[0])));
    });
    const wallS = Number(process.hrtime.bigint() - started) / 1e9;
    const other = sampler.stop()[OTHER_PROCESSES];
    expect(childCpuS).toBeGreaterThanOrEqual(0.5);
    expect([other.pid, other.peak_rss_mb]).toEqual([0, 0]);
    // At least the child's loop (less what tick rounding and sampling can lose), at most every core busy all along.
    expect(other.cpu_s).toBeGreaterThanOrEqual(childCpuS - cpuAccountingToleranceS(1, childCpuS));
    expect(other.cpu_s).toBeLessThanOrEqual(cpus().length * wallS + 0.05);
  });

  it('refuses to sample one pid under two names, which would count its CPU twice', () => {
    expect(() => new ProcessSampler({ gateway: process.pid, 'load generator': process.pid })).toThrow(
      `processes gateway and load generator are both pid ${process.pid}: its CPU would be counted twice`,
    );
  });

  it('refuses a process that is not running', () => {
    expect(cpuSeconds(2 ** 22 + 1)).toBeNull();
    expect(() => new ProcessSampler({ gone: 2 ** 22 + 1 })).toThrow(`process gone (pid ${2 ** 22 + 1}) is not running`);
  });
});

describe('otherProcessesCpuSeconds', () => {
  it('is the machine busy time minus the sampled processes', () => {
    expect(otherProcessesCpuSeconds(10, 7.5, 0.1)).toBe(2.5);
    expect(otherProcessesCpuSeconds(7.5, 7.5, 0.1)).toBe(0);
  });

  it('counts a deficit within the rounding tolerance as no other work', () => {
    expect(otherProcessesCpuSeconds(7.45, 7.5, 0.1)).toBe(0);
  });

  it('refuses a deficit larger than rounding explains instead of reporting 0', () => {
    expect(() => otherProcessesCpuSeconds(7, 7.5, 0.1)).toThrow(
      'the sampled processes used 7.50 s of CPU but the whole machine only 7.00 s (more than the 0.10 s rounding allows): a process counted twice, or CPU counters that disagree',
    );
  });
});

describe('cpuAccountingToleranceS', () => {
  it('allows two ticks per process, six for the machine, and 5% of the measured CPU', () => {
    expect(cpuAccountingToleranceS(3, 10, 100)).toBeCloseTo(0.12 + 0.5, 12);
    expect(cpuAccountingToleranceS(0, 0, 250)).toBeCloseTo(6 / 250, 12);
  });
});
