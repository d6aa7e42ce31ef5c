// Review s19 (rollups over existing data, `ttlDeletes: 'ignore'`): a rollup with `ttlDeletes: 'ignore'` keeps
// counting items DynamoDB's TTL has deleted ("sessions started per day keeps counting sessions whose items have
// since expired", rollups.md). A backfill and verify see only the items the source holds now: an expired item is
// in no scan. So every version built by a backfill (a changed definition, a rebuild) lacks the history of every
// item that expired before its scan, and `verify` takes the history the serving version rightly keeps for drift.
// `verify --repair` then "repairs" it: it rebuilds the rollup from the current items and promotes the rebuild, and
// the history `'ignore'` promised to keep is gone from the serving version, for good (the old version is retired
// and its rows deletable). Neither backfill.md nor rollups.md says so.
// Scenario: rollup `sessions` (count per store, all time, ttlDeletes 'ignore'), version 1 serving, counted by the
// stream side: 3 sessions inserted, then one deleted by TTL (a REMOVE by dynamodb.amazonaws.com, ignored): 3.
// Observed: verify reports a drifted cell (expected 2, stored 3) on a version that counts exactly what the
// definition says; repairRollup registers a rebuild, backfills it from the 2 items left and promotes it: the
// serving version counts 2.
// Expected: verify reports no drift for the history a TTL delete leaves under 'ignore' (or says it cannot verify
// such a rollup), and a repair never drops it (the serving version keeps counting 3).
// Fixed (session 19): `compareRows` checks the counts of a rollup with ttlDeletes 'ignore' as lower bounds (stored
// ≥ recomputed: each item counts 0 or 1) and reports its sums `unverified` (an expired amount may be negative);
// `repairRollup` and `runBackfill` refuse (BACKFILL_REFUSED, details.option 'acceptExpiredHistoryLoss', the CLI's
// --accept-expired-history-loss) while a version of such a rollup serves, before registering anything
// (`checkExpiredHistory`, backfill/expired-history.ts); documented in backfill.md and cli.md. The repair case
// now pins the refusal and the explicit acceptance. These were the review's it.fails.
// Suggested fix: refuse (or warn loudly in) verify, repair and backfill of a rollup with ttlDeletes 'ignore' — a
// scan cannot see expired items — unless told the loss is accepted (e.g. `acceptExpiredHistoryLoss`); for verify,
// compare `count`/`sum` of such a rollup as lower bounds (stored ≥ expected), like min/max; document in
// backfill.md (Verify and repair, and a changed definition) that a version built by a backfill starts the
// history of expired items afresh.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { DynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { repairRollup, verify } from '../../packages/dynotally/src/verify/index.ts';
import { createVersionedWriteSide, readControl } from '../../packages/dynotally/src/versions/index.ts';
import { backfillTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const sessions = defineRollup({
  name: 'sessions',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
  ttlDeletes: 'ignore',
});
const T0 = Date.UTC(2026, 10, 1);
const session = (i: number): Record<string, AttributeValue> => ({
  id: { S: `s-${i}` },
  storeId: { S: 'st-0' },
  t: { N: String(T0 + i) },
});

/** A stream record of session `i`: its INSERT, or its REMOVE by DynamoDB's TTL. */
function record(i: number, kind: 'INSERT' | 'TTL'): DynamoDBRecord {
  const image = session(i) as never;
  return {
    eventID: `e${i}-${kind}`,
    eventName: kind === 'INSERT' ? 'INSERT' : 'REMOVE',
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/s',
    ...(kind === 'TTL' ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    dynamodb: {
      Keys: { id: { S: `s-${i}` } },
      ...(kind === 'INSERT' ? { NewImage: image } : { OldImage: image }),
      SequenceNumber: String((kind === 'INSERT' ? 100 : 200) + i),
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  } as DynamoDBRecord;
}

/** The count of store st-0 in the serving version's rows. */
async function servingCount(table: string): Promise<string | undefined> {
  const control = await readControl(clients.ddb, table, 'sessions');
  const serving = control?.versions.find((v) => v.state === 'serving')?.version;
  const prefix = serving === 1 ? 'sessions' : `sessions.v${serving}`;
  const rows = await scanTable(clients.ddb, table);
  return rows.find((r) => r.pk?.S === `${prefix}#sst-0`)?.n?.N;
}

/** Three sessions counted by the stream side (version 1, serving), then session 0 deleted by TTL. */
async function setUp(prefix: string) {
  const t = await backfillTables(clients.ddb, prefix, [session(0), session(1), session(2)]);
  const side = createVersionedWriteSide({
    client: clients.ddb,
    table: t.table,
    claimTable: t.claimTable,
    rollups: [sessions],
  });
  await side.apply({ records: [0, 1, 2].map((i) => record(i, 'INSERT')), shardId: 'shard-1' });
  await clients.ddb.send(new DeleteItemCommand({ TableName: t.source, Key: { id: { S: 's-0' } } }));
  await side.apply({ records: [record(0, 'TTL')], shardId: 'shard-1' });
  // the expired session stays counted, as 'ignore' says
  expect(await servingCount(t.table)).toBe('3');
  return t;
}

describe("a rollup with ttlDeletes 'ignore' whose items expired, verified and repaired", () => {
  it('verify finds no drift in the history the TTL delete left', async () => {
    const t = await setUp('s19-ttl-verify');
    const report = await verify({
      client: clients.ddb,
      source: t.source,
      table: t.table,
      rollup: sessions,
      passes: 2,
      settleMs: 0,
    });
    expect(report.drift).toEqual([]);
    // a count below what the current items give is still drift: the lower bound is checked
    await clients.ddb.send(
      new PutItemCommand({ TableName: t.source, Item: { ...session(3), id: { S: 's-3' } } }),
    );
    await clients.ddb.send(
      new PutItemCommand({ TableName: t.source, Item: { ...session(4), id: { S: 's-4' } } }),
    );
    const below = await verify({
      client: clients.ddb,
      source: t.source,
      table: t.table,
      rollup: sessions,
      passes: 1,
      settleMs: 0,
    });
    expect(below.drift.map((d) => [d.expected, d.actual])).toEqual([['4', '3']]);
  });

  it('a repair keeps the expired session counted in the serving version', async () => {
    const t = await setUp('s19-ttl-repair');
    const options = { ...t, client: clients.ddb, rollup: sessions, segments: 1, chunkItems: 10, settleMs: 0 };
    const refused = await repairRollup(options).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DynotallyError);
    expect(refused).toMatchObject({
      code: 'BACKFILL_REFUSED',
      details: { option: 'acceptExpiredHistoryLoss', flag: '--accept-expired-history-loss' },
    });
    // refused before anything was registered: version 1 alone, serving, and still counting 3
    const control = await readControl(clients.ddb, t.table, 'sessions');
    expect(control?.versions.map((v) => [v.version, v.state])).toEqual([[1, 'serving']]);
    expect(await servingCount(t.table)).toBe('3');
    // a backfill of such a rollup is refused the same way
    await expect(runBackfill({ ...options, register: true })).rejects.toMatchObject({
      code: 'BACKFILL_REFUSED',
      details: { option: 'acceptExpiredHistoryLoss' },
    });
    // and its dry run says so (the first refusal the real run meets: before, a dry run did not check it), registering
    // nothing
    const dry = await runBackfill({ ...options, register: true, dryRun: true });
    expect(dry.refused).toMatchObject({
      code: 'BACKFILL_REFUSED',
      message: expect.stringContaining("ttlDeletes: 'ignore'"),
    });
    expect((await readControl(clients.ddb, t.table, 'sessions'))?.versions.length).toBe(1);
    const dryAccepted = await runBackfill({
      ...options,
      register: true,
      dryRun: true,
      acceptExpiredHistoryLoss: true,
    });
    // accepted, the next refusal shows: this definition is the serving version itself, not one to build
    expect(dryAccepted.refused?.message).toMatch(/version 1 of rollup 'sessions' is serving/);
    // accepted explicitly, the rebuild counts the items that exist
    const report = await repairRollup({ ...options, acceptExpiredHistoryLoss: true });
    expect(report.promoted).toBe(true);
    expect(await servingCount(t.table)).toBe('2');
  });
});
