import type { Operation, SourceItem } from './types.ts';

/**
 * The source table's contents after applying `ops` in order (puts overwrite, deletes remove).
 *
 * @example
 * ```ts
 * const items = finalItems(generateWorkload({ events: 300 }));
 * ```
 */
export function finalItems(ops: Iterable<Operation>): SourceItem[] {
  const table = new Map<string, SourceItem>();
  for (const op of ops) {
    if (op.op === 'put') table.set(op.item.pk, op.item);
    else table.delete(op.key.pk);
  }
  return [...table.values()];
}
