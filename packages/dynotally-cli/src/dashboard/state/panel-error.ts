/**
 * What S4's panel adds to a Redis outage: S4 counts in Redis first, and its worker waits the outage out.
 * (The dev stack's own redis-server never gets here for long: its exit stops the stack, saying what was lost.)
 */
const WAITS_FOR_REDIS =
  'S4 waits for Redis: its worker retries the batch until Redis answers again, then goes on from where it stopped';

/**
 * A panel's read failure as the dashboard shows it: `CODE: message`, and for `REDIS_UNAVAILABLE` that S4 waits for
 * Redis (a bare code read like a stack that had stopped counting).
 *
 * @example
 * ```ts
 * panelError(new DynotallyError('REDIS_UNAVAILABLE', 'connect ECONNREFUSED'));
 * // 'REDIS_UNAVAILABLE: connect ECONNREFUSED (S4 waits for Redis: …)'
 * ```
 */
export function panelError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = (e as { code?: string }).code;
  const text = `${code ?? e.name}: ${e.message}`;
  return code === 'REDIS_UNAVAILABLE' ? `${text} (${WAITS_FOR_REDIS})` : text;
}
