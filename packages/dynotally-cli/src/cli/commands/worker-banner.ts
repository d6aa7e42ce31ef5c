import type { Rollup } from 'dynotally';

/**
 * The line `dynotally worker` prints once it runs: its id, the stream, where it writes and the rollups it folds.
 *
 * @example
 * ```ts
 * workerBanner('w-1', 'arn:aws:dynamodb:…/stream/…', 'orders-aggregates', [ordersPerStore]);
 * // 'worker w-1 on arn:aws:dynamodb:…/stream/… → orders-aggregates (1 rollup: orders); Ctrl-C stops\n'
 * ```
 */
export function workerBanner(
  workerId: string,
  stream: string,
  target: string,
  rollups: readonly Rollup[],
): string {
  const names = rollups.map((r) => r.compiled.name).join(', ');
  const count = `${rollups.length} rollup${rollups.length === 1 ? '' : 's'}`;
  return `worker ${workerId} on ${stream} → ${target} (${count}: ${names}); Ctrl-C stops\n`;
}
