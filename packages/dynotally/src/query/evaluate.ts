import type { CompiledMeasure } from '../definition/index.ts';
import { type Item, rowKey } from './fetch.ts';
import { MeasureAccumulator, type MeasureValue, readScalar } from './measure-value.ts';
import type { MeasureCells } from './plan-window.ts';

/**
 * Combines the cells of each measure from the rows read (live deltas already merged into them): sums for
 * count and sum, the smallest / largest for min and max, the latest by event time for last. Absent cells
 * are empty; measures in `all` without cells are `null`.
 *
 * @example
 * ```ts
 * const values = evaluate('jobs#sc-1', plan.measures, indexItems(items), allMeasures);
 * ```
 */
export function evaluate(
  pk: string,
  measures: readonly MeasureCells[],
  rows: ReadonlyMap<string, Item>,
  all: readonly CompiledMeasure[],
): Record<string, MeasureValue> {
  const values: Record<string, MeasureValue> = {};
  for (const m of all) values[m.name] = null;
  for (const { measure, cells } of measures) {
    const acc = new MeasureAccumulator(measure);
    for (const cell of cells) {
      const item = rows.get(rowKey(pk, cell.row.label));
      if (item === undefined) continue;
      const v = readScalar(item[cell.attr]);
      if (v === undefined) continue;
      const t =
        cell.timeAttr === undefined ? undefined : Number(item[cell.timeAttr]?.N ?? Number.NEGATIVE_INFINITY);
      acc.add(v, t);
    }
    values[measure.name] = acc.result();
  }
  return values;
}
