import { DynotallyError } from '../errors/index.ts';
import type { RowKind } from '../layout/placement.ts';
import { additionsFit, MAX_ADDS_PER_WRITE } from '../layout/write-limits.ts';
import type { CompiledMeasure } from './compiled.ts';

/** The longest packed-bucket suffix (`_1499`, `_9998`, `_15m45`, …), rounded up as in the row size bound. */
const SUFFIX = '_'.repeat(12);

/**
 * Throws `DEFINITION_INVALID` when one record could add more counters to one row than a single write can carry
 * ({@link additionsFit}: 100 counters, and a PartiQL statement within 8,192 characters). A batch whose rows
 * outgrow one write is applied in parts, record by record if need be, so this is the only case that could not be
 * written at all: it is refused when the rollup is defined, not met by a shard that retries forever.
 *
 * @example
 * ```ts
 * checkOneRecordFits('meter', rollup.compiled.rows, rollup.compiled.measures); // throws for 120 sums per row
 * ```
 */
export function checkOneRecordFits(
  rollup: string,
  rows: readonly RowKind[],
  measures: readonly CompiledMeasure[],
): void {
  for (const row of rows) {
    const names: string[] = [];
    for (const p of row.placements)
      for (const m of measures)
        if (m.additive && m.granularities.has(p.granularity.id))
          names.push(m.storeAs + (p.own ? '' : SUFFIX));
    if (additionsFit(names)) continue;
    throw new DynotallyError(
      'DEFINITION_INVALID',
      `rollup '${rollup}': one record adds ${names.length} counters to a '${row.row.id}' row, more than one DynamoDB write can carry (at most ${MAX_ADDS_PER_WRITE}, and a PartiQL statement within 8,192 characters); keep fewer count and sum measures at these granularities, shorten their names, or split the rollup in two`,
      { details: { rollup, row: row.row.id, counters: names.length, limit: MAX_ADDS_PER_WRITE } },
    );
  }
}
