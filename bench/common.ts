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
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) closed by ')': utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
