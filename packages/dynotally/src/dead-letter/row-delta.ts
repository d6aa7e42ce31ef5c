import { isDynotallyError } from '../errors/index.ts';
import { toDynamoN } from '../numbers/index.ts';
import type { RowWrite } from '../plan/index.ts';
import type { DeadLetterDelta } from './dead-letter.ts';

/**
 * A planned row's delta as a replay stores and sends it (numbers as DynamoDB's text), or undefined when a value needs
 * more than 38 significant digits (`NUMBER_OUT_OF_RANGE`: no update could carry it). Pure.
 *
 * @example
 * ```ts
 * rowDelta(plan.rows[0]); // { pk: 'store#ss-1', sk: 'D2026-11-24', adds: [['orders', '3']], ttl: 1767225600, leaderboard: undefined }
 * ```
 */
export function rowDelta(r: RowWrite): DeadLetterDelta | undefined {
  try {
    return {
      pk: r.pk,
      sk: r.sk,
      adds: r.adds.map(([a, v]) => [a, toDynamoN(v)] as const),
      ttl: r.ttl,
      leaderboard:
        r.leaderboard === undefined
          ? undefined
          : { key: r.leaderboard.key, delta: toDynamoN(r.leaderboard.delta) },
    };
  } catch (e) {
    if (isDynotallyError(e, 'NUMBER_OUT_OF_RANGE')) return undefined;
    throw e;
  }
}
