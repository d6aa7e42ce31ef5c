import type { CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import type { RetentionHistory } from './effective-retention.ts';
import { retentionAt } from './effective-retention.ts';

/**
 * The instant (epoch ms) until which a row is certainly kept, whichever recorded writer wrote it last
 * (`undefined`: forever). A row's TTL is its end + the longest retention of what it holds, as its last writer kept
 * them; for each granularity the row holds, that writer kept it at least as long as the shortest retention of the
 * history's writers live at the row's start (and the definition's own). `verify` skips rows past this: one an older,
 * shorter TTL deleted is no drift.
 *
 * @example
 * ```ts
 * rowKeptUntil(c, kind, row.start, row.end, history); // row.end + 10 days while a 10-day writer was live
 * ```
 */
export function rowKeptUntil(
  c: CompiledRollup,
  kind: CompiledRowKind,
  rowStart: number,
  rowEnd: number,
  history: RetentionHistory | undefined,
): number | undefined {
  if (rowEnd === Number.POSITIVE_INFINITY) return undefined;
  let keep = 0;
  for (const p of kind.placements) {
    const own = c.retentionMs.get(p.granularity.id) ?? Number.POSITIVE_INFINITY;
    keep = Math.max(keep, retentionAt(own, history?.get(p.granularity.id), rowStart));
  }
  return keep === Number.POSITIVE_INFINITY ? undefined : rowEnd + keep;
}
