// Fixed (session 39, helper s39v): createVersionedWriteSide's apply runs checkOneStream first
// (versions/versioned-write-side.ts), before the control items are read or any claim written.
// Break-check: without that call, the claim table holds the batch's two claims after the refusal (fails).
// Review s39v (today's one-stream check in orderBatch, e2d18db3: "a batch of two streams given to … a versioned write
// side directly is refused as the handler's is"). Severity: low (a wiring error of a direct caller; Lambda and the
// worker never mix streams).
// What: createVersionedWriteSide's apply does not order its batch itself: with a version under backfill, it writes
// the batch's claims in the claim table (claimRecords) before any Applier runs orderBatch, so a batch of two streams
// is refused only after the other stream's items have claims under the version's prefix, durable, which the
// backfill's scan and the stream's next records then decide by (an item of the same key in the source table would be
// taken for counted by the stream).
// Expected: refused before anything is written (CONFIG_INVALID), as the handler's is; the claim table left empty.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createAggregateTable, createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const STREAM_A = 'arn:aws:dynamodb:local:000000000000:table/a/stream/2026-01-01T00:00:00.000';
const STREAM_B = 'arn:aws:dynamodb:local:000000000000:table/b/stream/2026-01-01T00:00:00.000';

const record = (stream: string, id: string, seq: string): DynamoDBRecord => {
  const item = { pk: { S: id }, storeId: { S: 's-1' }, t: { N: String(Date.now() - 60_000) } };
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    eventSourceARN: stream,
    dynamodb: {
      Keys: { pk: item.pk } as never,
      NewImage: item as never,
      SequenceNumber: seq,
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
};

describe('s39v: a versioned write side given a batch of two streams', () => {
  it('refuses it before any claim is written', async () => {
    const table = uniqueTableName('s39v-vmix-agg');
    const claims = uniqueTableName('s39v-vmix-claims');
    await Promise.all([createAggregateTable(clients.ddb, table), createClaimTable(clients.ddb, claims)]);
    await registerVersions(clients.ddb, table, [storeCountRollup.compiled], { firstVersion: 'building' });
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table,
      claimTable: claims,
      rollups: [storeCountRollup],
      claimMarginMs: 60_000,
    });
    const code = await side
      .apply({
        records: [record(STREAM_A, 'a-1', '100'), record(STREAM_B, 'b-1', '900')],
        shardId: 'shard-1',
      })
      .then(
        () => undefined,
        (e: unknown) => (isDynotallyError(e) ? e.code : String(e)),
      );
    expect(code).toBe('CONFIG_INVALID');
    expect(await scanTable(clients.ddb, claims)).toEqual([]);
  });
});
