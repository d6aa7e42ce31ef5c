// Claims and backfill progress are keyed by the version's build id (`v<n>.claims.scope`, recorded when it is
// registered), so two aggregate tables whose rollups share a name, built through one claim table (the CLI's default
// `dynotally-claims`), never read each other's: the stream side, the dead-letter replay and (the review's probe,
// test/review/s34b-shared-claim-table.int.test.ts) the backfill. A version an earlier release registered keeps its
// bare prefix, and an earlier release's binding is refused on a version this one registered.
import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { claimKey } from '../../packages/dynotally/src/backfill/claim-item.ts';
import { readClaims } from '../../packages/dynotally/src/backfill/claim-store.ts';
import { progressKey } from '../../packages/dynotally/src/backfill/progress-item.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import {
  createAggregateTable,
  createDeadLetterTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { claimTableParams } from '../../packages/dynotally/src/versions/claim-table-binding.ts';
import { controlKey } from '../../packages/dynotally/src/versions/control-item.ts';
import { readControl, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { claimsPrefixOf } from '../support/claims-prefix.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup as rollup } from '../support/store-count-rollup.ts';
import { storeCount, storeItem, streamModify } from '../support/store-count-stream.ts';
import { buildingTables } from './backfill-tables.ts';
import { modifyRecord } from './modify-record.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const items = [0, 1, 2].map(storeItem);
/** Item o-0 moved from store s-0 to s-1. */
const moved = { ...storeItem(0), storeId: { S: 's-1' } };

/** Staging: 3 items of store s-0, backfilled (scan claims of o-0 … o-2 holding their images). */
async function staging(name: string) {
  const t = await buildingTables(clients.ddb, name, items, rollup.compiled);
  const report = await runBackfill({ client: clients.ddb, ...t, rollup, segments: 1, settleMs: 0 });
  expect(report.complete).toBe(true);
  return t;
}

/** Production: its own source (empty) and aggregate table, version 1 of `store` building, the same claim table. */
async function production(name: string, claimTable: string) {
  const source = uniqueTableName(`${name}-src`);
  const table = uniqueTableName(name);
  await createSourceTable(clients.ddb, source, { id: 'S' });
  await createAggregateTable(clients.ddb, table);
  await registerVersions(clients.ddb, table, [rollup.compiled], { firstVersion: 'building' });
  return { source, table, claimTable };
}

/** Store s-1's count in version 1's rows. */
const s1Count = async (table: string) =>
  (await scanTable(clients.ddb, table)).find((r) => r.pk?.S === 'store#ss-1')?.n?.N;

describe('claims keyed by the version build', () => {
  // before the fix: production's stream side found staging's scan claim of o-0 (image: o-0 in s-0), took the
  // record as one the scan counted from, and subtracted o-0 from s-0, which production never counted (s-0 = -1)
  it("the stream side does not take another aggregate table's claims", async () => {
    const a = await staging('scope-stream-a');
    const b = await production('scope-stream-b', a.claimTable);
    await streamModify(clients.ddb, b, Date.now(), storeItem(0), moved);
    expect(await storeCount(clients.ddb, b.table)).toBeUndefined();
    expect(await s1Count(b.table)).toBe('1');
    // staging's claim is as its scan wrote it
    const own = await readClaims(clients.ddb, a.claimTable, [
      claimKey(await claimsPrefixOf(clients.ddb, a.table, 'store', 1), { id: { S: 'o-0' } }),
    ]);
    expect([...own.values()][0]).toMatchObject({ by: 'scan', live: undefined });
    expect(await storeCount(clients.ddb, a.table)).toBe('3');
  });

  // before the fix: as the stream side, through staging's claim
  it("a dead letter's replay does not take another aggregate table's claims", async () => {
    const a = await staging('scope-replay-a');
    const b = await production('scope-replay-b', a.claimTable);
    const dlt = uniqueTableName('scope-replay-dl');
    await createDeadLetterTable(clients.ddb, dlt);
    const record: DynamoDBRecord = modifyRecord(storeItem(0), moved, Date.now());
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([
      {
        source: record.eventSourceARN ?? '',
        shardId: 'shardId-1',
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        eventId: record.eventID,
        code: 'RETRIES_EXHAUSTED',
        reason: 'the batch kept failing (throttled)',
        record,
        at: Date.now() + 1_000,
      },
    ]);
    const [letter] = await listDeadLetters({ client: clients.ddb, table: dlt, replayed: false });
    const [r] = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlt,
      table: b.table,
      rollups: [rollup],
      claimTable: b.claimTable,
      ids: [letter?.id ?? ''],
    });
    expect(r?.outcome).toBe('replayed');
    expect(await storeCount(clients.ddb, b.table)).toBeUndefined();
    expect(await s1Count(b.table)).toBe('1');
  });

  it('a version an earlier release registered (no build id) keeps its bare prefix', async () => {
    const t = await buildingTables(clients.ddb, 'scope-legacy', items, rollup.compiled);
    // as an earlier release registers it: no `claims` until a process binds its claim table
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: controlKey('store'),
        UpdateExpression: 'REMOVE v1.claims',
      }),
    );
    expect(await claimsPrefixOf(clients.ddb, t.table, 'store', 1)).toBe('store');
    const report = await runBackfill({ client: clients.ddb, ...t, rollup, segments: 1, settleMs: 0 });
    expect(report.complete).toBe(true);
    expect(await storeCount(clients.ddb, t.table)).toBe('3');
    // progress and claims where that release keeps them, the claim table bound as it binds it (a string)
    const progress = await clients.ddb.send(
      new GetItemCommand({ TableName: t.claimTable, Key: progressKey('store', 0, 1) }),
    );
    expect(progress.Item?.done?.BOOL).toBe(true);
    expect(
      (await readClaims(clients.ddb, t.claimTable, [claimKey('store', { id: { S: 'o-1' } })])).size,
    ).toBe(1);
    const control = await clients.ddb.send(
      new GetItemCommand({ TableName: t.table, Key: controlKey('store'), ConsistentRead: true }),
    );
    expect(control.Item?.v1?.M?.claims).toEqual({ S: t.claimTable });
    expect((await readControl(clients.ddb, t.table, 'store'))?.versions[0]?.claimTable).toBe(t.claimTable);
  });

  it("an earlier release's binding is refused on a version this release registered", async () => {
    const t = await buildingTables(clients.ddb, 'scope-old-bind', [], rollup.compiled);
    const entry = (await readControl(clients.ddb, t.table, 'store'))?.versions[0];
    expect(entry?.claimScope).toMatch(/^[a-z2-7]{16}$/);
    // the write an earlier release binds its claim table with (claims as a string)
    await expect(
      clients.ddb.send(new UpdateItemCommand(claimTableParams(t.table, 'store', 1, t.claimTable))),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    // this release's binds, and reads back the table and the build id
    await clients.ddb.send(
      new UpdateItemCommand(claimTableParams(t.table, 'store', 1, t.claimTable, entry?.claimScope)),
    );
    const bound = (await readControl(clients.ddb, t.table, 'store'))?.versions[0];
    expect({ table: bound?.claimTable, scope: bound?.claimScope }).toEqual({
      table: t.claimTable,
      scope: entry?.claimScope,
    });
  });
});
