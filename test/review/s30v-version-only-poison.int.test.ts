// Review s30 (versions), a reviewer's finding, now expected: `createVersionedWriteSide` found a batch's poison records
// by folding them with every version at once, so a record one version refused was poison for all of them. Rows of
// version 2 and later carry the version on their key prefix (`store.v2#…`, versions/version-prefix.ts), so a group
// key of 2,041 bytes makes `store#s…` 2,047 bytes (within DynamoDB's 2,048) and `store.v2#s…` 2,050 (KEY_TOO_LARGE);
// and version 2 may hold a changed definition, whose new `sum('q')` refuses a `q` that is no number where version 1
// (a count) reads nothing. While version 2 was building, the serving version 1 lost such a record too: the whole
// record went to the dead-letter store (no pending rows), and a replay stayed `still-poison` for as long as
// version 2 was written. Expected (and now so): the record counts in every version that folds it; it is
// dead-lettered for version 2 only (its letter names no pending rows, so no replay adds it to version 1 again), as a
// backfill dead-letters a scanned item for the version it builds. A record the serving version refuses stays poison
// for every version.
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
} from '../../packages/dynotally/src/tables/index.ts';
import {
  createVersionedWriteSide,
  recordBackfill,
  registerVersions,
  retireVersion,
} from '../../packages/dynotally/src/versions/index.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup as first, storeCountConfig } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

// version 2: the same rollup with a sum of q beside the count
const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, q: sum('q') },
});
// `store#s` + 2,041 bytes = 2,048: fits version 1; `store.v2#s` + 2,041 = 2,051: over the limit in version 2
const LONG = 'x'.repeat(2041);
// 38 significant digits: plus 0.5, 39, which DynamoDB cannot store
const BIG = `1${'0'.repeat(36)}1`;
const RECORD_MS = 1_763_800_000_000; // the records' creation time (insertRecords)

async function setup(prefix: string) {
  await ddbReady();
  const [table, dlt, claims] = ['agg', 'dl', 'cl'].map((t) => uniqueTableName(`${prefix}-${t}`)) as [
    string,
    string,
    string,
  ];
  await Promise.all([
    createAggregateTable(clients.ddb, table),
    createDeadLetterTable(clients.ddb, dlt),
    createClaimTable(clients.ddb, claims),
  ]);
  // version 1 (the first definition) serving, version 2 (the changed one) building
  await registerVersions(clients.ddb, table, [first.compiled]);
  await registerVersions(clients.ddb, table, [changed.compiled]);
  const handler = createStreamHandler({
    client: clients.ddb,
    applier: createVersionedWriteSide({
      client: clients.ddb,
      table,
      claimTable: claims,
      rollups: [first, changed],
      // the records are stamped in 2025 on purpose
      apply: { lateRecords: 'apply' },
    }),
    deadLetter: new DynamoDbDeadLetterSink(clients.ddb, dlt),
  });
  return { table, dlt, claims, handler };
}

/** Each row of a version (key prefix `store` or `store.v2`): its store's length and its counters. */
async function rows(table: string, prefix: string) {
  return (await scanTable(clients.ddb, table))
    .filter((r) => r.pk?.S?.startsWith(`${prefix}#s`))
    .map((r) => ({
      store: (r.pk?.S ?? '').slice(prefix.length + 2),
      n: r.n?.N,
      q: r.q?.N,
    }))
    .map((r) => ({ ...r, store: r.store.length > 40 ? `<${r.store.length} chars>` : r.store }))
    .sort((a, b) => a.store.localeCompare(b.store));
}

async function letters(dlt: string) {
  return (await listDeadLetters({ client: clients.ddb, table: dlt })).map((l) => ({
    code: l.code,
    pendingRows: l.pendingRows,
    store: (l.record?.dynamodb?.NewImage?.storeId as AttributeValue | undefined)?.S?.length,
  }));
}

async function deliver(handler: ReturnType<typeof createStreamHandler>, records: DynamoDBRecord[]) {
  const out = await handler({ Records: records, shardId: 'shardId-1' } as Parameters<typeof handler>[0]);
  expect(out.batchItemFailures).toEqual([]);
}

