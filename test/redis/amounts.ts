// The `amounts` rollup of the Redis buffer's 38-digit tests (review s19 / s19b), its records and its all-time rows.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { amounts } from '../apply/digits-rollups.ts';
import { scanItems } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';

// count and sum of `amount` per group `g`, all-time only: the direct applier's 38-digit tests use the same
export { amounts };

/**
 * A source of INSERT records of group `g` with an `amount` (a DynamoDB number string), all at event time `t`;
 * sequence numbers count up from 1001.
 *
 * @example
 * ```ts
 * const rec = amountRecords(START);
 * await applier.apply({ records: [rec('big', '1e20')], shardId: 's-1' });
 * ```
 */
export function amountRecords(t: number): (g: string, amount: string) => DynamoDBRecord {
  const insert = streamInserts({ from: 1000, idPrefix: 'i' });
  return (g, amount) => insert({ g: { S: g }, amount: { N: amount } }, t);
}

/** The amount of an `amounts` record. */
export const amountOf = (r: DynamoDBRecord): string | undefined => r.dynamodb?.NewImage?.amount?.N;

/** Group → `n/total` of every all-time `amounts` row in `table`. */
export async function allTimeTotals(ddb: DynamoDBClient, table: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of await scanItems(ddb, table))
    if (item.sk?.S === 'ALL')
      out[(item.pk?.S ?? '').replace(/^amounts#s/, '')] = `${item.n?.N}/${item.total?.N}`;
  return out;
}
