import type { CompiledMeasure, CompiledRollup, CompiledRowKind } from '../definition/index.ts';
import { lastTimeAttr, packedSuffix } from '../fold/index.ts';
import type { Placement } from '../layout/placement.ts';
import { ALL_BUCKET, type Bucket, type GranularitySpec } from '../time/index.ts';

/**
 * Where one measure's value for one bucket is stored: the row (its kind and bucket; `sk` = `row.label`)
 * and the attribute, plus the attribute with its event time for `last` measures.
 *
 * @example
 * ```ts
 * // S4, orders on 2026-11-22: { row: M2026-11, attr: 'orders_22', timeAttr: undefined }
 * ```
 */
export interface CellLocation {
  readonly measure: CompiledMeasure;
  readonly granularity: GranularitySpec;
  readonly bucket: Bucket;
  readonly kind: CompiledRowKind;
  readonly row: Bucket;
  readonly attr: string;
  readonly timeAttr: string | undefined;
}

const placements = new WeakMap<
  CompiledRollup,
  Map<string, { kind: CompiledRowKind; placement: Placement }>
>();

/**
 * The row kind and placement holding granularity `g` of a rollup (from the packing rule in
 * `src/layout/placement.ts`).
 *
 * @example
 * ```ts
 * placementOf(storeMetrics.compiled, parseGranularity('day')).kind.row.id; // 'month'
 * ```
 */
export function placementOf(
  c: CompiledRollup,
  g: GranularitySpec,
): { kind: CompiledRowKind; placement: Placement } {
  let map = placements.get(c);
  if (map === undefined) {
    map = new Map();
    for (const kind of c.rows)
      for (const p of kind.placements) map.set(p.granularity.id, { kind, placement: p });
    placements.set(c, map);
  }
  const found = map.get(g.id);
  if (found === undefined) throw new Error(`rollup '${c.name}' does not keep granularity '${g.id}'`);
  return found;
}

/**
 * Locates the stored value of measure `m` for bucket `bucket` of granularity `g`.
 *
 * @example
 * ```ts
 * locateCell(c, c.measures[0], day, c.calendar.bucket(day, t)).attr; // 'orders_22'
 * ```
 */
export function locateCell(
  c: CompiledRollup,
  m: CompiledMeasure,
  g: GranularitySpec,
  bucket: Bucket,
): CellLocation {
  const { kind, placement } = placementOf(c, g);
  const row = kind.row.kind === 'all' ? ALL_BUCKET : c.calendar.bucket(kind.row, bucket.start);
  const attr = m.storeAs + (placement.own ? '' : packedSuffix(placement, bucket, row));
  return {
    measure: m,
    granularity: g,
    bucket,
    kind,
    row,
    attr,
    timeAttr: m.kind === 'last' ? lastTimeAttr(attr) : undefined,
  };
}
