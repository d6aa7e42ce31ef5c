// Review s37v (the known limit docs/dead-letters.md kept after review s36q, "Who sends a late record's letter").
// What: while a version is being built (claims in play), `createVersionedWriteSide` merged each record's letters over
// the versions and returned them for its caller to send after the whole batch, a late record's `RECORD_TOO_OLD`
// letter among them. Its pending rows are probed before the rest of the batch is written; the rest (here a later
// record of the same store, in every version) then moves each version's rows past the late record. If the caller's
// send failed (a throttled dead-letter table), the batch was redelivered, the late record was probed again, every
// version's rows were found past it, and the letter finally stored named no row although the record was in none:
// its replay (`replayLate`) counted nothing, a silent loss that only `dynotally verify --repair` restores.
// Why it matters: the same hole review s36q closed for the Applier and the Redis buffer, left open on every
// versioned deployment while a backfill builds a version.
// Expected: the letter stored at the redelivery names the late record's rows in every version written, and its
// replay counts the record once in each.
// Observed (before the fix): `pendingRows: []`, and the replay left each version one short.
// Fixed: the versioned side probes every version's late records first (`Applier.probeLate`, once the claims are
// written), merges them into one letter a record (versions/late-letters-first.ts), sends those to the caller's sink
// (`ApplyInput.deadLetter`) before any version is written, then applies each version after its probe
// (`Applier.applyProbed`), sends the other letters, and returns them `sent: true` (versions/versioned-write-side.ts).
// Without a sink it returns them, as before. The "stored before any version is written" tests check the order itself:
// the late letter is stored while no version holds the batch's other record yet.
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  type DeadLetter,
  type DeadLetterSink,
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { streamHandlerIn } from '../../packages/dynotally/src/handler/create-stream-handler.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { backfillTables, buildingTables } from '../backfill/backfill-tables.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup as rollup, storeCountConfig } from '../support/store-count-rollup.ts';
import { storeCount, storeInsertRecord } from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const DAY = 86_400_000;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
/** Another definition of rollup `store`: its version 2, built by a backfill while version 1 serves. */
const monthly = defineRollup({ ...storeCountConfig, granularities: ['all', 'month'] });

/** A dead-letter table whose first `failures` sends fail (throttled), then stores what it is given. */
function flakySink(
  inner: DeadLetterSink,
  failures: number,
  before: () => Promise<unknown>,
): DeadLetterSink & { seen: unknown[] } {
  let left = failures;
  const out = {
    /** What `before` read at each send (the versions' counts). */
    seen: [] as unknown[],
    async send(batch: readonly DeadLetter[]) {
      out.seen.push([batch.map((l) => l.code), await before()]);
      if (left-- > 0) throw new Error('ThrottlingException: the dead-letter table is busy');
      await inner.send(batch);
    },
  };
  return out;
}

type Versions = 'serving and building' | 'building only';

