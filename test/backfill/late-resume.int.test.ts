// A backfill segment is applied as a shard of its own (`bf-<segment>/<segments>`): a crash between a chunk's rows
// and its progress write makes the resumed run apply the chunk again, and only the rows' exactly-once states for
// the segment stop it counting twice. Those states are pruned by stream writes past the redelivery horizon (an
// hour at the least, 25 h by default) and a transactional row's `~wt#` item goes a week after its last write, so
// a chunk is applied again only within that window of its first application; later the resume is refused
// (BACKFILL_REFUSED) and nothing is counted twice. A stop (AbortSignal) never leaves a chunk half applied.
// Progress items of earlier builds have no `applying` and no `stamped` journal: such a chunk is taken as first
// applied when the backfill started (the earliest it can have been).
import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { progressKey } from '../../packages/dynotally/src/backfill/progress-item.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { claimsPrefixOf } from '../support/claims-prefix.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { buildingTables } from './backfill-tables.ts';
import { crashAfterRows } from './crash-after-rows.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const ITEMS = 60;
const STORES = 3;
const T0 = Date.UTC(2026, 11, 1);

/** Source, aggregate and claim tables with ITEMS items over STORES stores; the rollup registered, building. */
async function setUp(prefix: string) {
  const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
    id: { S: `o-${i}` },
    storeId: { S: `s-${i % STORES}` },
    t: { N: String(T0 + i) },
  }));
  return buildingTables(clients.ddb, prefix, items, rollup.compiled);
}

/** The counts per store (what every run must end at: ITEMS / STORES each, never more). */
async function counts(table: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of await scanTable(clients.ddb, table))
    if (item.pk?.S?.startsWith('store') && item.n?.N !== undefined) out[item.pk.S] = item.n.N;
  return out;
}
const EXPECTED = Object.fromEntries(
  Array.from({ length: STORES }, (_, s) => [`store#ss-${s}`, String(ITEMS / STORES)]),
);

/** A client that aborts `stop` once the `nth` chunk journal is written (the chunk then stops before its claims). */
function stopAfterJournal(stop: AbortController, nth: number): DynamoDBClient {
  const c = testClients();
  afterAll(() => c.destroy());
  let journals = 0;
  c.ddb.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const input = args.input as { ExpressionAttributeNames?: Record<string, string> };
      const setsJournal = Object.entries(input.ExpressionAttributeNames ?? {}).some(
        ([k, v]) => k.startsWith('#s') && v === 'journal',
      );
      if (setsJournal && ++journals === nth) stop.abort();
      return out;
    },
    { step: 'initialize', name: 'stopAfterJournal' },
  );
  return c.ddb;
}

/** Makes the segment's progress item look written by a build before `applying` (and the journal's stamp). */
async function asEarlierBuild(t: { table: string; claimTable: string }): Promise<void> {
  await clients.ddb.send(
    new UpdateItemCommand({
      TableName: t.claimTable,
      Key: progressKey(await claimsPrefixOf(clients.ddb, t.table, 'store', 1), 0, 1),
      UpdateExpression: 'REMOVE applying, journal.stamped',
      ConditionExpression: 'attribute_exists(journal.stamped) AND attribute_exists(applying)',
    }),
  );
}

