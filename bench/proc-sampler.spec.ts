import { cpuSeconds, OTHER_PROCESSES, parseMachineBusyTicks, parseStatCpuTicks, parseVmRssBytes, ProcessSampler } from './proc-sampler';

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

  it('reports the CPU the rest of the machine used as "other processes"', () => {
    const other = new ProcessSampler({ self: process.pid }).stop()[OTHER_PROCESSES];
    expect(other.pid).toBe(0);
    expect(other.cpu_s).toBeGreaterThanOrEqual(0);
    expect(other.peak_rss_mb).toBe(0);
  });

  it('refuses a process that is not running', () => {
    expect(cpuSeconds(2 ** 22 + 1)).toBeNull();
    expect(() => new ProcessSampler({ gone: 2 ** 22 + 1 })).toThrow(`process gone (pid ${2 ** 22 + 1}) is not running`);
  });
});
