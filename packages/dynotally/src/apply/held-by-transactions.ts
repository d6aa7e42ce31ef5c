import type { Change } from '../decode/index.ts';
import { Coalescer, type Folder } from '../fold/index.ts';

/**
 * The rows (`pk\u0000sk`) of a record that hold it through the per-shard transaction path: those of its rows that
 * are transactional here and whose rollup's watermark item for the shard is at or past the record. An earlier
 * delivery's transaction added the record there (an earlier part of its rows, before a crash), and such a row
 * keeps no per-row state to take it back by: when the record is refused on another row, these rows keep it, like
 * rows whose take-back was refused, and its letter leaves them out. Read before the record's exclusion is
 * recorded, so the entry names them from the start.
 *
 * @example
 * ```ts
 * const kept = await heldByTransactions(change, folder, toTransact, (rollup) => watermarkOf(rollup));
 * ```
 */
export async function heldByTransactions(
  change: Change,
  folder: Folder,
  transactional: ReadonlyMap<string, { readonly rollup: string }>,
  watermarkOf: (rollup: string) => Promise<string | undefined>,
): Promise<string[]> {
  if (transactional.size === 0) return [];
  const probe = new Coalescer();
  folder.fold(change, probe);
  const out: string[] = [];
  for (const r of probe.rows()) {
    const key = `${r.pk}\u0000${r.sk}`;
    const row = transactional.get(key);
    if (row === undefined) continue;
    const seq = await watermarkOf(row.rollup);
    if (seq !== undefined && seq >= change.sequenceNumber) out.push(key);
  }
  return out;
}
