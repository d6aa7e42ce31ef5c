import type { Change } from '../decode/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { Coalescer, type Folder } from '../fold/index.ts';

/**
 * The first writes of `writes` that fit one `TransactWriteItems` of `limit` items with one watermark item per
 * rollup among them, in whole rollups (a rollup's rows and its watermark item go together): all of them when they
 * fit. A record's rows in one rollup are at most twice its row kinds, far below the limit.
 *
 * @example
 * ```ts
 * wholeRollupsWithin([{ row: { rollup: 'a' } }, { row: { rollup: 'b' } }], 3); // the first: 'a' and its item
 * ```
 */
export function wholeRollupsWithin<W extends { readonly row: { readonly rollup: string } }>(
  writes: readonly W[],
  limit: number,
): readonly W[] {
  const byRollup = new Map<string, W[]>();
  for (const w of writes) {
    const list = byRollup.get(w.row.rollup);
    if (list === undefined) byRollup.set(w.row.rollup, [w]);
    else list.push(w);
  }
  if (writes.length + byRollup.size <= limit) return writes;
  const out: W[] = [];
  for (const rows of byRollup.values()) {
    const rollups = out.length === 0 ? 0 : new Set(out.map((w) => w.row.rollup)).size;
    if (out.length + rows.length + rollups + 1 > limit) break;
    out.push(...rows);
  }
  if (out.length === 0)
    throw new DynotallyError(
      'INTERNAL_ERROR',
      `one record's rows in one rollup do not fit a transaction of ${limit} items`,
      { details: { rollup: writes[0]?.row.rollup, limit } },
    );
  return out;
}

/**
 * The transactional rows (`pk\u0000sk`) of a record that already hold it: those of rollups whose watermark item
 * is at or past the record, moved there by an earlier part of the record's rows (in this delivery or an earlier
 * one).
 *
 * @example
 * ```ts
 * keptByParts(change, keys, stored, folder); // ['view0#sred\u0000H2026-11-22T08', …]
 * ```
 */
export function keptByParts(
  change: Change,
  keys: ReadonlyMap<string, { readonly rollup: string }>,
  stored: ReadonlyMap<string, { readonly seq: string | undefined }>,
  folder: Folder,
): string[] {
  const probe = new Coalescer();
  folder.fold(change, probe);
  const out: string[] = [];
  for (const r of probe.rows()) {
    const key = `${r.pk}\u0000${r.sk}`;
    const target = keys.get(key);
    if (target === undefined) continue;
    const seq = stored.get(target.rollup)?.seq;
    if (seq !== undefined && seq >= change.sequenceNumber) out.push(key);
  }
  return out;
}
