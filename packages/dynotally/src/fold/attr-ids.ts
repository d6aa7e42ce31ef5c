const ids = new Map<string, number>();

/**
 * The process-wide integer id of an attribute name, so the cell table hashes and compares integers instead
 * of strings. Looked up once per name when the fold first builds a cell's names (cached per slot and packed
 * index in `cell-names.ts`), never per delta. Ids are never reused, so any folder may fill any coalescer.
 * The table holds each distinct attribute name once; names come from the rollups' layouts (a measure's
 * name plus a packed index), so it stays as small as the layouts in use.
 *
 * @example
 * ```ts
 * attrId('orders_22') === attrId('orders_22'); // true
 * ```
 */
export function attrId(name: string): number {
  let id = ids.get(name);
  if (id === undefined) {
    id = ids.size;
    ids.set(name, id);
  }
  return id;
}
