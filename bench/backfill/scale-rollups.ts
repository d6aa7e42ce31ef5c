// The rollup of the backfill scale run: version 1 (orders by store per day and all time) and version 2 (a new
// measure and a new granularity), the oracle's view of version 2, and the items (shared by the parent and the
// backfill child process, which must build the very same definition).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import type { OracleRollup } from '../../test/oracle/oracle.ts';

const time = { attribute: 't', format: 'epoch-millis' } as const;

export const storeV1 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time,
  granularities: ['day', 'all'],
  measures: { orders: count() },
});

export const storeV2 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time,
  granularities: ['day', 'month', 'all'],
  measures: { orders: count(), amount: sum('amount') },
});

export const oracleV2: OracleRollup = {
  name: 'store.v2',
  groupBy: ['storeId'],
  timeAttr: 't',
  zone: 'UTC',
  granularities: ['day', 'month', 'all'],
  measures: [
    { name: 'orders', kind: 'count' },
    { name: 'amount', kind: 'sum', attribute: 'amount' },
  ],
  ttlDeletes: 'subtract',
};

const BASE = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

/** A deterministic PRNG (LCG) so a run can be repeated. */
export function prng(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    return s % n;
  };
}

/** An order: one of 200 stores, a time within 300 days, an amount with cents. */
export function orderItem(id: number, rand: (n: number) => number): Record<string, AttributeValue> {
  return {
    id: { S: `o-${id}` },
    storeId: { S: `s-${rand(200)}` },
    t: { N: String(BASE + rand(300) * DAY + rand(DAY)) },
    amount: { N: `${rand(500)}.${rand(100)}` },
  };
}
