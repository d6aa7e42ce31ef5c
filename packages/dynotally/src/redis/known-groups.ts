import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Redis } from 'ioredis';
import { consumedUnits, mapLimit, type RetryOptions, withRetry } from '../apply/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { explodeRow } from '../layout/explode-row.ts';
import { parsePartitionKey } from '../layout/group-key.ts';
import { cellField, FLUSH_MARKER_ATTR } from './keys.ts';
import { learnsMeasure } from './learned-cells.ts';
import { redisCall } from './lua-script.ts';
import { HINTS_SCRIPT } from './scripts.ts';
import { HINT_CELLS_PER_CALL, isWideNumber, type StoredRow } from './stored-hints.ts';

/**
 * The field of a group's hints hash (`h:<pk>`) that says its hints are known: every wide sum value DynamoDB holds
 * for the group, in any row, has its hint there (as new as the last flush). A cell field is `<sk>|<attr>`, so `*`
 * is never one.
 *
 * @example
 * ```ts
 * await redis.hexists(bufferKeys(prefix).hints('money#sg'), KNOWN_FIELD); // 1: no read before buffering into it
 * ```
 */
export const KNOWN_FIELD = '*';

/**
 * The field of a group's hint versions (`hv:<pk>`) that counts the hints of wide values recorded in the group
 * (HINTS_SCRIPT adds one with each). A group read takes it before its `Query` — the write script that found the group
 * not known reads it and answers it beside the group, so it costs no round trip of its own — and its call marks the
 * group known only if it is unchanged: else a flush may have written a wide value after the read and recorded its
 * hint, and should `h:<pk>` alone be lost before the call, the group would be known without that hint. A cell field
 * is `<sk>|<attr>`, so `#` is never one.
 *
 * @example
 * ```ts
 * const count = (await redis.hget(bufferKeys(prefix).hintVersions('money#sg'), HINTS_CHANGED_FIELD)) ?? '';
 * ```
 */
export const HINTS_CHANGED_FIELD = '#';

/**
 * The names of the rollups whose groups the write script must know the hints of before it buffers into them
 * (comma-separated, as its ARGV[12] takes them): those with a `sum`. A count only ever adds integers far below 38
 * digits; min / max / last are not buffered.
 *
 * @example
 * ```ts
 * rollupsWithSums([money, jobs]); // 'money'
 * ```
 */
export function rollupsWithSums(rollups: readonly CompiledRollup[]): string {
  return rollups
    .filter((c) => c.measures.some((m) => learnsMeasure(m.kind)))
    .map((c) => c.name)
    .join(',');
}

/**
 * What {@link learnGroups} needs.
 *
 * @example
 * ```ts
 * const ctx: LearnGroups = { redis, prefix, keyTtlMs, timeoutMs: 2_000, client, table, rollups, concurrency: 32 };
 * ```
 */
export interface LearnGroups {
  redis: Redis;
  prefix: string;
  keyTtlMs: number;
  timeoutMs: number;
  client: DynamoDBClient;
  table: string;
  rollups: ReadonlyMap<string, CompiledRollup>;
  concurrency: number;
  retry?: RetryOptions | undefined;
}

/**
 * Makes the hints of some groups known, for the write script that answered `{'unknown', pk, count, …}` (`groups`:
 * its `[pk, count]` pairs, the count being the group's {@link HINTS_CHANGED_FIELD} as the script read it, '' none):
 * a group of a rollup
 * with a sum whose `h:<pk>` has no {@link KNOWN_FIELD} — never buffered into since the buffer's Redis began, or
 * quiet for `keyTtlMs` (its hints expired), or its keys lost (an eviction, a failover). The flusher records a hint
 * of every wide value it writes, but a hint that is gone is gone, and a group without one would be taken for
 * narrow: a record that cannot be added to a stored 1e22 (1e-16: 39 digits) would be buffered, and DynamoDB would
 * refuse the flush of its whole row.
 *
 * Each group's stored rows are read with one strongly consistent `Query` of its partition (every row: any of them
 * can take a late record, and only the partition says which exist; more pages past 1 MB), and the wide values of
 * its sum cells are recorded as hints, versioned by each item's own flush marker (`_fb`, `''` for a row never
 * flushed), then the field `*` — in the same script call, after the hints: a group is never known without them.
 * Each group is recorded as soon as its read is done, so a batch whose reads fail part-way keeps the groups it read
 * and its retry reads only the rest. A flusher that wrote a row after the read recorded its newer hint, or the
 * version of its removal, which the older read does not replace (the versions). A group another read made known
 * first (two batches read it at once) gets nothing of this one's: its values could predate a flush's removal that
 * left no version (HINTS_SCRIPT). A group in which a hint was recorded while it was read (the count
 * {@link HINTS_CHANGED_FIELD}, which the write script took before the read, moved) gets its cells but not `*`: the read may predate a
 * flush's wide value whose hint `h:<pk>` alone lost since; the write script answers `unknown` again, and it is read
 * again. A group with nothing stored (a new one) costs one read that finds nothing. The field lives in the
 * hints' own key, so it never outlives them, and the flusher gives the key a fresh expiry with every flush of the
 * group (stored-hints.ts): a group is read again only once quiet for `keyTtlMs`, or after its keys are lost.
 * Returns the requests and read units spent.
 *
 * @example
 * ```ts
 * const { requests, units } = await learnGroups(ctx, [['money#sg', '']]);
 * ```
 */
