import { DynotallyError } from 'dynotally';

/**
 * The buffer's `waitReplicas` option from `--wait-replicas <n>` and `--wait-timeout <ms>` (the flags were parsed as
 * whole numbers of at least 1): nothing without `--wait-replicas` (the default: no `WAIT`, for a Redis without
 * replicas), and `--wait-timeout` alone is refused, since it would wait for nothing.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for `--wait-timeout` without `--wait-replicas`, `details: { flag }`.
 * @example
 * ```ts
 * waitReplicasFlags('flush', 1, 500); // { waitReplicas: { min: 1, timeoutMs: 500 } }
 * waitReplicasFlags('flush', undefined, undefined); // {}
 * ```
 */
export function waitReplicasFlags(
  command: string,
  replicas: number | undefined,
  timeoutMs: number | undefined,
): { waitReplicas?: { min: number; timeoutMs?: number } } {
  if (replicas === undefined) {
    if (timeoutMs === undefined) return {};
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${command}: --wait-timeout only applies with --wait-replicas <n> (how many Redis replicas must hold a write before DynamoDB or the stream acts on it): add --wait-replicas, or drop --wait-timeout`,
      { details: { flag: '--wait-timeout' } },
    );
  }
  return { waitReplicas: timeoutMs === undefined ? { min: replicas } : { min: replicas, timeoutMs } };
}
