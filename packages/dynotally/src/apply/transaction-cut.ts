import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Change } from '../decode/index.ts';
import { Coalescer, type Folder, type RowAcc } from '../fold/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import {
  fitsOneTransaction,
  knownRowBytes,
  rowBytesBound,
  WATERMARK_ITEM_BYTES,
} from './transaction-bytes.ts';

/**
 * Items in one `TransactWriteItems`: a chunk's rows and one watermark item per rollup among them (several
 * rollups, or a rollup and its version under backfill, each have their own).
 *
 * @example
 * ```ts
 * MAX_TRANSACTION_ITEMS; // 100
 * ```
 */
export const MAX_TRANSACTION_ITEMS = DYNAMO_LIMITS.transactionItems;

/**
 * What the transactional write knows of its rows' sizes: the whole items the store returned, the attributes
 * written to them since, and the state bytes a row past the applier's budget may carry beyond the definition's
 * size rule.
 *
 * @example
 * ```ts
 * const sizes: RowSizes = { items: new Map(), added: new Map(), stateBytes: DEFAULT_STATE_BUDGET_BYTES };
 * ```
 */
export interface RowSizes {
  readonly items: Map<string, Record<string, AttributeValue>>;
  readonly added: Map<string, Set<string>>;
  readonly stateBytes: number;
}

/**
 * The bytes a transactional row counts for in a transaction adding `attrs`: its known size with what the write
 * adds (`knownRowBytes`), or, when its item was not returned, its kind's bound with the state budget on top.
 *
 * @example
 * ```ts
 * rowBytes(`${acc.pk}\u0000${acc.sk}`, acc, acc.attrs, sizes);
 * ```
 */
export function rowBytes(key: string, acc: RowAcc, attrs: Iterable<string>, sizes: RowSizes): number {
  const item = sizes.items.get(key);
  if (item === undefined) return rowBytesBound(acc.rollup, acc.kind, sizes.stateBytes);
  return knownRowBytes(item, [...attrs, ...(sizes.added.get(key) ?? [])]);
}

/**
 * The longest prefix of records whose transactional rows fit one transaction with their rollups' watermark
 * items (at least one record): rows plus one item per rollup among them within DynamoDB's 100, and their sizes
 * ({@link rowBytes}) with the watermark items within `TRANSACTION_BYTES_BUDGET`.
 *
 * @example
 * ```ts
 * const chunk = cutChunk(pending, keys, sizes, folder); // pending.slice(0, n), n ≥ 1
 * ```
 */
export function cutChunk(
  changes: readonly Change[],
  keys: ReadonlyMap<string, { readonly rollup: string }>,
  sizes: RowSizes,
  folder: Folder,
): readonly Change[] {
  const all = new Set<string>();
  for (const k of keys.values()) all.add(k.rollup);
  // every row at 400 KB still fits: no need to fold record by record
  if (
    fitsOneTransaction(
      keys.size + all.size,
      keys.size * DYNAMO_LIMITS.itemBytes + all.size * WATERMARK_ITEM_BYTES,
    )
  )
    return changes;
  const rows = new Map<string, { acc: RowAcc; attrs: Set<string>; bytes: number }>();
  const rollups = new Set<string>();
  let bytes = 0;
  let n = 0;
  for (; n < changes.length; n++) {
    const probe = new Coalescer();
    folder.fold(changes[n] as Change, probe);
    let added = 0;
    let more = 0;
    const grown = new Map<string, { acc: RowAcc; attrs: Set<string>; bytes: number }>();
    const newRollups = new Set<string>();
    for (const r of probe.rows()) {
      const key = `${r.pk}\u0000${r.sk}`;
      const target = keys.get(key);
      if (target === undefined) continue;
      const held = rows.get(key);
      const attrs = new Set(held?.attrs);
      for (const a of r.attrs) attrs.add(a);
      const size = rowBytes(key, held?.acc ?? r, attrs, sizes);
      more += size - (held?.bytes ?? 0);
      grown.set(key, { acc: held?.acc ?? r, attrs, bytes: size });
      if (held !== undefined) continue;
      added++;
      if (!rollups.has(target.rollup)) newRollups.add(target.rollup);
    }
    const items = rows.size + added + rollups.size + newRollups.size;
    const size = bytes + more + (rollups.size + newRollups.size) * WATERMARK_ITEM_BYTES;
    if (n > 0 && !fitsOneTransaction(items, size)) break;
    for (const [key, row] of grown) rows.set(key, row);
    for (const r of newRollups) rollups.add(r);
    bytes += more;
  }
  return changes.slice(0, Math.max(1, n));
}
