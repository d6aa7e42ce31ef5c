import type { Coalescer, RowAcc } from '../fold/index.ts';
import { additionsFit } from '../layout/write-limits.ts';

/**
 * Whether every row a folded batch touches can be written in one DynamoDB write ({@link additionsFit}). A row
 * packing many cells (minutes in an hour row, with several counters) can gather more of them over a long batch
 * than one statement or expression may carry; the applier then applies the batch in parts.
 *
 * @example
 * ```ts
 * if (!rowsFitOneWrite(foldBatch(rollups, records).coalescer)) console.log('applied in parts');
 * ```
 */
export function rowsFitOneWrite(coalescer: Coalescer): boolean {
  const rows = coalescer.rowList();
  for (let i = 0; i < rows.length; i++) {
    const attrs = (rows[i] as RowAcc).attrs;
    // 16 names of at most 44 characters (a 32-character measure and a packed suffix) always fit: only a longer
    // list is measured
    if (attrs.length > 16 && !additionsFit(attrs)) return false;
  }
  return true;
}
