import type { CompiledMeasure } from '../definition/index.ts';
import { type Item, rowKey } from './fetch.ts';
import { type LiveCell, liveCellKey } from './live-source.ts';
import { MeasureAccumulator, type MeasureValue, readScalar } from './measure-value.ts';
import type { MeasureCells } from './plan-window.ts';

/**
 * Live cells indexed for merging; see {@link indexLive}.
 *
 * @example
 * ```ts
 * const live: LiveIndex = indexLive(await source.cells(req));
 * ```
 */
export type LiveIndex = ReadonlyMap<string, readonly LiveCell[]>;

/**
 * Indexes live cells by granularity, bucket and measure.
 *
 * @example
 * ```ts
 * indexLive([{ granularity: 'day', bucket: 'D2026-11-22', measure: 'orders', value: 2 }]).size; // 1
 * ```
 */
export function indexLive(cells: readonly LiveCell[]): Map<string, LiveCell[]> {
  const map = new Map<string, LiveCell[]>();
  for (const c of cells) {
    const k = liveCellKey(c.granularity, c.bucket, c.measure);
    const list = map.get(k);
    if (list === undefined) map.set(k, [c]);
    else list.push(c);
  }
  return map;
}

/**
 * Combines the cells of each measure from the rows read (and live cells): sums for count and sum, the
 * smallest / largest for min and max, the latest by event time for last. Absent cells are empty.
 *
 * @example
 * ```ts
 * const { values } = evaluate('jobs#sc-1', plan.measures, indexItems(items), undefined, allMeasures);
 * ```
 */
export function evaluate(
  pk: string,
  measures: readonly MeasureCells[],
  rows: ReadonlyMap<string, Item>,
  live: LiveIndex | undefined,
  all: readonly CompiledMeasure[],
): { values: Record<string, MeasureValue>; liveCells: number } {
  const values: Record<string, MeasureValue> = {};
  for (const m of all) values[m.name] = null;
  let liveCells = 0;
  for (const { measure, cells } of measures) {
    const acc = new MeasureAccumulator(measure);
    for (const cell of cells) {
      const item = rows.get(rowKey(pk, cell.row.label));
      if (item !== undefined) {
        const v = readScalar(item[cell.attr]);
        if (v !== undefined) {
          const t =
            cell.timeAttr === undefined
              ? undefined
              : Number(item[cell.timeAttr]?.N ?? Number.NEGATIVE_INFINITY);
          acc.add(v, t);
        }
      }
      const l = live?.get(liveCellKey(cell.granularity.id, cell.bucket.label, measure.name));
      if (l !== undefined) {
        for (const c of l) {
          acc.add(c.value, c.time);
          liveCells++;
        }
      }
    }
    values[measure.name] = acc.result();
  }
  return { values, liveCells };
}
