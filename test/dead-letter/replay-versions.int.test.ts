// A dead letter is replayed into the rollup's versions as the stream side writes them (review s17: replay knew no
// versions, so after a promotion it wrote the retired version 1's rows and the serving version never counted the
// record): every version of the given definitions that is not retired, a version under backfill through the item's
// claim (exactly once, also when replayed twice or concurrently), and a replay that would miss a version that is
// read (or will be) is refused before anything is written.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { claimKey } from '../../packages/dynotally/src/backfill/claim-item.ts';
import { putClaim, readClaims } from '../../packages/dynotally/src/backfill/claim-store.ts';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { DynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
} from '../../packages/dynotally/src/tables/index.ts';
import {
  promoteVersion,
  readControl,
  recordBackfill,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { claimsPrefixOf } from '../support/claims-prefix.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup as first, storeCountConfig } from '../support/store-count-rollup.ts';

const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, q: sum('q') },
});
const RECORD_MS = 1_763_800_000_000; // the records' creation time (insertRecords)

describe('replayDeadLetters with rollup versions', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  async function setup(prefix: string) {
    await ddbReady();
    const [table, dlt, claims] = ['agg', 'dl', 'cl'].map((t) => uniqueTableName(`${prefix}-${t}`)) as [
      string,
      string,
      string,
    ];
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    await createClaimTable(clients.ddb, claims);
    // version 1 (the first definition) serving, version 2 (the changed one) building
    await registerVersions(clients.ddb, table, [first.compiled]);
    await registerVersions(clients.ddb, table, [changed.compiled]);
    return { table, dlt, claims };
  }

  async function deadLetter(dlt: string, record: DynamoDBRecord): Promise<string> {
    await new DynamoDbDeadLetterSink(clients.ddb, dlt).send([
      {
        source: record.eventSourceARN ?? '',
        shardId: 'shardId-1',
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
        eventId: record.eventID,
        code: 'RETRIES_EXHAUSTED',
        reason: 'the batch kept failing (throttled)',
        record,
        at: Date.now(),
      },
    ]);
    const letters = await listDeadLetters({ client: clients.ddb, table: dlt, replayed: false });
    const letter = letters.find((l) => l.sequenceNumber === record.dynamodb?.SequenceNumber);
    if (letter === undefined) throw new Error('the letter was not stored');
    return letter.id;
  }

  /** Counters of a version's rows (key prefix `store` or `store.v<n>`), summed over its stores. */
  async function totals(table: string, prefix: string): Promise<{ n: number; q: number; rows: number }> {
    const rows = (await scanTable(clients.ddb, table)).filter((r) => r.pk?.S?.startsWith(`${prefix}#`));
    return {
      n: rows.reduce((a, r) => a + Number(r.n?.N ?? 0), 0),
      q: rows.reduce((a, r) => a + Number(r.q?.N ?? 0), 0),
      rows: rows.length,
    };
  }

  async function refusal(p: Promise<unknown>): Promise<DynotallyError> {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    if (!(e instanceof DynotallyError)) throw new Error(`expected a DynotallyError, got ${String(e)}`);
    return e;
  }

  it('counts a record in the serving version after a promotion, once, and not in the retired one', {
    timeout: 240_000,
  }, async () => {
    const { table, dlt, claims } = await setup('rpv-serving');
    // version 2 built (its backfill ended before the record was created: it counts in full) and promoted
    await recordBackfill(clients.ddb, table, 'store', 2, {
      startedAt: RECORD_MS - 7_200_000,
      endedAt: RECORD_MS - 3_600_000,
      segments: 1,
    });
    await promoteVersion(clients.ddb, table, 'store', 2, { force: true });
    const id = await deadLetter(dlt, insertRecords()('o-1', { storeId: { S: 's-1' }, q: { N: '5' } }));
    const options = {
      client: clients.ddb,
      deadLetterTable: dlt,
      table,
      rollups: [changed],
      claimTable: claims,
    };

    const [r1] = await replayDeadLetters({ ...options, ids: [id] });
    expect(r1).toMatchObject({ outcome: 'replayed', rows: 1 });
    const [r2] = await replayDeadLetters({ ...options, ids: [id] });
    expect(r2?.outcome).toBe('already-replayed');
    expect(await totals(table, 'store.v2')).toEqual({ n: 1, q: 5, rows: 1 });
    expect(await totals(table, 'store')).toEqual({ n: 0, q: 0, rows: 0 });
    // counted in full, without a claim (past the window)
    expect(
      (
        await readClaims(clients.ddb, claims, [
          claimKey(await claimsPrefixOf(clients.ddb, table, 'store', 2), { id: { S: 'o-1' } }),
        ])
      ).size,
    ).toBe(0);
  });

  it('counts a record in the serving version and, through the claims, in the one being built: exactly once', {
    timeout: 240_000,
  }, async () => {
    const { table, dlt, claims } = await setup('rpv-building');
    const insert = insertRecords();
    const fresh = await deadLetter(dlt, insert('o-1', { storeId: { S: 's-1' }, q: { N: '5' } }));
    const scanned = insert('o-2', { storeId: { S: 's-1' }, q: { N: '7' } });
    const seen = await deadLetter(dlt, scanned);
    // the backfill's scan already read o-2 as the record left it (and counts it itself)
    const image = scanned.dynamodb?.NewImage as never;
    await putClaim(
      clients.ddb,
      claims,
      claimKey(await claimsPrefixOf(clients.ddb, table, 'store', 2), { id: { S: 'o-2' } }),
      { by: 'scan', segment: 0, chunk: 0, image, live: undefined },
      undefined,
      Math.floor(Date.now() / 1000) + 86_400,
    );
    const options = {
      client: clients.ddb,
      deadLetterTable: dlt,
      table,
      rollups: [first, changed],
      claimTable: claims,
    };

    // twice at once, then once more: each letter counted once in each version
    const runs = await Promise.all([
      replayDeadLetters({ ...options, ids: [fresh, seen] }),
      replayDeadLetters({ ...options, ids: [fresh, seen] }),
    ]);
    expect(runs.flat().filter((r) => r.outcome === 'replayed')).toHaveLength(2);
    expect((await replayDeadLetters({ ...options, all: true })).length).toBe(0);
    // version 1 (serving) counts both; version 2 counts o-1 (its item never counted: new image only, claimed live)
    // and not o-2, whose change the scan's image holds
    expect(await totals(table, 'store')).toEqual({ n: 2, q: 0, rows: 1 });
    expect(await totals(table, 'store.v2')).toEqual({ n: 1, q: 5, rows: 1 });
    const stored = await readClaims(clients.ddb, claims, [
      claimKey(await claimsPrefixOf(clients.ddb, table, 'store', 2), { id: { S: 'o-1' } }),
    ]);
    expect([...stored.values()][0]).toMatchObject({ by: 'stream', live: { first: 'new' } });
    // the version is bound to the claim table the replay claimed in, as the stream side binds it
    const v2 = (await readControl(clients.ddb, table, 'store'))?.versions.find((v) => v.version === 2);
    expect(v2?.claimTable).toBe(claims);
  });

  it('leaves out a version registered after the letter was written: its backfill scans the item as the record left it', {
    timeout: 240_000,
  }, async () => {
    await ddbReady();
    const [table, dlt, claims] = ['agg', 'dl', 'cl'].map((t) => uniqueTableName(`rpv-later-${t}`)) as [
      string,
      string,
      string,
    ];
    await createAggregateTable(clients.ddb, table);
    await createDeadLetterTable(clients.ddb, dlt);
    await createClaimTable(clients.ddb, claims);
    await registerVersions(clients.ddb, table, [first.compiled]);
    const id = await deadLetter(dlt, insertRecords()('o-1', { storeId: { S: 's-1' }, q: { N: '5' } }));
    // then the item left store s-1 (a later record, applied to version 1 only), and the changed definition was
    // registered: its backfill finds o-1 in no store, claims nothing, and version 2 must count 0 for it
    await registerVersions(clients.ddb, table, [changed.compiled], { now: Date.now() + 1_000 });

    const [r] = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlt,
      table,
      rollups: [first, changed],
      claimTable: claims,
      ids: [id],
    });
    expect(r).toMatchObject({ outcome: 'replayed', rows: 1 });
    expect(await totals(table, 'store')).toEqual({ n: 1, q: 0, rows: 1 });
    // nothing in version 2 (folded through a claim, the record would find none and add its new image: o-1 in s-1)
    expect(await totals(table, 'store.v2')).toEqual({ n: 0, q: 0, rows: 0 });
    expect(
      (
        await readClaims(clients.ddb, claims, [
          claimKey(await claimsPrefixOf(clients.ddb, table, 'store', 2), { id: { S: 'o-1' } }),
        ])
      ).size,
    ).toBe(0);
  });

  it('refuses, before writing anything, a replay that would miss a version that is read or being built', {
    timeout: 240_000,
  }, async () => {
    const { table, dlt, claims } = await setup('rpv-refused');
    const id = await deadLetter(dlt, insertRecords()('o-1', { storeId: { S: 's-1' }, q: { N: '5' } }));
    const base = { client: clients.ddb, deadLetterTable: dlt, table, ids: [id] };

    // the changed definition alone: version 1, which serves, would miss the record
    const building = await refusal(replayDeadLetters({ ...base, rollups: [changed], claimTable: claims }));
    expect(building.code).toBe('VERSION_BUILDING');
    expect(building.details).toMatchObject({ rollup: 'store', serving: 1, version: 2, state: 'building' });
    // the first definition alone: version 2, being built beside it, would miss the record
    const beside = await refusal(replayDeadLetters({ ...base, rollups: [first], claimTable: claims }));
    expect(beside.code).toBe('VERSION_BUILDING');
    expect(beside.details).toMatchObject({ missing: [2] });
    // both, but no claim table for the version being built
    const noClaims = await refusal(replayDeadLetters({ ...base, rollups: [first, changed] }));
    expect(noClaims.code).toBe('CONFIG_INVALID');
    expect(noClaims.message).toContain('claimTable');
    // once version 2 serves, the first definition (retired) is refused too
    await promoteVersion(clients.ddb, table, 'store', 2, { force: true });
    const retired = await refusal(replayDeadLetters({ ...base, rollups: [first], claimTable: claims }));
    expect(retired.code).toBe('VERSION_UNKNOWN');

    expect(await totals(table, 'store')).toEqual({ n: 0, q: 0, rows: 0 });
    expect(await totals(table, 'store.v2')).toEqual({ n: 0, q: 0, rows: 0 });
    const [letter] = await listDeadLetters({ client: clients.ddb, table: dlt });
    expect(letter?.replayedAt).toBeUndefined();
  });
});
