import { DynotallyError } from '../errors/index.ts';
import { DYNAMO_LIMITS } from './dynamo-limits.ts';

/**
 * Throws `KEY_TOO_LARGE` when a partition key (or a GSI partition key such as `lbk`) is longer than DynamoDB's
 * 2,048 bytes in UTF-8, so the record that would create it is poison at fold time instead of a write that
 * fails on every delivery. Returns the key's byte length.
 *
 * @example
 * ```ts
 * checkPartitionKey('jobs#sc-1', 'jobs'); // 9
 * checkPartitionKey(`jobs#s${'x'.repeat(2100)}`, 'jobs'); // throws KEY_TOO_LARGE
 * ```
 */
export function checkPartitionKey(pk: string, rollup: string, what = 'partition key'): number {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most keys are decided without counting.
  const bytes = pk.length * 3 <= DYNAMO_LIMITS.partitionKeyBytes ? pk.length : Buffer.byteLength(pk, 'utf8');
  if (bytes > DYNAMO_LIMITS.partitionKeyBytes) {
    throw new DynotallyError(
      'KEY_TOO_LARGE',
      `rollup '${rollup}': the group's ${what} would be ${bytes} bytes, over DynamoDB's ${DYNAMO_LIMITS.partitionKeyBytes}; shorten the group values in the source item (or group by a shorter attribute)`,
      { details: { rollup, bytes, limit: DYNAMO_LIMITS.partitionKeyBytes, key: `${pk.slice(0, 64)}…` } },
    );
  }
  return bytes;
}

/**
 * Throws `KEY_TOO_LARGE` when a sort key is longer than DynamoDB's 1,024 bytes (bucket labels are at most a
 * few dozen bytes: this guards against a future label form).
 *
 * @example
 * ```ts
 * checkSortKey('M2026-11', 'jobs');
 * ```
 */
export function checkSortKey(sk: string, rollup: string): void {
  const bytes = Buffer.byteLength(sk, 'utf8');
  if (bytes > DYNAMO_LIMITS.sortKeyBytes) {
    throw new DynotallyError(
      'KEY_TOO_LARGE',
      `rollup '${rollup}': sort key '${sk.slice(0, 64)}…' is ${bytes} bytes, over DynamoDB's ${DYNAMO_LIMITS.sortKeyBytes}`,
      { details: { rollup, bytes, limit: DYNAMO_LIMITS.sortKeyBytes } },
    );
  }
}
