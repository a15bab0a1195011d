import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** CPU seconds used so far, resident memory now and write calls so far, for one process, read from /proc. */
interface ProcessUsage {
  cpuSeconds: number;
  rssKb: number;
  /** Write-type system calls (write, writev, pwrite…: sockets and files alike) and the bytes they wrote. */
  writeCalls: number;
  bytesWritten: number;
}

const CLOCK_TICKS_PER_SECOND = readClockTicks();

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** utime + stime from /proc/<pid>/stat and VmRSS from /proc/<pid>/status (Linux). */
function readProcessUsage(pid: number): ProcessUsage {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime: fields 14 and 15 of the whole line
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const writeCalls = Number(/^syscw:\s+(\d+)/m.exec(io)?.[1] ?? 0);
  const bytesWritten = Number(/^wchar:\s+(\d+)/m.exec(io)?.[1] ?? 0);
  return { cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND, rssKb, writeCalls, bytesWritten };
}

export interface UsageWindow {
  /** CPU used over the window as a percentage of one core, summed over the processes (200 = both cores). */
  cpuPercent: number;
  cpuSeconds: number;
  /** Resident memory at the end of the window, summed over the processes. */
  rssMb: number;
  writeCalls: number;
  bytesWritten: number;
}

/** Measures a set of processes between start() and the returned function's call. */
export function startUsageWindow(pids: number[]): () => UsageWindow {
  const startedAt = performance.now();
  const before = pids.map(readProcessUsage);
  return () => {
    const seconds = (performance.now() - startedAt) / 1000;
    const after = pids.map(readProcessUsage);
    const cpu = after.reduce((sum, usage, i) => sum + usage.cpuSeconds - before[i]!.cpuSeconds, 0);
    const rssKb = after.reduce((sum, usage) => sum + usage.rssKb, 0);
    const delta = (pick: (u: ProcessUsage) => number) => after.reduce((sum, usage, i) => sum + pick(usage) - pick(before[i]!), 0);
    return {
      cpuPercent: round((cpu / seconds) * 100, 1),
      cpuSeconds: cpu,
      rssMb: round(rssKb / 1024, 1),
      writeCalls: delta((u) => u.writeCalls),
      bytesWritten: delta((u) => u.bytesWritten),
    };
  };
}

export function totalRssKb(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + readProcessUsage(pid).rssKb, 0);
}

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Busy CPU of the whole machine between start() and the returned function's call, in % of one core. */
export function startMachineWindow(): () => number {
  const read = () => {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const [, ...values] = line.trim().split(/\s+/).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0); // without guest time, already in user
    return { busy: total - idle };
  };
  const startedAt = performance.now();
  const before = read();
  return () => {
    const seconds = (performance.now() - startedAt) / 1000;
    return round(((read().busy - before.busy) / CLOCK_TICKS_PER_SECOND / seconds) * 100, 1);
  };
}
