import { type Coalescer, deltaOf, type RowAcc } from '../fold/index.ts';
import { isZeroNum } from '../numbers/index.ts';
import { leaderboardKey } from './leaderboard-key.ts';
import type { ExtremumWrite, RowWrite, WritePlan } from './row-write.ts';

/** Options for {@link planWrites}. */
export interface PlanOptions {
  /** The current time (ms): rows already past retention are dropped. */
  now: number;
}

/**
 * Turns coalesced rows into the write plan: zero deltas dropped, rows with nothing left dropped, rows past
 * their retention dropped (a late decrement never resurrects an expired row), TTL computed from the
 * bucket's end plus the row kind's retention.
 *
 * @example
 * ```ts
 * const plan = planWrites(foldBatch(rollups, records).coalescer, { now: Date.now() });
 * plan.rows.length; // ≤ distinct rows touched
 * ```
 */
export function planWrites(coalescer: Coalescer, options: PlanOptions): WritePlan {
  const rows: RowWrite[] = [];
  const extrema: ExtremumWrite[] = [];
  let expired = 0;
  let cancelled = 0;
  const list = coalescer.rowList();
  for (let i = 0; i < list.length; i++) {
    const acc = list[i] as RowAcc;
    const ttl = rowTtl(acc);
    const adds = nonZero(acc);
    const hasExtrema = acc.extrema !== undefined && acc.extrema.size > 0;
    if (adds.length === 0 && !hasExtrema) {
      cancelled++;
      continue;
    }
    if (ttl !== undefined && ttl * 1000 <= options.now) {
      expired++;
      continue;
    }
    if (adds.length > 0) rows.push(rowWrite(acc, adds, ttl));
    if (hasExtrema) {
      for (const [attr, e] of acc.extrema as Map<
        string,
        { op: 'min' | 'max' | 'last'; value: ExtremumWrite['value']; time: number }
      >) {
        extrema.push({
          rollup: acc.rollup.name,
          pk: acc.pk,
          sk: acc.sk,
          attr,
          op: e.op,
          value: e.value,
          time: e.time,
          ttl,
        });
      }
    }
  }
  return { rows, extrema, expired, cancelled };
}

/**
 * The write for one coalesced row, or undefined when its deltas cancel out or it is past retention
 * (used to re-plan a single row after a partial earlier delivery).
 *
 * @example
 * ```ts
 * const w = planRow(coalescer.get(pk, sk)!, { now: Date.now() });
 * ```
 */
export function planRow(acc: RowAcc, options: PlanOptions): RowWrite | undefined {
  const ttl = rowTtl(acc);
  if (ttl !== undefined && ttl * 1000 <= options.now) return undefined;
  const adds = nonZero(acc);
  return adds.length === 0 ? undefined : rowWrite(acc, adds, ttl);
}

/**
 * The TTL (epoch seconds) of a row, or undefined when its kind is kept forever.
 *
 * @example
 * ```ts
 * rowTtl(acc); // 1764460800
 * ```
 */
export function rowTtl(acc: Pick<RowAcc, 'kind' | 'bucketEnd'>): number | undefined {
  const keep = acc.kind.retentionMs;
  if (keep === Number.POSITIVE_INFINITY || acc.bucketEnd === Number.POSITIVE_INFINITY) return undefined;
  return Math.ceil((acc.bucketEnd + keep) / 1000);
}

type Add = readonly [string, RowWrite['adds'][number][1]];

/** The non-zero deltas sorted by attribute name (insertion sort: rows hold a handful of attributes). */
function nonZero(acc: RowAcc): Add[] {
  const { attrs, deltas } = acc;
  let k = 0;
  for (let i = 0; i < deltas.length; i++) {
    const v = deltas[i] as Add[1];
    if (typeof v === 'number' ? v !== 0 : !isZeroNum(v)) k++;
  }
  const out = new Array<Add>(k); // exact size
  let n = 0;
  for (let i = 0; i < attrs.length; i++) {
    const v = deltas[i] as Add[1];
    if (typeof v === 'number' ? v === 0 : isZeroNum(v)) continue;
    const add: Add = [attrs[i] as string, v];
    let j = n++;
    while (j > 0 && (out[j - 1] as Add)[0] > add[0]) {
      out[j] = out[j - 1] as Add;
      j--;
    }
    out[j] = add;
  }
  return out;
}

function rowWrite(acc: RowAcc, adds: RowWrite['adds'], ttl: number | undefined): RowWrite {
  let leaderboard: RowWrite['leaderboard'];
  const lb = acc.rollup.leaderboard;
  if (acc.kind.ranked && lb !== undefined) {
    const m = acc.rollup.measures.find((x) => x.name === lb.measure);
    const delta = m === undefined ? undefined : deltaOf(acc, m.storeAs);
    if (delta !== undefined && !isZeroNum(delta)) {
      leaderboard = { key: leaderboardKey(acc.rollup.name, acc.sk, acc.pk, lb.shards), delta };
    }
  }
  return {
    rollup: acc.rollup.name,
    pk: acc.pk,
    sk: acc.sk,
    adds,
    ttl,
    leaderboard,
    firstSeq: acc.firstSeq,
    lastSeq: acc.lastSeq,
    lastApproxMs: acc.lastApproxMs,
  };
}
