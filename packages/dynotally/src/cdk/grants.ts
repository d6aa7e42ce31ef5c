import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';

/** The stream handler's actions on the aggregate table (see `DYNOTALLY_ACTIONS.apply`). */
const APPLY = [
  'dynamodb:UpdateItem',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
] as const;

/**
 * The IAM actions each side of dynotally needs, and nothing more. Transactions have no IAM action of their
 * own: `TransactWriteItems` is authorised item by item. The stream handler's and the backfill's transactions hold
 * `Update` members only (`UpdateItem`; no `ConditionCheckItem`: review s41c), and so do the flusher's (the letter of a
 * row it cannot place is stored with an `Update` tying that row to it: review s42y).
 *
 * @example
 * ```ts
 * DYNOTALLY_ACTIONS.query; // ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']
 * ```
 */
export const DYNOTALLY_ACTIONS = {
  /**
   * The stream handler on the aggregate table: row updates (PartiQL `BatchExecuteStatement` INSERT / UPDATE
   * statements, authorised as `PartiQLInsert` / `PartiQLUpdate`, and `UpdateItem`), the shards' watermark reads
   * and checks, the read of a shard's exclusion items at the start of every batch (one `Query` of the
   * shard's `~wx#` partition), and the read-back of the rows a batch sampled to learn their exactly-once state
   * (`BatchGetItem`). `test/apply/iam-actions.int.test.ts` checks every request the applier sends against this
   * list.
   */
  apply: APPLY,
  /**
   * The Redis write buffer (`dynotally/redis`) on the aggregate table. `applier`: a stream handler whose write side is
   * `createBufferedApplier` — the handler's grants (its `onRedisDown: 'direct'` fallback writes rows as the
   * applier does, the table's one-buffer claim is an `UpdateItem`, the rollups' control items are read before
   * every batch with a `BatchGetItem`, and a group whose stored-value hints are not known is read with a `Query` of
   * its partition) plus the fallback's fences, put while a shard
   * writes directly and deleted when it rejoins (`PutItem`, `DeleteItem`). `flusher`: `createFlusher` /
   * `dynotally flush` — its row updates, the buffer claim and fence reads (`GetItem`, `Query`), and the rejoin of a
   * shard that never wrote again (`DeleteItem` of its fence), and the tie committed with the letter of a row of a
   * rollup it was not given (an `Update` of the row's flush marker, `redis/held-cells.ts`); with a dead-letter
   * table, `deadLetter` on it too.
   * `test/redis/iam-actions-buffer.int.test.ts` checks every request of both against these lists.
   */
  buffer: {
    applier: [...APPLY, 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    flusher: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
  },
  /**
   * The stream handler on the dead-letter table (`DynamoDbDeadLetterSink` puts a letter only if absent; a letter
   * with part items first reads its key, `GetItem`, so a dropped letter's tombstone gets no orphan parts).
   */
  deadLetter: ['dynamodb:PutItem', 'dynamodb:GetItem'],
  /**
   * What a stream handler built on `createVersionedWriteSide` (rollup versions) needs: the consistent read of
   * the control items every batch (`BatchGetItem`, already in `apply` since sampled rows are read back the same
   * way, so `DynotallyAggregates` grants it once) on the aggregate table, and on the claim
   * table the stream's claims of records while a version is under backfill (a `PutItem` if absent, read back with
   * `BatchGetItem`; `PutItem` also writes an image's parts when it makes live an earlier release's claim too large
   * to take `lseq`). `DynotallyAggregates` grants them with `versions: true`, which also creates the claim table
   * (`test/apply/iam-actions.int.test.ts` checks the lists).
   */
  versions: {
    aggregates: ['dynamodb:BatchGetItem'],
    claims: ['dynamodb:PutItem', 'dynamodb:BatchGetItem'],
  },
  /**
   * What `verify` (`dynotally verify`, without `--repair`) sends: on the source table its key schema
   * (`DescribeTable`, to name uncountable items by key) and the consistent parallel `Scan`; on the aggregate table
   * the control and retention history items (`GetItem`) and the stored rows (`Query` per named group, or a `Scan` of
   * the version's key prefix). `--repair` builds through a backfill: grant `backfill` too
   * (`test/review/s29c-verify-grant.int.test.ts` checks the lists).
   */
  verify: {
    source: ['dynamodb:DescribeTable', 'dynamodb:Scan'],
    aggregates: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan'],
  },
  /**
   * What a replay of dead letters (`replayDeadLetters`, `dynotally dead-letters replay`) sends. On the dead-letter
   * table: the consistent `Scan` of the letters' keys, the `GetItem` of each letter (read by its key, in replay
   * order), of a large letter's parts and of a letter read again after its marker's condition failed, and `UpdateItem`, both for the marker (in the row transaction) and for the
   * reason noted on a letter still poison or refused. On the aggregate table: the rows' `ADD`s (`TransactWriteItems`
   * with the marker, authorised item by item as `UpdateItem`; a replay has no PartiQL or batch write path), the
   * min / max / last writes and the retention history (`UpdateItem`), the control items read once (`BatchGetItem`; the
   * CLI also reads each configured rollup's with `GetItem`, as does the history read), and the binding of a version
   * under backfill to the claim table (`UpdateItem`). On the claim table, only when a version is under backfill: the
   * claims' read (`BatchGetItem`) and writes (`PutItem`, also an image's parts), and the CLI's check of the table
   * before it replays (`createClaimTable` on an existing table: `DescribeTable`, `DescribeTimeToLive`, and
   * `UpdateTimeToLive` when a claim table given to the construct has no TTL yet). Dropping a
   * letter (`dynotally dead-letters drop`, a `DeleteItem`) is not part of it: see `drop`
   * (`test/dead-letter/iam-actions-replay.int.test.ts` checks the lists).
   */
  replay: {
    deadLetters: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:UpdateItem'],
    aggregates: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
    claims: [
      'dynamodb:PutItem',
      'dynamodb:BatchGetItem',
      'dynamodb:DescribeTable',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:UpdateTimeToLive',
    ],
  },
  /**
   * What inspecting dead letters (`listDeadLetters`, `getDeadLetters`; `dynotally dead-letters list`, `show`) sends on
   * the dead-letter table: the consistent `Scan` of the letters (for `show`, of their keys alone, and only for an id
   * without an id entry: a letter stored before 0.2.0), the `GetItem` of an id's entry, of the letter it names and
   * of a large letter's parts. Reading
   * only (`test/dead-letter/iam-actions-inspect-drop.int.test.ts` runs the commands and checks the list).
   */
  inspect: {
    deadLetters: ['dynamodb:Scan', 'dynamodb:GetItem'],
  },
  /**
   * What dropping dead letters (`dropDeadLetters`, `dynotally dead-letters drop`) sends on the dead-letter table: the
   * `GetItem` of each id's entry, of its letter and of the letter's parts (to find them by id; a `Scan` of the keys
   * for an id without an entry, a letter stored before 0.2.0), then an `UpdateItem` that turns each letter into
   * its tombstone (kept until the letter's ttl, so a re-run of the flush that stored it stores nothing) and a
   * `DeleteItem` of each part. A dropped letter's record is never counted: it is not part of `replay`
   * (`test/dead-letter/iam-actions-inspect-drop.int.test.ts` runs the command and checks the list).
   */
  drop: {
    deadLetters: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  },
  /**
   * What deleting a retired version's rows (`deleteRetiredVersion`, `deleteRetiredVersions`) sends on the aggregate
   * table: the control item's read (`GetItem`), the paced `Scan` for the version's key prefix, the deletes 25 keys a
   * request (`BatchWriteItem`) and the deletion's record in the control item (`UpdateItem`). Rows are deleted: a
   * grant of its own, in none of the others (`test/backfill/iam-actions-delete-retired.int.test.ts` checks the list).
   */
  deleteRetired: {
    aggregates: ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'],
  },
  /** A query client (`createQueryClient`) on the aggregate table and its leaderboard index. */
  query: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  /**
   * What a backfill (`runBackfill`, `dynotally backfill`) sends: on the source table its size (`DescribeTable`,
   * for the estimate), the parallel `Scan` and the `GetItem` of a journaled chunk's items when a stopped run resumes; on the aggregate table the rows as the stream handler writes them
   * and the control item (registration, the backfill's record, promotion); on the claim table the first claims
   * (PartiQL `INSERT`s 25 a request, `PutItem` for one the batch refused), their read-back, the parts of images
   * too large for a claim (`PutItem`, and `GetItem` on resume) and the segments' progress items, the check
   * `runBackfill` makes of it before it binds the version to it (`DescribeTable`, `requireTable`, review s40b), and
   * the check the CLI's `backfill` and `verify --repair` make of the claim table before they start (`createClaimTable`
   * on an existing table: `DescribeTable`, `DescribeTimeToLive`, and `UpdateTimeToLive` to turn on the claims' TTL
   * when a claim table given to the construct has none); on the dead-letter table the letters of items it cannot count
   * (`PutItem`, put only if absent) (`test/backfill/iam-actions-backfill.int.test.ts` and
   * `test/review/s29c-backfill-cli-claim-grant.int.test.ts` check the lists).
   */
  backfill: {
    source: ['dynamodb:DescribeTable', 'dynamodb:Scan', 'dynamodb:GetItem'],
    aggregates: APPLY,
    claims: [
      'dynamodb:PartiQLInsert',
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:UpdateItem',
      'dynamodb:DescribeTable',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:UpdateTimeToLive',
    ],
    deadLetters: ['dynamodb:PutItem', 'dynamodb:GetItem'],
  },
} as const;

/**
 * Grants `actions` on a table (and, with `index`, on that index; with `indexes`, on every index) to `grantee`; when
 * the table is encrypted with a customer key, also the key use they need (decrypt for reads; encrypt and decrypt
 * for writes).
 *
 * @example
 * ```ts
 * grantTableActions(reader, aggregates, DYNOTALLY_ACTIONS.query, { index: 'leaderboard' });
 * ```
 */
export function grantTableActions(
  grantee: IGrantable,
  table: ITable,
  actions: readonly string[],
  options: { index?: string; indexes?: boolean; writes?: boolean } = {},
): Grant {
  const resourceArns = [table.tableArn];
  if (options.indexes) resourceArns.push(`${table.tableArn}/index/*`);
  else if (options.index !== undefined) resourceArns.push(`${table.tableArn}/index/${options.index}`);
  const grant = Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns });
  const key = table.encryptionKey;
  if (key !== undefined) {
    if (options.writes) key.grantEncryptDecrypt(grantee);
    else key.grantDecrypt(grantee);
  }
  return grant;
}
