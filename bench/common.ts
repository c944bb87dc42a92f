// Helpers every benchmark suite shares: timing, percentiles, and seeded picks (seeded numbers come from the
// demo generator's mulberry32, so benchmarks and demo data draw the same way).
import { readFileSync } from 'node:fs';

export { mulberry32 as random } from '../src/main/core/demo/generator';

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The p-th percentile of an ascending list (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export function pick<T>(items: readonly T[], next: () => number): T {
  const item = items[Math.floor(next() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/**
 * CPU seconds the main thread of this process (or of process `pid`) has used (Linux: its /proc task entry, in 10 ms ticks), undefined
 * elsewhere. Unlike the event loop's busy time it does not grow when the thread waits for a core, so it compares
 * runs on a loaded machine.
 */
export function mainThreadCpuSeconds(pid = process.pid): number | undefined {
  try {
    return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds in a /proc stat file (a process's, or one of its threads'), in 10 ms ticks. */
function statCpuSeconds(file: string): number {
  const stat = readFileSync(file, 'utf8');
  // Fields after the command name (which may hold spaces) closed by ')': utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Where the CPU went, Linux only (undefined elsewhere): the main thread's time on a core and its time runnable but
 * waiting for one (its schedstat, in ns), and the CPU time of this whole process (every thread) and of `others`
 * (whole processes, such as a server). On a two-core host a main thread that waits for a core while helper
 * threads and a server run tells contention apart from slow code.
 */
export interface CpuAccount {
  mainRun: number;
  mainWait: number;
  process: number;
  others: number;
}

const processCpuSeconds = (pid: number) => statCpuSeconds(`/proc/${pid}/stat`);

export function cpuAccount(others: number[] = []): CpuAccount | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return {
      mainRun: Number(run) / 1e9,
      mainWait: Number(wait) / 1e9,
      process: processCpuSeconds(process.pid),
      others: others.reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    };
  } catch {
    return undefined;
  }
}

/** What was used between two accounts, as one line's words. */
export function cpuSpent(
  before: CpuAccount | undefined,
  after: CpuAccount | undefined,
  othersName: string,
): string {
  if (!before || !after) return '';
  const s = (n: number) => n.toFixed(2);
  return (
    `main thread on a core ${s(after.mainRun - before.mainRun)} s, waiting for one ${s(after.mainWait - before.mainWait)} s; ` +
    `CPU of this process ${s(after.process - before.process)} s, of the ${othersName} ${s(after.others - before.others)} s`
  );
}
