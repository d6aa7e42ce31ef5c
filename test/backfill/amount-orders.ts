// Shared by the backfill tests of items the fold cannot count (letters-crash.int, the s19 and s21 backfill reviews):
// a rollup summing `amount` per store, and ten orders of store `s`, three of them with a string amount.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';

/** Count and sum of `amount` per store, all time. */
export const amounts = defineRollup({
  name: 'amt',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
});

/** The orders' first event time. */
export const T0 = Date.UTC(2026, 10, 1);

/** Orders whose `amount` is a string: the fold refuses them (VALUE_INVALID). Two in the first chunk of five. */
export const BAD = new Set([1, 3, 7]);

/** Ten orders `o-0` … `o-9` of store `s`, one ms apart, amount 2 except {@link BAD}'s `'abc'`. */
export const amountOrders: Record<string, AttributeValue>[] = Array.from({ length: 10 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: 's' },
  t: { N: String(T0 + i) },
  amount: BAD.has(i) ? { S: 'abc' } : { N: '2' },
}));
