// The test run's shared servers (DynamoDB Local, redis-server) run ahead of other work on the machine. On a
// machine loaded by unrelated processes (CI's load average of 15), every file waits on these servers, and
// a JVM sharing two cores with a dozen busy processes answered a request in up to 30 s (the SDK's
// requestTimeout), failing a batch six times. Measured (two redis-down.int tests under 11 busy loops): 23.5 s
// of test time at the default priority, 15.2 s with the servers at nice -10. Only root may raise a priority;
// anyone else keeps the default, silently (the tests are built to pass at it, only slower).
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value the servers get (the default is 0; lower runs first). */
export const SERVER_NICE = -10;
/** How often threads a server started since are raised too (a JVM grows its thread pools under load). */
const REPEAT_MS = 5_000;

/**
 * Raises every thread of process `pid` to {@link SERVER_NICE} now and every few seconds while it runs; returns
 * the function that stops doing so. Does nothing where the priority cannot be raised (not root, no /proc).
 *
 * @example
 * ```ts
 * const local = await startDynamoDbLocal();
 * const unfavour = favourProcess(local.pid);
 * ```
 */
export function favourProcess(pid: number): () => void {
  if (pid <= 0 || !raise(pid)) return () => {};
  const timer = setInterval(() => {
    if (!raise(pid)) clearInterval(timer);
  }, REPEAT_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Every thread of `pid` at SERVER_NICE; false when that is not possible (or the process is gone). */
function raise(pid: number): boolean {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return false;
  }
  for (const tid of threads) {
    try {
      setPriority(Number(tid), SERVER_NICE);
    } catch (e) {
      // a thread that ended meanwhile is fine; anything else (EACCES, EPERM: not root) ends the favouring
      if ((e as { code?: unknown }).code !== 'ESRCH') return false;
    }
  }
  return true;
}
