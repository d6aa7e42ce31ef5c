import type { Coalescer, RowAcc } from '../fold/index.ts';
import { isZeroNum } from '../numbers/index.ts';
import { type RowWrite, rowTtl } from '../plan/index.ts';

/**
 * The watermark-only write of a row whose counter deltas cancelled out in this batch (say an item inserted
 * and deleted in the same batch), or undefined when the row has non-zero deltas, no counters, or is past
 * retention. Row-watermark exactly-once must still move such a row's watermark past the batch: otherwise a
 * later redelivery of only part of the batch (a bisected half, a replay from a checkpoint) would find no
 * watermark and apply the half that no longer cancels.
 *
 * @example
 * ```ts
 * const w = watermarkOnlyWrite(coalescer.get(pk, sk)!, Date.now()); // { adds: [], lastSeq, … } or undefined
 * ```
 */
export function watermarkOnlyWrite(acc: RowAcc, now: number): RowWrite | undefined {
  if (acc.attrs.length === 0) return undefined;
  for (const d of acc.deltas) if (!isZeroNum(d)) return undefined;
  const ttl = rowTtl(acc);
  if (ttl !== undefined && ttl * 1000 <= now) return undefined;
  return {
    rollup: acc.rollup.name,
    pk: acc.pk,
    sk: acc.sk,
    adds: [],
    ttl,
    leaderboard: undefined,
    firstSeq: acc.firstSeq,
    lastSeq: acc.lastSeq,
    lastApproxMs: acc.lastApproxMs,
  };
}

/**
 * The watermark-only writes of every row of a batch whose counter deltas cancelled out.
 *
 * @example
 * ```ts
 * const rows = [...plan.rows, ...cancelledRowWrites(fold.coalescer, now)];
 * ```
 */
export function cancelledRowWrites(coalescer: Coalescer, now: number): RowWrite[] {
  const out: RowWrite[] = [];
  for (const acc of coalescer.rows()) {
    const w = watermarkOnlyWrite(acc, now);
    if (w !== undefined) out.push(w);
  }
  return out;
}