export async function learnGroups(
  ctx: LearnGroups,
  groups: ReadonlyArray<readonly [pk: string, changed: string]>,
): Promise<{ requests: number; units: number }> {
  const spent = { requests: 0, units: 0 };
  // each group is recorded as soon as its read is done (hints then `*`, in one call), so a batch whose reads fail
  // part-way keeps the groups it read and its retry reads only the rest; the calls are chained, each taking every
  // group read so far
  const ready: Array<{ pk: string; rows: StoredRow[]; changed: string }> = [];
  let chain: Promise<void> = Promise.resolve();
  // `changed`: the group's hint count before the read (the write script read it): its call marks the group known
  // only if no hint was recorded since
  await mapLimit(groups, ctx.concurrency, async ([pk, changed]) => {
    ready.push({ pk, rows: await readGroupRows(ctx, pk, spent), changed });
    chain = chain.then(() => recordGroups(ctx, ready.splice(0)));
    await chain;
  });
  return spent;
}

/**
 * Records the hints of groups read, then their `*`: whole groups per call (a group marked known with all its hints,
 * atomically), at most about {@link HINT_CELLS_PER_CALL} cells each.
 */
async function recordGroups(
  ctx: LearnGroups,
  groups: ReadonlyArray<{ pk: string; rows: StoredRow[]; changed: string }>,
): Promise<void> {
  let known: string[] = [];
  let cells: string[] = [];
  const send = async (): Promise<void> => {
    await redisCall(
      HINTS_SCRIPT.run(
        ctx.redis,
        [],
        [ctx.prefix, String(ctx.keyTtlMs), String(known.length / 2)].concat(known, cells),
      ),
      ctx.timeoutMs,
      'record the hints of groups read from DynamoDB',
    );
    known = [];
    cells = [];
  };
  for (const { pk, rows, changed } of groups) {
    for (const row of rows)
      for (const [attr, value] of row.values) cells.push(pk, cellField(row.sk, attr), value, row.marker);
    known.push(pk, changed);
    if (cells.length >= 4 * HINT_CELLS_PER_CALL || known.length >= 2 * HINT_CELLS_PER_CALL) await send();
  }
  if (known.length > 0) await send();
}

/** The wide sum values of every stored row of a group (strongly consistent, every page). */
async function readGroupRows(
  ctx: LearnGroups,
  pk: string,
  spent: { requests: number; units: number },
): Promise<StoredRow[]> {
  const c = ctx.rollups.get(parsePartitionKey(pk).rollup);
  if (c === undefined) return [];
  const sums = new Set(c.measures.filter((m) => learnsMeasure(m.kind)).map((m) => m.name));
  const rows: StoredRow[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await withRetry(
      () =>
        ctx.client.send(
          new QueryCommand({
            TableName: ctx.table,
            KeyConditionExpression: 'pk = :p',
            ExpressionAttributeValues: { ':p': { S: pk } },
            ConsistentRead: true,
            ReturnConsumedCapacity: 'TOTAL',
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        ),
      ctx.retry,
    );
    spent.requests++;
    spent.units += consumedUnits(out.ConsumedCapacity);
    for (const item of out.Items ?? []) {
      const sk = item.sk?.S;
      if (sk === undefined) continue;
      const values: Array<readonly [string, string]> = [];
      for (const { ref, value } of explodeRow(c, sk, item)) {
        const n = value.N;
        if (sums.has(ref.measure) && n !== undefined && isWideNumber(n)) values.push([ref.attr, n]);
      }
      if (values.length > 0) rows.push({ pk, sk, marker: item[FLUSH_MARKER_ATTR]?.S ?? '', values });
    }
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return rows;
}
