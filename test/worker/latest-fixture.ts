// The set-up of the stream worker's LATEST probes (reviews s23, s23b, s43): a FakeStream whose second poll of an
// iterator does not expire it, fresh aggregate and lease tables, and workers at `startingPosition: 'LATEST'`.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createAggregateTable, createLeaseTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  createStreamWorker,
  type StreamWorker,
  type StreamWorkerOptions,
} from '../../packages/dynotally/src/worker/index.ts';
import { ddbReady, uniqueTableName } from '../support/ddb.ts';
import { FakeStream } from './fake-stream.ts';
import { type Op, quietLogger, readLease, tallies } from './support.ts';

/** An order of group `g1` an hour old (its time decides nothing here), one `tallies` counts. */
export const latestOrder = (id: string): Op => ({
  kind: 'put',
  item: { id: { S: id }, g: { S: 'g1' }, t: { N: String(Date.now() - 3_600_000) }, amount: { N: '1' } },
});

/**
 * A FakeStream with `shards` (no records yet), tables `<name>-agg` and `<name>-lease`, and `make(workerId, more)`: a
 * `LATEST` worker of `tallies` on them (lease 3 s, heartbeat 400 ms, poll 100 ms, a quiet logger), `defaults` then
 * `more` over that. `lease(shardId)` reads a shard's lease item.
 *
 * @example
 * ```ts
 * const { stream, make, lease } = await latestWorkerFixture(clients.ddb, 's23-hand', ['shardId-1']);
 * const a = make('a', { client: slowClient });
 * ```
 */
export async function latestWorkerFixture(
  ddb: DynamoDBClient,
  name: string,
  shards: readonly string[],
  defaults: Partial<StreamWorkerOptions> = {},
) {
  await ddbReady();
  const stream = new FakeStream();
  stream.expireSecondPoll = false;
  for (const s of shards) stream.addShard(s);
  const aggregates = uniqueTableName(`${name}-agg`);
  const leases = uniqueTableName(`${name}-lease`);
  await Promise.all([createAggregateTable(ddb, aggregates), createLeaseTable(ddb, leases)]);
  const make = (workerId: string, more: Partial<StreamWorkerOptions> = {}): StreamWorker =>
    createStreamWorker({
      client: ddb,
      streamsClient: stream.client(),
      streamArn: stream.arn,
      leaseTable: leases,
      table: aggregates,
      rollups: [tallies],
      workerId,
      logger: quietLogger(),
      startingPosition: 'LATEST',
      leaseDurationMs: 3_000,
      heartbeatMs: 400,
      pollIntervalMs: 100,
      ...defaults,
      ...more,
    });
  const lease = (shardId: string) => readLease(ddb, leases, stream.arn, shardId);
  return { stream, aggregates, leases, make, lease };
}
