import { mapLimit } from '../apply/map-limit.ts';
import { addNum, type Num, parseNum } from '../numbers/index.ts';
import type { ClientContext } from './client-context.ts';
import { type Item, type ReadStats, runBatchGet } from './fetch.ts';
import { addPendingBuckets, type LiveSnapshot } from './live-source.ts';
import { batchGetParams } from './request-params.ts';

/**
 * A ranked group's value judged on its whole row: `item` (the stored row, read after the snapshot; undefined when
 * there is none) and `writes`, the row's buffered deltas write by write as the flush writes them (every measure's
 * cells, {@link LiveSnapshot.pendingByBucket}). A write is refused whole when one of its sums would not fit a
 * DynamoDB number — also for a measure other than the ranked one (the flush letters it: `ROW_REJECTED`). Returns
 * `refused: false` when no write holding a delta of the ranked attribute (`storeAs`) is refused (the caller keeps
 * its value); else the value the flush will leave: the row's ranked value (`lbv`, or `storeAs` for a row that has
 * no leaderboard entry yet) plus the ranked deltas of the writes taken (undefined: no row and none taken).
 *
 * @example
 * ```ts
 * rankedRowVerdict({ n: { N: '1e38' }, total: { N: '5' }, lbv: { N: '5' } }, [new Map([['n', 1], ['total', 1]])], 'total');
 * // { refused: true, value: 5 }
 * ```
 */
export function rankedRowVerdict(
  item: Item | undefined,
  writes: readonly ReadonlyMap<string, Num>[],
  storeAs: string,
): { refused: boolean; value: Num | undefined } {
  const row: Item = { ...item };
  let refused = false;
  let taken: Num | undefined;
  for (const write of writes) {
    const probe: Item = { ...row };
    if (write.size > 0 && addPendingBuckets(probe, [write]) === 0) {
      refused ||= write.has(storeAs); // refused whole: the row stays as it was
      continue;
    }
    Object.assign(row, probe);
    const d = write.get(storeAs);
    if (d !== undefined) taken = addNum(taken ?? 0, d);
  }
  const from = item?.lbv?.N ?? item?.[storeAs]?.N;
  const base = from === undefined ? undefined : parseNum(from);
  const value = base === undefined ? taken : taken === undefined ? base : addNum(base, taken);
  return { refused, value };
}

/**
 * For groups `top` is about to rank with a live delta, the value of each whose flush write the flush will refuse
 * (review s43v): the leaderboard's own snapshot has only the ranked measure's deltas, but DynamoDB refuses a row's
 * write whole when ANY of its sums passes 38 significant digits. So: one live `read` of these groups (every buffered
 * cell of their rows), then one `BatchGetItem` of their rows in this bucket projected to the attributes with a
 * delta (plus `lbv`, the ranked attribute and the flush marker), and each row judged by {@link rankedRowVerdict}.
 * Groups whose writes all fit are not in the result (their ranked value stands). Bounded by the groups passed.
 *
 * @example
 * ```ts
 * const lowered = await refusedRankedValues(ctx, ['amounts#sbig'], 'ALL', 'total', stats); // Map { 'amounts#sbig' => 5 }
 * ```
 */
export async function refusedRankedValues(
  ctx: ClientContext,
  pks: readonly string[],
  sk: string,
  storeAs: string,
  stats: ReadStats,
): Promise<Map<string, Num | undefined>> {
  const out = new Map<string, Num | undefined>();
  if (pks.length === 0) return out;
  const marker = ctx.live.markerAttribute;
  const live: LiveSnapshot = await ctx.live.read(pks); // before DynamoDB, as every live read
  if (live.pendingByBucket === undefined) return out; // a source that does not cut writes cannot say
  const keys = pks.map((pk) => ({
    pk,
    sk,
    attrs: [...live.pending(pk, sk, undefined).keys(), storeAs, 'lbv', marker],
  }));
  const items = new Map<string, Item>();
  await mapLimit(batchGetParams(ctx.table, keys, false), ctx.concurrency, async (input) => {
    for (const it of await runBatchGet(ctx.client, input, stats)) items.set(it.pk?.S ?? '', it);
  });
  for (const pk of pks) {
    const item = items.get(pk);
    const writes = live.pendingByBucket(pk, sk, item?.[marker]?.S);
    const verdict = rankedRowVerdict(item, writes, storeAs);
    if (verdict.refused) out.set(pk, verdict.value);
  }
  return out;
}
