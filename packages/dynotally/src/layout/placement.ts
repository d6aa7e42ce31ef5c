import { type GranularitySpec, granularityOrder, parseGranularity } from '../time/index.ts';

/**
 * How the fine bucket's index inside its host row is written in attribute names:
 * `sec`/`min` = seconds/minutes from the host row's start, `nmin` = `<N>m<minutes>` (so N-minute buckets never
 * collide with minutes in the same hour row), `dom` day of month, `moy` month of year, `year`.
 */
export type SubIndex = 'sec' | 'min' | 'nmin' | 'dom' | 'moy' | 'year';

/**
 * Where one granularity's values live: in its own row (`own`, the attribute is the measure's name) or
 * packed into a coarser host row (the attribute is `<measure>_<index>`).
 *
 * @example
 * ```ts
 * // S4: days packed into month rows
 * const p: Placement = { granularity: day, row: month, own: false, sub: 'dom' };
 * ```
 */
export interface Placement {
  readonly granularity: GranularitySpec;
  readonly row: GranularitySpec;
  readonly own: boolean;
  readonly sub: SubIndex | undefined;
}

/**
 * One kind of aggregate row a rollup writes (its sort key is the row bucket's label) and what it holds.
 *
 * @example
 * ```ts
 * // S0: hour rows hold 60 minute attributes and the hour total
 * layout.rows[0].row.id; // 'hour'
 * ```
 */
export interface RowKind {
  readonly row: GranularitySpec;
  readonly placements: readonly Placement[];
}

const HOST: Readonly<Record<string, string>> = {
  second: 'minute',
  minute: 'hour',
  nminute: 'hour',
  hour: 'day',
  day: 'month',
  month: 'year',
  year: 'all',
};

const SUB: Readonly<Record<string, SubIndex>> = {
  second: 'sec',
  minute: 'min',
  nminute: 'nmin',
  hour: 'min',
  day: 'dom',
  month: 'moy',
  year: 'year',
};

/** Granularities that can have rows of their own (and so leaderboards). */
export const ROW_CAPABLE: ReadonlySet<string> = new Set([
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'all',
]);

/**
 * The packing rule. Walking the granularities fine → coarse, a granularity gets its own row when a row
 * of its kind already exists (it hosts finer buckets), when it is ranked by a leaderboard, or when it has no
 * natural host (week, all); otherwise it is packed as attributes of its natural host row
 * (second→minute, minute/Nm→hour, hour→day, day→month, month→year, year→all). So each event touches as
 * few rows as possible: S0 (minute, hour) touches 1 row, S4 (day, month, year, all) 2 rows.
 *
 * @example
 * ```ts
 * const rows = planLayout(['day', 'month', 'year', 'all'].map(parseGranularity), new Set());
 * rows.map((r) => r.row.id); // ['month', 'all']
 * ```
 */
export function planLayout(
  granularities: readonly GranularitySpec[],
  ranked: ReadonlySet<string>,
): RowKind[] {
  const sorted = [...granularities].sort((a, b) => granularityOrder(a) - granularityOrder(b));
  const rows = new Map<string, { row: GranularitySpec; placements: Placement[] }>();
  const rowOf = (spec: GranularitySpec) => {
    let r = rows.get(spec.id);
    if (r === undefined) {
      r = { row: spec, placements: [] };
      rows.set(spec.id, r);
    }
    return r;
  };
  for (const g of sorted) {
    const host = HOST[g.kind];
    const canOwn = ROW_CAPABLE.has(g.kind);
    if (canOwn && (rows.has(g.id) || ranked.has(g.id) || host === undefined)) {
      rowOf(g).placements.push({ granularity: g, row: g, own: true, sub: undefined });
    } else {
      const hostSpec = parseGranularity(host as string);
      rowOf(hostSpec).placements.push({ granularity: g, row: hostSpec, own: false, sub: SUB[g.kind] });
    }
  }
  return [...rows.values()].sort((a, b) => granularityOrder(a.row) - granularityOrder(b.row));
}
