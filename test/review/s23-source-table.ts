// What the s23/s23b/s24 tests of a worker following its source table to a new stream share: the three tables, an
// order with an amount (the sums tell which orders were counted), the stream disabled and enabled again, and a worker
// with the tests' short periods.
import { type DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import {
  createAggregateTable,
  createLeaseTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import {
  createStreamWorker,
  type StreamWorker,
  type StreamWorkerOptions,
} from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, uniqueTableName } from '../support/ddb.ts';
import { type Op, quietLogger, tallies } from '../worker/support.ts';

/**
 * A put of order `id` in group g1, an hour ago, with `amount`.
 *
 * @example
 * ```ts
 * await writeOps(clients.ddb, source, [amountOrder('a', 10)]);
 * ```
 */
export const amountOrder = (id: string, amount = 1): Op => ({
  kind: 'put',
  item: {
    id: { S: id },
    g: { S: 'g1' },
    t: { N: String(Date.now() - 3_600_000) },
    amount: { N: String(amount) },
  },
});

/**
 * A source table with a stream (key `id`), an aggregate table and a lease table, fresh names under `prefix`.
 *
 * @example
 * ```ts
 * const { source, aggregates, leases } = await sourceTables(clients.ddb, 's23b-rst');
 * ```
 */
export async function sourceTables(
  ddb: DynamoDBClient,
  prefix: string,
): Promise<{ source: string; aggregates: string; leases: string }> {
  await ddbReady();
  const source = uniqueTableName(`${prefix}-src`);
  const aggregates = uniqueTableName(`${prefix}-agg`);
  const leases = uniqueTableName(`${prefix}-lease`);
  await Promise.all([
    createSourceTable(ddb, source, { id: 'S' }),
    createAggregateTable(ddb, aggregates),
    createLeaseTable(ddb, leases),
  ]);
  return { source, aggregates, leases };
}

/**
 * Disables the table's stream and enables it again: a new stream with a new ARN, the old one closed.
 *
 * @example
 * ```ts
 * await reenableStream(clients.ddb, source);
 * ```
 */
export async function reenableStream(ddb: DynamoDBClient, source: string): Promise<void> {
  await ddb.send(
    new UpdateTableCommand({ TableName: source, StreamSpecification: { StreamEnabled: false } }),
  );
  await ddb.send(
    new UpdateTableCommand({
      TableName: source,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
}

/**
 * A stream worker following `tables.source` (its `sourceTable`), folding `tallies` into `tables.aggregates`, with the
 * short lease, heartbeat, poll and discovery periods these tests use; `options` adds to or replaces any of them
 * (`streamsClient` a held one, `streamArn` for a worker on one stream only, `logger` one to read).
 *
 * @example
 * ```ts
 * const w = followingWorker(clients, tables, 's24-run', { streamsClient: held });
 * ```
 */
export function followingWorker(
  clients: { ddb: DynamoDBClient; streams: DynamoDBStreamsClient },
  tables: { source: string; aggregates: string; leases: string },
  workerId: string,
  options: Partial<StreamWorkerOptions> = {},
): StreamWorker {
  return createStreamWorker({
    client: clients.ddb,
    streamsClient: clients.streams,
    ...(options.streamArn === undefined ? { sourceTable: tables.source } : {}),
    leaseTable: tables.leases,
    table: tables.aggregates,
    rollups: [tallies],
    workerId,
    logger: quietLogger(),
    leaseDurationMs: 3_000,
    heartbeatMs: 500,
    pollIntervalMs: 100,
    discoveryIntervalMs: 1_000,
    ...options,
  });
}
