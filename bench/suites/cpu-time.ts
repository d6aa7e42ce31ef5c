import { readFileSync } from 'node:fs';

/** Linux's clock ticks per second for /proc times (`getconf CLK_TCK`; 100 on every common kernel). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) another process has used so far, in ms, from `/proc/<pid>/stat` (10 ms
 * resolution); `undefined` where there is no such file (not Linux, or the process is gone).
 *
 * @example
 * ```ts
 * const before = processCpuMs(local.pid);
 * // … work against DynamoDB Local …
 * const jvmMs = (processCpuMs(local.pid) ?? 0) - (before ?? 0);
 * ```
 */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU time this process has used so far (user + system), ms.
 *
 * @example
 * ```ts
 * const t = ownCpuMs(); work(); console.log(ownCpuMs() - t, 'ms of CPU');
 * ```
 */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