async function scenario(versions: Versions, failures: number) {
  const name = `s37v-${versions === 'building only' ? 'o' : 't'}${failures}`;
  const t =
    versions === 'building only'
      ? await buildingTables(clients.ddb, name, [], rollup.compiled)
      : await backfillTables(clients.ddb, name, []);
  if (versions !== 'building only') {
    await registerVersions(clients.ddb, t.table, [rollup.compiled]);
    await registerVersions(clients.ddb, t.table, [monthly.compiled]);
  }
  const rollups = versions === 'building only' ? [rollup] : [rollup, monthly];
  const dlt = uniqueTableName('s37v-dl');
  await createDeadLetterTable(clients.ddb, dlt);
  const side = createVersionedWriteSide({
    client: clients.ddb,
    table: t.table,
    claimTable: t.claimTable,
    rollups,
    apply: { lateRecords: 'dead-letter' },
  });
  const counts = async () =>
    versions === 'building only'
      ? [await storeCount(clients.ddb, t.table, 'store')]
      : [await storeCount(clients.ddb, t.table, 'store'), await storeCount(clients.ddb, t.table, 'store.v2')];
  const sink = flakySink(new DynamoDbDeadLetterSink(clients.ddb, dlt), failures, counts);
  const handler = streamHandlerIn({ applier: side, deadLetter: sink, logger: quiet }, {}, 'throw');
  // order 3 written two days ago (a consumer back after an outage), order 4 now: the same store's rows
  const late = storeInsertRecord(3, Date.now() - 2 * DAY);
  const onTime = storeInsertRecord(4, Date.now());
  const run = () => handler({ Records: [late, onTime], shardId: 'shard-1' });
  if (failures > 0) await expect(run()).rejects.toThrow('ThrottlingException');
  await run();
  const stored = await listDeadLetters({ client: clients.ddb, table: dlt });
  const letters = stored.map((l) => [l.code, (l.pendingRows ?? []).map((r) => `${r.pk} ${r.sk}`).sort()]);
  const replay = await replayDeadLetters({
    client: clients.ddb,
    deadLetterTable: dlt,
    table: t.table,
    rollups,
    claimTable: t.claimTable,
    all: true,
    replayLate: true,
  });
  return { letters, replay: replay.map((r) => r.outcome), counts: await counts(), sends: sink.seen };
}

const every = {
  'serving and building': ['store#ss-0 ALL', 'store.v2#ss-0 ALL', 'store.v2#ss-0 Y2026'],
  'building only': ['store#ss-0 ALL'],
};

describe('review s37v: a late record of a version being built whose letter the caller failed to send', () => {
  it.each(['serving and building', 'building only'] as const)(
    'control (%s): sent at the first attempt, its letter names its rows in every version and its replay counts it',
    async (versions) => {
      const out = await scenario(versions, 0);
      expect(out.letters).toEqual([['RECORD_TOO_OLD', every[versions]]]);
      expect(out.replay).toEqual(['replayed']);
      expect(out.counts).toEqual(versions === 'building only' ? ['2'] : ['2', '2']);
    },
  );

  it.each(['serving and building', 'building only'] as const)(
    'sent at the redelivery (%s), its letter still names those rows and its replay counts it (before the fix: none, and one short)',
    async (versions) => {
      const out = await scenario(versions, 1);
      expect(out.letters).toEqual([['RECORD_TOO_OLD', every[versions]]]);
      expect(out.replay).toEqual(['replayed']);
      expect(out.counts).toEqual(versions === 'building only' ? ['2'] : ['2', '2']);
    },
  );

  it.each(['serving and building', 'building only'] as const)(
    'the letter is stored before any version is written (%s; before the fix: after every version held the batch)',
    async (versions) => {
      const out = await scenario(versions, 0);
      const none = versions === 'building only' ? [undefined] : [undefined, undefined];
      expect(out.sends).toEqual([[['RECORD_TOO_OLD'], none]]);
    },
  );

  it('without a sink the side returns the letter for its caller to send, as before (not `sent`)', async () => {
    const t = await backfillTables(clients.ddb, 's37v-nosink', []);
    await registerVersions(clients.ddb, t.table, [rollup.compiled]);
    await registerVersions(clients.ddb, t.table, [monthly.compiled]);
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table: t.table,
      claimTable: t.claimTable,
      rollups: [rollup, monthly],
      apply: { lateRecords: 'dead-letter' },
    });
    const late = storeInsertRecord(3, Date.now() - 2 * DAY);
    const out = await side.apply({ records: [late, storeInsertRecord(4, Date.now())], shardId: 'shard-1' });
    expect(out.sent).toBeUndefined();
    expect(
      out.poison.map((p) => [p.error.code, p.index, p.pendingRows?.map((r) => `${r.pk} ${r.sk}`).sort()]),
    ).toEqual([['RECORD_TOO_OLD', 0, every['serving and building']]]);
    expect(out.report).toMatchObject({ records: 2, poison: 1, folded: 1 });
  });
});
