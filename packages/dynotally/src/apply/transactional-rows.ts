import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { numberSize, utf8Length } from '../cost/item-size.ts';
import { shardStateOf } from './shard-state.ts';
import { TRANSACTIONAL_ATTR } from './transactional-marker.ts';

/**
 * Default of `ApplierOptions.stateBudgetBytes`: about 80 shard states in the compact encoding. Past it a small
 * row's per-row write costs 3 units or more, a transactional one about 2 plus its share of the watermark item.
 */
export const DEFAULT_STATE_BUDGET_BYTES = 2048;
const LIMIT = 10_000;

/**
 * Bytes of a row's exactly-once state (its shard-state attributes, names and values, by DynamoDB's sizing
 * rules).
 *
 * @example
 * ```ts
 * stateBytesOf({ pk: { S: 'p' }, '~Xx3f_Q2a': { N: '100000000000000000123492168' } }); // 9 + 15
 * ```
 */
export function stateBytesOf(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const name in item) {
    const value = item[name] as AttributeValue;
    if (shardStateOf(name, value) === undefined) continue;
    bytes += utf8Length(name) + (value.N !== undefined ? numberSize(value.N) : utf8Length(value.S ?? ''));
  }
  return bytes;
}

/**
 * True when a stored row is marked transactional ({@link TRANSACTIONAL_ATTR}).
 *
 * @example
 * ```ts
 * isTransactionalItem(e.Item); // true once any shard moved the row to the transaction path
 * ```
 */
export function isTransactionalItem(item: Record<string, AttributeValue> | undefined): boolean {
  return item?.[TRANSACTIONAL_ATTR] !== undefined;
}

/**
 * The rows this process knows to be written through the per-shard transaction path: rows marked transactional,
 * and rows whose exactly-once state was seen over the budget (their next write marks them). Learnt from the old
 * rows the store returns (sampled writes, failed conditions); bounded. Forgetting a row costs one refused
 * per-row write, never a count: the marker refuses it and the row is sent the transactional way.
 *
 * @example
 * ```ts
 * const rows = new TransactionalRows(4096);
 * rows.learn(key, out.Attributes);
 * rows.has(key); // true when the row carries more than 4 KB of shard states
 * ```
 */
export class TransactionalRows {
  /** Row key → the row's shard states as last seen (for the writing shard's own state), or undefined. */
  private readonly rows = new Map<string, Record<string, AttributeValue> | undefined>();
  /** Row keys known to carry the marker `~tx` (a row never loses it): this process committed a transaction on the
   * row, or the store returned it marked. */
  private readonly markedRows = new Set<string>();

  constructor(readonly budgetBytes: number = DEFAULT_STATE_BUDGET_BYTES) {}

  /**
   * Learns from a stored row: marked, or over the budget, makes the row transactional here. True when the row is
   * over the budget but not marked yet (the caller marks it, so that every other process learns it too).
   */
  learn(rowKey: string, item: Record<string, AttributeValue> | undefined): boolean {
    if (item === undefined) return false;
    const marked = isTransactionalItem(item);
    if (!marked && stateBytesOf(item) <= this.budgetBytes) return false;
    this.remember(rowKey, statesOf(item), marked);
    return !marked;
  }

  has(rowKey: string): boolean {
    return this.rows.has(rowKey);
  }

  /** The row's shard states as last seen (undefined once this process wrote it transactionally). */
  seen(rowKey: string): Record<string, AttributeValue> | undefined {
    return this.rows.get(rowKey);
  }

  /**
   * A per-row write just set the writer's state (and removed the superseded encoding, finished shards' states and
   * pruned ones): the remembered states follow, so the row's first transactional write is not cancelled on them.
   */
  wroteStates(
    rowKey: string,
    wm: {
      readonly attr: string;
      readonly value: string | AttributeValue;
      readonly remove?: string | undefined;
      readonly drop?: readonly string[] | undefined;
    },
    pruned: readonly string[] | undefined,
  ): void {
    const states = this.rows.get(rowKey);
    if (states === undefined) return;
    for (const attr of [wm.remove, ...(wm.drop ?? []), ...(pruned ?? [])])
      if (attr !== undefined) delete states[attr];
    states[wm.attr] = typeof wm.value === 'string' ? { S: wm.value } : wm.value;
  }

  /** The row was written transactionally: the writing shard's state is gone from it. */
  wrote(rowKey: string): void {
    this.remember(rowKey, undefined, true);
  }

  /**
   * True when the row is known to carry the marker: a transaction of this process wrote it, or the store returned
   * it marked. Rows whose deltas cancel out need not be written then (their rollup's watermark item still moves).
   */
  marked(rowKey: string): boolean {
    return this.markedRows.has(rowKey);
  }

  private remember(
    rowKey: string,
    states: Record<string, AttributeValue> | undefined,
    marked: boolean,
  ): void {
    if (this.rows.size >= LIMIT && !this.rows.has(rowKey)) {
      this.rows.clear();
      this.markedRows.clear();
    }
    this.rows.set(rowKey, states);
    if (marked) this.markedRows.add(rowKey);
  }
}

function statesOf(item: Record<string, AttributeValue>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const name in item) {
    const value = item[name] as AttributeValue;
    if (shardStateOf(name, value) !== undefined) out[name] = value;
  }
  return out;
}
