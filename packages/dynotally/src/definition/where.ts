import type { Image, LazyItem, PlainItem } from '../decode/index.ts';

/** A value an equality filter compares with. */
export type WhereValue = string | number | boolean | null;

/**
 * A filter on source items: attribute equality (`{ type: 'order' }`, an array means "any of"),
 * or a predicate over the plain item.
 *
 * @example
 * ```ts
 * const orders: Where = { type: 'order' };
 * const bigOrders: Where = (item) => item.type === 'order' && Number(item.amount) > 100;
 * ```
 */
export type Where =
  | Readonly<Record<string, WhereValue | readonly WhereValue[]>>
  | ((item: PlainItem) => boolean);

/** A compiled filter: reads the raw image; the plain view is computed lazily, only for predicate filters. */
export type CompiledWhere = (image: Image, item: LazyItem) => boolean;
