import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** user + system CPU time in clock ticks, from the text of /proc/<pid>/stat. */
export function parseStatCpuTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces or ')'; fields after the last ')' are plain.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so utime (field 14) and stime (field 15) are rest[11] and rest[12].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc/<pid>/stat: ${stat.slice(0, 80)}`);
  return utime + stime;
}

/** Resident set size in bytes, from the text of /proc/<pid>/status; null for a process without one (a zombie). */
export function parseVmRssBytes(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

/** Busy clock ticks of the whole machine (all CPUs), from the text of /proc/stat: everything but idle and iowait. */
export function parseMachineBusyTicks(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate "cpu" line in /proc/stat');
  // user nice system idle iowait irq softirq steal (guest time is already inside user and nice)
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq + (steal || 0);
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds used so far by a live process; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    return parseStatCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

function machineBusySeconds(): number {
  return parseMachineBusyTicks(readFileSync('/proc/stat', 'utf8')) / CLOCK_TICKS;
}

function rssBytes(pid: number): number | null {
  try {
    return parseVmRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return null;
  }
}

export interface ProcessUsage {
  pid: number;
  cpu_s: number;
  /** CPU seconds per wall-clock second over the window, in % of one core. */
  cpu_pct_of_core: number;
  peak_rss_mb: number;
}

/** The name under which a sampler reports the CPU that none of its processes used: other work on the machine. */
export const OTHER_PROCESSES = 'other processes';

/**
 * How far the sampled processes' CPU may exceed the machine's busy time by measurement alone.
 * Each process's utime and stime, and each of the six busy columns of /proc/stat, are whole
 * clock ticks (a delta is off by under one tick per counter); and the kernel charges the machine
 * by sampling at each tick but a process by its precise run time, which drift apart by a few
 * percent for bursty work.
 */
export function cpuAccountingToleranceS(processes: number, processesCpuS: number, ticksPerSecond = CLOCK_TICKS): number {
  return (2 * processes + 6) / ticksPerSecond + 0.05 * processesCpuS;
}

/**
 * CPU seconds the rest of the machine used in a window: its busy time minus the sampled
 * processes'. A deficit within `toleranceS` is measurement rounding and counts as none; a larger
 * one means a process was counted twice or the counters disagree, and reporting it as "no other
 * work" would hide a broken measurement, so it is an error.
 */
export function otherProcessesCpuSeconds(machineBusyS: number, processesCpuS: number, toleranceS: number): number {
  const other = machineBusyS - processesCpuS;
  if (other >= 0) return other;
  if (-other <= toleranceS) return 0;
  throw new Error(
    `the sampled processes used ${processesCpuS.toFixed(2)} s of CPU but the whole machine only ${machineBusyS.toFixed(2)} s ` +
      `(more than the ${toleranceS.toFixed(2)} s rounding allows): a process counted twice, or CPU counters that disagree`,
  );
}

/**
 * CPU seconds and peak RSS of named processes over a window, plus the CPU the rest of the machine
 * used meanwhile (the machine is shared, and that competes with what is measured). RSS is polled
 * (every 200 ms) because VmHWM is the peak since the process started, not within this window.
 */
export class ProcessSampler {
  private readonly startCpu = new Map<string, number>();
  private readonly peakRss = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly started = process.hrtime.bigint();
  private readonly machineStart = machineBusySeconds();

  constructor(private readonly pids: Record<string, number>) {
    const named = new Map<number, string>();
    for (const [name, pid] of Object.entries(pids)) {
      if (named.has(pid)) throw new Error(`processes ${named.get(pid)} and ${name} are both pid ${pid}: its CPU would be counted twice`);
      named.set(pid, name);
    }
    for (const [name, pid] of Object.entries(pids)) {
      const cpu = cpuSeconds(pid);
      if (cpu === null) throw new Error(`process ${name} (pid ${pid}) is not running`);
      this.startCpu.set(name, cpu);
    }
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    for (const [name, pid] of Object.entries(this.pids)) {
      const rss = rssBytes(pid);
      if (rss !== null && rss > (this.peakRss.get(name) ?? 0)) this.peakRss.set(name, rss);
    }
  }

  stop(): Record<string, ProcessUsage> {
    clearInterval(this.timer);
    this.sample();
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const out: Record<string, ProcessUsage> = {};
    let measured = 0;
    for (const [name, pid] of Object.entries(this.pids)) {
      const end = cpuSeconds(pid);
      if (end === null) throw new Error(`process ${name} (pid ${pid}) exited during the measurement`);
      const cpu = end - this.startCpu.get(name)!;
      measured += cpu;
      out[name] = {
        pid,
        cpu_s: round(cpu, 2),
        cpu_pct_of_core: round((cpu / seconds) * 100, 1),
        peak_rss_mb: round((this.peakRss.get(name) ?? 0) / 2 ** 20, 1),
      };
    }
    const others = otherProcessesCpuSeconds(machineBusySeconds() - this.machineStart, measured, cpuAccountingToleranceS(Object.keys(out).length, measured));
    out[OTHER_PROCESSES] = { pid: 0, cpu_s: round(others, 2), cpu_pct_of_core: round((others / seconds) * 100, 1), peak_rss_mb: 0 };
    return out;
  }
}

export const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
