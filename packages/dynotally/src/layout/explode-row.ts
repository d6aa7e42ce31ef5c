import type { CompiledRollup } from '../definition/index.ts';
import type { Bucket } from '../time/index.ts';
import type { Placement } from './placement.ts';

/**
 * A packed cell's index: at most 4 digits (minutes of a 25-hour day, a year). A take-back marker `x_<12 hex>` or a
 * legacy watermark `w_<12 hex>` whose hex digits happen to be decimal is no cell of a measure stored as `x` or `w`.
 */
const DIGITS = /^\d{1,4}$/;

/**
 * One stored value, located: which granularity and bucket of which measure an attribute holds.
 *
 * @example
 * ```ts
 * // { granularity: 'day', bucket: 'D2026-11-22', measure: 'orders', attr: 'orders_22' }
 * ```
 */
export interface CellRef {
  readonly granularity: string;
  readonly bucket: string;
  readonly measure: string;
  readonly attr: string;
}

/**
 * The bucket label of a packed attribute index inside a host row.
 *
 * @example
 * ```ts
 * subBucketLabel(c, dayPlacement, monthBucket, '22'); // 'D2026-11-22'
 * ```
 */
export function subBucketLabel(c: CompiledRollup, p: Placement, host: Bucket, index: string): string {
  switch (p.sub) {
    case 'min':
      return c.calendar.bucket(p.granularity, host.start + Number(index) * 60_000).label;
    case 'nmin':
      return c.calendar.bucket(p.granularity, host.start + Number(index) * 60_000).label;
    case 'sec':
      return c.calendar.bucket(p.granularity, host.start + Number(index) * 1000).label;
    case 'dom':
      return `D${host.label.slice(1, 8)}-${index.padStart(2, '0')}`;
    case 'moy':
      return `M${host.label.slice(1, 5)}-${index.padStart(2, '0')}`;
    case 'year':
      return `Y${index}`;
    default:
      return host.label;
  }
}

/**
 * Every measure value a stored row holds, located by granularity and bucket. The inverse of the fold's
 * packing; used by the query client and by tests that compare a table with the oracle.
 *
 * @example
 * ```ts
 * for (const { ref, value } of explodeRow(rollup.compiled, item.sk.S!, item)) console.log(ref.bucket, value);
 * ```
 */
export function explodeRow<V>(
  c: CompiledRollup,
  sk: string,
  attrs: Readonly<Record<string, V>>,
): Array<{ ref: CellRef; value: V }> {
  const kind = c.rows.find((r) => labelKind(sk) === r.row.id);
  if (kind === undefined) return [];
  const host = c.calendar.bucketByLabel(sk);
  const out: Array<{ ref: CellRef; value: V }> = [];
  for (const p of kind.placements) {
    for (const m of c.measures) {
      if (!m.granularities.has(p.granularity.id)) continue;
      if (p.own) {
        const v = attrs[m.storeAs];
        if (v !== undefined)
          out.push({
            ref: { granularity: p.granularity.id, bucket: sk, measure: m.name, attr: m.storeAs },
            value: v,
          });
        continue;
      }
      const prefix = p.sub === 'nmin' ? `${m.storeAs}_${p.granularity.minutes}m` : `${m.storeAs}_`;
      for (const attr in attrs) {
        if (!attr.startsWith(prefix)) continue;
        const index = attr.slice(prefix.length);
        if (!DIGITS.test(index)) continue; // e.g. the `_t` time of a `last` value, or another placement's `_15m30`
        const label = subBucketLabel(c, p, host, index);
        out.push({
          ref: { granularity: p.granularity.id, bucket: label, measure: m.name, attr },
          value: attrs[attr] as V,
        });
      }
    }
  }
  return out;
}

/**
 * The granularity id a row sort key belongs to (`H…` → hour, `M…` → month, `ALL` → all).
 *
 * @example
 * ```ts
 * labelKind('D2026-11-22'); // 'day'
 * ```
 */
export function labelKind(sk: string): string {
  switch (sk[0]) {
    case 's':
      return 'second';
    case 'm':
      return 'minute';
    case 'H':
      return 'hour';
    case 'D':
      return 'day';
    case 'W':
      return 'week';
    case 'M':
      return 'month';
    case 'Y':
      return 'year';
    case 'A':
      return 'all';
    default:
      return '';
  }
}
