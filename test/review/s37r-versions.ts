// The two s37r probes' set-up: a rollup whose version 1 serves and version 2 (another definition) is being built, a
// versioned write side over both on a clock the test moves, and a DynamoDB dead-letter sink.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { backfillTables } from '../backfill/backfill-tables.ts';
import { uniqueTableName } from '../support/ddb.ts';

const config = {
  name: 'money',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), amt: sum('amount') },
} as const;
/** Version 1 serves; version 2 (another definition) is built by a backfill. */
export const v1 = defineRollup(config);
export const v2 = defineRollup({ ...config, granularities: ['all', 'year'] });

/** 24 h 30 min: a record older than this is late (`lateAfterSeconds` of the default horizon). */
export const LATE_AFTER_MS = 88_200_000;

/**
 * Tables with both versions registered, a dead-letter table and its sink, and a versioned side (late records
 * dead-lettered) whose clock is `now()`.
 */
export async function twoVersions(client: DynamoDBClient, prefix: string, now: () => number) {
  const t = await backfillTables(client, prefix, []);
  await registerVersions(client, t.table, [v1.compiled]);
  await registerVersions(client, t.table, [v2.compiled]);
  const deadLetterTable = uniqueTableName('s37r-dl');
  await createDeadLetterTable(client, deadLetterTable);
  const sink = new DynamoDbDeadLetterSink(client, deadLetterTable);
  const side = createVersionedWriteSide({
    client,
    table: t.table,
    claimTable: t.claimTable,
    rollups: [v1, v2],
    apply: { lateRecords: 'dead-letter' },
    now,
  });
  return { t, deadLetterTable, sink, side };
}
