import type { DeadLetter } from '../dead-letter/index.ts';
import { type ErrorCode, isDynotallyError } from '../errors/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import type { RowWrite } from '../plan/index.ts';
import { exactDecimal } from './exact-decimal.ts';
import type { UnplacedRow } from './rows-from-cells.ts';

const PK_LIMIT = DYNAMO_LIMITS.partitionKeyBytes;
const SK_LIMIT = DYNAMO_LIMITS.sortKeyBytes;

/**
 * Why DynamoDB will refuse a row before it is sent (a key over its limit), or `undefined`.
 *
 * @example
 * ```ts
 * rowLimitProblem({ pk: 'x'.repeat(2_100), sk: 'ALL' } as RowWrite); // 'partition key of 2100 bytes …'
 * ```
 */
export function rowLimitProblem(row: Pick<RowWrite, 'pk' | 'sk'>): string | undefined {
  const pk = Buffer.byteLength(row.pk);
  if (pk > PK_LIMIT) return `partition key of ${pk} bytes is over DynamoDB's ${PK_LIMIT}-byte limit`;
  const sk = Buffer.byteLength(row.sk);
  if (sk > SK_LIMIT) return `sort key of ${sk} bytes is over DynamoDB's ${SK_LIMIT}-byte limit`;
  return undefined;
}

/**
 * True for an error that says DynamoDB will never accept this row as it is (not worth retrying): a
 * `ValidationException` (key or item over a limit, a number it cannot store), or a delta that is no DynamoDB
 * number before it is even sent (`NUMBER_OUT_OF_RANGE` from building the update).
 *
 * @example
 * ```ts
 * if (isRowRejection(e)) await sink.send([rejectedRowLetter(row, bucket, source, reason, Date.now())]);
 * ```
 */
export function isRowRejection(e: unknown): boolean {
  return (
    (e as { name?: string } | undefined)?.name === 'ValidationException' ||
    isDynotallyError(e, 'NUMBER_OUT_OF_RANGE')
  );
}

/**
 * The dead letter of a buffered row DynamoDB refused: its deltas (exact decimals), keyed by flush source,
 * bucket and row (and part, for a row written in parts: `rowParts`) so a re-run of the same flush stores it
 * once. Replayed like any dead letter (plain `ADD`s with the letter's marker in one transaction): a part's
 * letter holds only that part's deltas, so its replay fits one write as the part did.
 *
 * @example
 * ```ts
 * const letter = rejectedRowLetter(row, bucket, 'redis-flush:dynotally:aggregates', 'ValidationException: …', Date.now());
 * ```
 */
export function rejectedRowLetter(
  row: RowWrite,
  bucket: number,
  source: string,
  reason: string,
  at: number,
  part?: string,
): DeadLetter {
  const code: ErrorCode = 'ROW_REJECTED';
  return {
    source,
    shardId: undefined,
    sequenceNumber: `${bucket}#${row.pk}#${row.sk}${part === undefined ? '' : `#${part}`}`,
    eventId: undefined,
    code,
    reason: `DynamoDB refused the aggregate row ${row.pk.slice(0, 200)} / ${row.sk} of flush bucket ${new Date(bucket).toISOString()}${part === undefined ? '' : ` (its part up to ${part})`} (${reason}); its deltas are kept here: fix the cause, then replay or drop it`,
    record: undefined,
    at,
    deltas: [
      {
        pk: row.pk,
        sk: row.sk,
        adds: row.adds.map(([a, v]) => [a, exactDecimal(v)] as const),
        ttl: row.ttl,
        leaderboard:
          row.leaderboard === undefined
            ? undefined
            : { key: row.leaderboard.key, delta: exactDecimal(row.leaderboard.delta) },
      },
    ],
  };
}

/**
 * The dead letter of buffered cells the flusher's rollup has no row kind for (`UNKNOWN_ROLLUP`: its granularities
 * or layout changed while they were buffered, or the flusher was given no rollup of that name at all), keyed like
 * {@link rejectedRowLetter} so a re-run of the flush stores it once. Its deltas are the cells as buffered, with no
 * TTL or leaderboard entry (the flusher has no definition that places them); a replay adds them to the row they
 * name, and when the replay is given a definition of the rollup that places the row (a rollup added in a rolling
 * deploy, replayed with the new configuration) it writes the TTL and leaderboard entry the flush would have
 * (`placedDelta`). Otherwise the letter keeps the counts for the operator, who decides where they belong.
 *
 * @example
 * ```ts
 * const letter = unplacedRowLetter(unplaced, bucket, 'redis-flush:dynotally:aggregates', Date.now());
 * ```
 */
export function unplacedRowLetter(row: UnplacedRow, bucket: number, source: string, at: number): DeadLetter {
  const code: ErrorCode = 'UNKNOWN_ROLLUP';
  return {
    source,
    shardId: undefined,
    sequenceNumber: `${bucket}#${row.pk}#${row.sk}`,
    eventId: undefined,
    code,
    reason: row.removed
      ? `the flusher was given no rollup '${row.rollup}' (removed from the configuration while these cells were buffered): row '${row.sk}' of ${row.pk.slice(0, 200)}, flush bucket ${new Date(bucket).toISOString()}, cannot be written without its definition; its deltas are kept here. If the rollup is in use (added in a deploy this flusher had not reached yet, or missing from its configuration), replay the letter with it: the replay writes the row as the flush would have, with its TTL and leaderboard entry; if it was removed, drop the letter`
      : row.problem === undefined
        ? `rollup '${row.rollup}' has no rows like '${row.sk}' (of ${row.pk.slice(0, 200)}, flush bucket ${new Date(bucket).toISOString()}): its granularities or layout changed while these cells were buffered, and the flusher cannot place them; their deltas are kept here. A replay adds them to that row as named (the old row kind, which the rollup as defined now does not read, with no TTL): count them in where they belong by hand, then drop the letter`
        : `rollup '${row.rollup}' cannot place row '${row.sk}' (of ${row.pk.slice(0, 200)}, flush bucket ${new Date(bucket).toISOString()}): ${row.problem} — its time zone changed while these cells were buffered, and the flusher cannot place them; their deltas are kept here. A replay adds them to that row as named (a bucket of the old zone, which the rollup as defined now does not read, with no TTL): count them in where they belong by hand, then drop the letter`,
    record: undefined,
    at,
    deltas: [
      {
        pk: row.pk,
        sk: row.sk,
        adds: row.adds.map(([a, v]) => [a, exactDecimal(v)] as const),
        ttl: undefined,
        leaderboard: undefined,
        ...(row.written === undefined
          ? {}
          : { written: row.written.map(([a, v]) => [a, exactDecimal(v)] as const) }),
      },
    ],
  };
}
