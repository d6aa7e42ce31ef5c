// What `last` keeps on a tie of event times: values applied at one event time, in the batches given, through a fresh
// `Applier` on DynamoDB Local (test/apply/last-ties-types.int.test.ts, test/review/s37t-last-lone-surrogate…).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Applier, type WriteApi } from '../../packages/dynotally/src/apply/index.ts';
import { defineRollup, last } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { uniqueTableName } from '../support/ddb.ts';
import { canonicalCells, scanTable } from '../support/pipeline.ts';

/** A `last()` value as a stream image holds it (a plain string is `{ S }`). */
export type LastValue = string | { S: string } | { N: string } | { BOOL: boolean };

const rollup = defineRollup({
  name: 'labels',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['day'],
  measures: { latest: last('s') },
});
const T = Date.UTC(2026, 2, 1, 12);

const put = (seq: number, s: LastValue): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-03-01T00:00:00.000',
  dynamodb: {
    SequenceNumber: String(seq),
    ApproximateCreationDateTime: T / 1000,
    Keys: { id: { S: `i${seq}` } },
    NewImage: {
      id: { S: `i${seq}` },
      g: { S: 'x' },
      ts: { N: String(T) },
      s: typeof s === 'string' ? { S: s } : s,
    },
  },
});

/**
 * The stored `last` after the batches (its canonical text), and the codes of the records refused, in order.
 *
 * @example
 * ```ts
 * const { value } = await lastAfter(clients.ddb, 'partiql', [[{ BOOL: true }], [{ BOOL: false }]]); // 'true'
 * ```
 */
export async function lastAfter(
  client: DynamoDBClient,
  api: WriteApi,
  batches: readonly (readonly LastValue[])[],
): Promise<{ value: string | undefined; refused: string[] }> {
  const table = uniqueTableName(`last-tie-${api}`);
  await createAggregateTable(client, table);
  const applier = new Applier({ lateRecords: 'apply', client, table, rollups: [rollup], write: { api } });
  const refused: string[] = [];
  let seq = 100;
  for (const values of batches) {
    const out = await applier.apply({ records: values.map((v) => put(seq++, v)), shardId: 's' });
    refused.push(...out.poison.map((p) => p.error.code));
  }
  const cells = canonicalCells([rollup.compiled], await scanTable(client, table));
  return { value: cells.get('labels|[["string","x"]]|day|D2026-03-01|latest'), refused };
}