describe('a record one version refuses, while another serves', () => {
  it('a group key that fits version 1 and not store.v2 counts in version 1, and is dead-lettered for version 2 only', async () => {
    const { table, dlt, claims, handler } = await setup('s30v-key');
    const insert = insertRecords();
    await deliver(handler, [
      insert('a', { storeId: { S: 's-1' }, q: { N: '2' } }),
      insert('b', { storeId: { S: LONG }, q: { N: '3' } }),
    ]);
    expect(await rows(table, 'store')).toEqual([
      { store: '<2041 chars>', n: '1', q: undefined },
      { store: 's-1', n: '1', q: undefined },
    ]);
    expect(await rows(table, 'store.v2')).toEqual([{ store: 's-1', n: '1', q: '2' }]);
    const held = await letters(dlt);
    expect(held).toEqual([{ code: 'KEY_TOO_LARGE', pendingRows: [], store: 2041 }]);

    // a replay adds it nowhere: still poison while version 2 is written, and nothing once it is retired
    const replay = () =>
      replayDeadLetters({
        client: clients.ddb,
        deadLetterTable: dlt,
        table,
        claimTable: claims,
        rollups: [first, changed],
        all: true,
      });
    expect((await replay()).map((r) => r.outcome)).toEqual(['still-poison']);
    await retireVersion(clients.ddb, table, 'store', 2);
    expect((await replay()).map((r) => [r.outcome, r.rows])).toEqual([['replayed', 0]]);
    expect((await rows(table, 'store')).map((r) => r.n)).toEqual(['1', '1']);
  });

  it("a value only version 2's changed definition reads (a q that is no number) counts in version 1", async () => {
    const { table, dlt, handler } = await setup('s30v-value');
    const insert = insertRecords();
    await deliver(handler, [
      insert('a', { storeId: { S: 's-1' }, q: { N: '2' } }),
      insert('b', { storeId: { S: 's-1' }, q: { S: 'two' } }),
    ]);
    expect(await rows(table, 'store')).toEqual([{ store: 's-1', n: '2', q: undefined }]);
    expect(await rows(table, 'store.v2')).toEqual([{ store: 's-1', n: '1', q: '2' }]);
    expect(await letters(dlt)).toEqual([{ code: 'VALUE_INVALID', pendingRows: [], store: 3 }]);
  });

  it('a record the serving version refuses stays poison for every version', async () => {
    const { table, dlt, handler } = await setup('s30v-both');
    const insert = insertRecords();
    await deliver(handler, [
      insert('a', { storeId: { S: 's-1' }, q: { N: '2' } }),
      insert('b', { storeId: { S: `${LONG}yy` }, q: { N: '3' } }),
    ]);
    expect(await rows(table, 'store')).toEqual([{ store: 's-1', n: '1', q: undefined }]);
    expect(await rows(table, 'store.v2')).toEqual([{ store: 's-1', n: '1', q: '2' }]);
    expect(await letters(dlt)).toEqual([{ code: 'KEY_TOO_LARGE', pendingRows: undefined, store: 2043 }]);
  });

  it('so it does while version 2 is built and not promoted yet (ready: written without claims)', async () => {
    const { table, dlt, handler } = await setup('s30v-ready');
    // its backfill ended before the records were created: no claims, the serving version's write path
    await recordBackfill(clients.ddb, table, 'store', 2, {
      startedAt: RECORD_MS - 7_200_000,
      endedAt: RECORD_MS - 3_600_000,
      segments: 1,
    });
    const insert = insertRecords();
    await deliver(handler, [
      insert('a', { storeId: { S: 's-1' }, q: { N: '2' } }),
      insert('b', { storeId: { S: LONG }, q: { N: '3' } }),
    ]);
    expect((await rows(table, 'store')).map((r) => r.store)).toEqual(['<2041 chars>', 's-1']);
    expect(await rows(table, 'store.v2')).toEqual([{ store: 's-1', n: '1', q: '2' }]);
    expect(await letters(dlt)).toEqual([{ code: 'KEY_TOO_LARGE', pendingRows: [], store: 2041 }]);
  });

  // a refusal of the store (a sum past 38 digits in version 2's row, which version 1 does not keep): the letter
  // names version 2's rows, so a replay never adds the record to version 1, which counted it
  it("a record the store refuses in version 2's rows only is counted in version 1 and lettered with version 2's rows", async () => {
    const { table, dlt, claims, handler } = await setup('s30v-sum');
    const insert = insertRecords();
    await deliver(handler, [insert('a', { storeId: { S: 's-1' }, q: { N: BIG } })]);
    await deliver(handler, [insert('b', { storeId: { S: 's-1' }, q: { N: '0.5' } })]);
    expect(await rows(table, 'store')).toEqual([{ store: 's-1', n: '2', q: undefined }]);
    expect(await rows(table, 'store.v2')).toEqual([{ store: 's-1', n: '1', q: BIG }]);
    expect(await letters(dlt)).toEqual([
      { code: 'NUMBER_UNREPRESENTABLE', pendingRows: [{ pk: 'store.v2#ss-1', sk: 'ALL' }], store: 3 },
    ]);
    await retireVersion(clients.ddb, table, 'store', 2);
    const replayed = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlt,
      table,
      claimTable: claims,
      rollups: [first, changed],
      all: true,
      replayLate: true,
    });
    expect(replayed.map((r) => [r.outcome, r.rows])).toEqual([['replayed', 0]]);
    expect(await rows(table, 'store')).toEqual([{ store: 's-1', n: '2', q: undefined }]);
  });
});