describe('a backfill resumed after a crash between a chunk and its progress', () => {
  const base = { rollup, segments: 1, chunkItems: 20, settleMs: 0 };
  type Tables = Awaited<ReturnType<typeof setUp>>;
  /** A first run that crashes between a chunk's rows and its progress write; returns the time it ran at. */
  const crashedRun = async (t: Tables): Promise<number> => {
    const at = Date.now() + 60_000;
    await expect(runBackfill({ ...t, ...base, client: crashAfterRows(), now: () => at })).rejects.toThrow(
      /crash/,
    );
    return at;
  };
  /** A run on the plain client at `now`, with the stream side's redelivery horizon when one is given. */
  const resume = (t: Tables, now: number, maxRecordAgeSeconds?: number) =>
    runBackfill({
      ...t,
      ...base,
      client: clients.ddb,
      now: () => now,
      ...(maxRecordAgeSeconds === undefined ? {} : { redelivery: { maxRecordAgeSeconds } }),
    });
  /** A {@link resume} that completes, every store counted once. */
  const resumesToEnd = async (t: Tables, now: number, maxRecordAgeSeconds?: number) => {
    const report = await resume(t, now, maxRecordAgeSeconds);
    expect(report.complete).toBe(true);
    expect(await counts(t.table)).toEqual(EXPECTED);
  };
  /** A {@link resume} that is refused and changes no count. */
  const refusedResume = async (t: Tables, now: number, maxRecordAgeSeconds?: number) => {
    const before = await counts(t.table);
    expect(await codeOf(resume(t, now, maxRecordAgeSeconds))).toBe('BACKFILL_REFUSED');
    expect(await counts(t.table)).toEqual(before);
  };

  it('applies the chunk again within the window, once', async () => {
    const t = await setUp('bf-late-in');
    const at = await crashedRun(t);
    await resumesToEnd(t, at + 50 * 60_000);
  });

  it('refuses later than an hour by default, and counts nothing twice', async () => {
    const t = await setUp('bf-late-out');
    const at = await crashedRun(t);
    const late = at + 2 * 3_600_000;
    await refusedResume(t, late);
    // the stream side's real horizon (a mapping keeping records 24 h) widens the window: 2 h later is fine
    await resumesToEnd(t, late, 86_400);
  });

  it('refuses past the horizon given (26 h on a 24 h mapping)', async () => {
    const t = await setUp('bf-late-day');
    const at = await crashedRun(t);
    await refusedResume(t, at + 26 * 3_600_000, 86_400);
  });

  it('a stop while a chunk is written finishes that chunk: resuming a day later is fine', async () => {
    const t = await setUp('bf-late-stop');
    const stop = new AbortController();
    const c = testClients();
    afterAll(() => c.destroy());
    // the stop comes while the first chunk's rows are being written
    c.ddb.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Statements?: Array<{ Statement: string }> };
        // the rows' PartiQL statements (the claims go to the claim table, the control item is read by key)
        if (input.Statements?.some((s) => s.Statement.includes(`"${t.table}"`)) === true) stop.abort();
        return next(args);
      },
      { step: 'initialize', name: 'stopDuringRows' },
    );
    const at = Date.now() + 60_000;
    expect(
      await codeOf(runBackfill({ ...t, ...base, client: c.ddb, now: () => at, signal: stop.signal })),
    ).toBe('BACKFILL_REFUSED');
    await resumesToEnd(t, at + 24 * 3_600_000);
  });

  it("an earlier build's half-applied chunk is taken as applied at the backfill's start: refused past the window", async () => {
    const t = await setUp('bf-late-old');
    const at = await crashedRun(t);
    await asEarlierBuild(t);
    const late = at + 2 * 3_600_000;
    await refusedResume(t, late);
    // within a 24 h mapping's horizon of the backfill's start it is applied again, once
    await resumesToEnd(t, late, 86_400);
  });

  it("an earlier build's half-applied chunk within the window of the backfill's start is applied again, once", async () => {
    const t = await setUp('bf-late-old-in');
    const at = await crashedRun(t);
    await asEarlierBuild(t);
    await resumesToEnd(t, at + 30 * 60_000);
  });

  it("an earlier build's half-applied chunk with no recorded backfill start is refused", async () => {
    const t = await setUp('bf-late-old-nostart');
    const at = await crashedRun(t);
    await asEarlierBuild(t);
    await clients.ddb.send(
      new UpdateItemCommand({
        TableName: t.table,
        Key: { pk: { S: '~ctl#store' }, sk: { S: 'control' } },
        UpdateExpression: 'REMOVE v1.backfill',
        ConditionExpression: 'attribute_exists(v1.backfill.startedAt)',
      }),
    );
    expect(await codeOf(resume(t, at))).toBe('BACKFILL_REFUSED');
  });

  it('a chunk stopped after its journal, before anything of it was applied, resumes a day later', async () => {
    const t = await setUp('bf-late-journal');
    const stop = new AbortController();
    // the stop comes once the second chunk's journal is written (the first chunk is applied and done)
    const client = stopAfterJournal(stop, 2);
    const at = Date.now() + 60_000;
    expect(await codeOf(runBackfill({ ...t, ...base, client, now: () => at, signal: stop.signal }))).toBe(
      'BACKFILL_REFUSED',
    );
    await resumesToEnd(t, at + 24 * 3_600_000);
  });
});
