// Review s16 (query client): windows past a retention that was lengthened. Retention is left out of the
// rollup's fingerprint (it "only sets row TTLs"), so lengthening it keeps the version and its rows; but rows
// written before the change carry the old `ttl`, and DynamoDB deletes them on that schedule. The query client
// trusted the new retention, read the deleted rows as empty and answered 0 with no sign of it, where the old
// definition said WINDOW_NOT_SERVABLE. DynamoDB's TTL sweep is done here by deleting every item whose `ttl` has
// passed (what the service does, at its own pace).
//
// Fixed (session 20): every write process records the retentions it writes rows under in the rollup's retention
// history item (`~ret#<rollup>`, packages/dynotally/src/retention), before its first write and again at most
// hourly; the query client reads it (one GetItem, cached 60 s) and keeps a bucket only as long as the shortest
// retention of any writer live when the bucket started. So the old rows are refused (WINDOW_NOT_SERVABLE),
// buckets written only under the longer retention are served, and rollups kept forever send nothing more.

import { DeleteItemCommand, DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { historyKey, parseHistory } from '../../packages/dynotally/src/retention/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { storedRows } from '../../packages/dynotally/src/verify/stored-rows.ts';
import { ddbEndpoint, testClients, uniqueTableName } from '../support/ddb.ts';
import { inserts, ttlSweep as sweep } from './ttl-sweep.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const D = 86_400_000;
const T = Date.UTC(2026, 5, 10, 9, 20);
const HOUR = { from: '2026-06-10T09:00:00Z', to: '2026-06-10T10:00:00Z' } as const;
const definition = (hour: string) =>
  defineRollup({
    name: 'ret',
    groupBy: 'g',
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['minute', 'hour'],
    retention: { minute: '8d', hour },
    measures: { n: count() },
  });
const before = definition('10d');
const after = definition('400d');

const insert = inserts();
const ttlSweep = (table: string, now: number) => sweep(clients.ddb, table, now);

const hourOf = (t: number) => {
  const from = new Date(Math.floor(t / 3_600_000) * 3_600_000);
  return { from: from.toISOString(), to: new Date(from.getTime() + 3_600_000).toISOString() } as const;
};
const notServable = (e: unknown) => isDynotallyError(e, 'WINDOW_NOT_SERVABLE');
const countIn = (r: unknown) => (r as { values: { n: number } }).values.n;

async function freshTable(name: string): Promise<string> {
  const table = uniqueTableName(name);
  await createAggregateTable(clients.ddb, table);
  return table;
}

async function write(
  table: string,
  rollup: typeof before,
  at: number,
  times: readonly number[],
  shardId = 's-1',
): Promise<void> {
  const applier = new Applier({ client: clients.ddb, table, rollups: [rollup], now: () => at });
  const { poison } = await applier.apply({ records: times.map(insert), shardId });
  expect(poison).toEqual([]);
}

const querying = (table: string, rollup: typeof before, now: number) =>
  createQueryClient({ client: clients.ddb, table, rollups: [rollup], now: () => now });

/** A client on the test's DynamoDB Local that records every command it sends (name and key / table). */
function recordingClient(): { client: DynamoDBClient; sent: { command: string; pk?: string }[] } {
  const client = new DynamoDBClient({ ...localClientConfig(ddbEndpoint()), maxAttempts: 8 });
  const sent: { command: string; pk?: string }[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: { pk?: { S?: string } } };
      sent.push({ command: String(context.commandName), pk: input.Key?.pk?.S });
      return next(args);
    },
    { step: 'initialize' },
  );
  return { client, sent };
}

describe('a lengthened retention', () => {
  it('does not turn rows the old TTL deleted into zeros', async () => {
    expect(after.compiled.fingerprint).toBe(before.compiled.fingerprint); // same version, same rows
    const table = await freshTable('s16-retention');
    await write(table, before, T, [T, T + 1000, T + 60_000]);
    const now = T + 20 * D;
    expect(await ttlSweep(table, now)).toBeGreaterThan(0); // the hour row: ttl = its end + 10 days

    const old = querying(table, before, now);
    const refused = await old.total(before, { g: 'a' }, HOUR).catch((e: unknown) => e);
    expect(notServable(refused)).toBe(true);

    const answer = await querying(table, after, now)
      .total(after, { g: 'a' }, HOUR)
      .catch((e: unknown) => e);
    expect(notServable(answer)).toBe(true); // never a silent 0
    expect((answer as Error).message).toContain('retention history');
    expect((answer as Error).message).toContain('10d');
    // a series over those hours, and latest-style reads, refuse or skip the same buckets
    const series = await querying(table, after, now)
      .series(after, { g: 'a' }, { granularity: 'hour', from: HOUR.from, to: HOUR.to })
      .catch((e: unknown) => e);
    expect(notServable(series)).toBe(true);
  });

  it("keeps an old-config writer's rows under its retention while it still writes, and serves what only the new config wrote", async () => {
    const table = await freshTable('s16-retention-rolling');
    await write(table, before, T, [T, T + 1000]); // the old config (10 d), first batch
    await write(table, after, T + 2 * D, [T + 2 * D], 's-2'); // the new config (400 d) on another shard
    await write(table, before, T + 3 * D, [T + 3 * D]); // the old config still writes: its lastSeen moves
    await write(table, after, T + 5 * D, [T + 5 * D, T + 5 * D + 1], 's-2'); // after every old writer stopped
    const now = T + 20 * D;
    expect(await ttlSweep(table, now)).toBeGreaterThan(0);
    const query = querying(table, after, now);
    for (const t of [T, T + 2 * D, T + 3 * D]) {
      // written while a 10-day writer was live: its rows may carry the 10-day TTL (the one at T + 2 days was
      // written by the new config only, but a writer of the old one was live then: refused, conservatively)
      const r = await query.total(after, { g: 'a' }, hourOf(t)).catch((e: unknown) => e);
      expect(notServable(r), new Date(t).toISOString()).toBe(true);
    }
    // started after the old writers' lastSeen + 2 h: only 400-day TTLs, served
    expect(countIn(await query.total(after, { g: 'a' }, hourOf(T + 5 * D)))).toBe(2);
    const history = parseHistory(
      (await clients.ddb.send(new GetItemCommand({ TableName: table, Key: historyKey('ret') }))).Item,
    );
    expect(
      history.entries
        .filter((e) => e.granularity === 'hour')
        .map((e) => [e.retentionMs / D, e.firstSeen, e.lastSeen])
        .sort((a, b) => (a[0] as number) - (b[0] as number)),
    ).toEqual([
      [10, T, T + 3 * D],
      [400, T + 2 * D, T + 5 * D],
    ]);
  });

  it('refuses, under the longer definition, rows a writer of a shortened retention wrote', async () => {
    const table = await freshTable('s16-retention-shortened');
    await write(table, after, T, [T]); // 400 d
    await write(table, before, T + D, [T + D, T + D + 1]); // shortened to 10 d
    // within 10 days, both serve it
    expect(countIn(await querying(table, after, T + 5 * D).total(after, { g: 'a' }, hourOf(T + D)))).toBe(2);
    expect(countIn(await querying(table, before, T + 5 * D).total(before, { g: 'a' }, hourOf(T + D)))).toBe(
      2,
    );
    const now = T + 20 * D;
    expect(await ttlSweep(table, now)).toBeGreaterThan(0); // the row of T + 1 day (ttl its end + 10 days)
    // a query client still on the 400-day definition (a rolling deploy) does not read the swept row as 0
    const long = await querying(table, after, now)
      .total(after, { g: 'a' }, hourOf(T + D))
      .catch((e: unknown) => e);
    expect(notServable(long)).toBe(true);
    // the shortened definition refuses by its own retention, as before
    const short = await querying(table, before, now)
      .total(before, { g: 'a' }, hourOf(T + D))
      .catch((e: unknown) => e);
    expect(notServable(short)).toBe(true);
  });

  it('without a history item (rows written before it existed) keeps the old behaviour', async () => {
    const table = await freshTable('s16-retention-nohistory');
    await write(table, before, T, [T, T + 1000, T + 60_000]);
    await clients.ddb.send(new DeleteItemCommand({ TableName: table, Key: historyKey('ret') }));
    // rows still there: served under the definition's retention, as before
    expect(countIn(await querying(table, after, T + 5 * D).total(after, { g: 'a' }, HOUR))).toBe(3);
    // the documented gap for rollups whose writers predate the history (docs/rollups.md, retention): the swept
    // row reads as 0 under the lengthened retention
    await ttlSweep(table, T + 20 * D);
    expect(countIn(await querying(table, after, T + 20 * D).total(after, { g: 'a' }, HOUR))).toBe(0);
  });
});

describe('what the retention history costs', () => {
  it('a rollup kept forever writes no history, and its query client reads it once a minute', async () => {
    const forever = defineRollup({
      name: 'forever',
      groupBy: 'g',
      time: { attribute: 'ts', format: 'epoch-millis' },
      granularities: ['day', 'all'],
      measures: { n: count() },
    });
    const table = await freshTable('s16-retention-forever');
    const { client, sent } = recordingClient();
    try {
      const applier = new Applier({ client, table, rollups: [forever], now: () => T });
      await applier.apply({ records: [insert(T)], shardId: 's-1' });
      const beforeQuery = sent.length;
      const query = createQueryClient({ client, table, rollups: [forever], now: () => T + D });
      const r = await query.total(
        forever,
        { g: 'a' },
        { from: '2026-06-10T00:00:00Z', to: '2026-06-11T00:00:00Z' },
      );
      expect(countIn(r)).toBe(1);
      // its writers record nothing; the query reads the history (rows of an earlier, finite retention may remain:
      // review s20b), which is not among the rows its result reports
      const history = sent.filter((s) => s.pk?.startsWith('~ret#')).map((s) => s.command);
      expect(history).toEqual(['GetItemCommand']);
      // and, beside it, the rollup's control item (no versions here; review s39q: a plain client refuses a rollup
      // whose serving version is not its version 1)
      const control = sent.filter((s) => s.pk?.startsWith('~ctl#')).map((s) => s.command);
      expect(control).toEqual(['GetItemCommand']);
      expect(sent.length - beforeQuery).toBe(r.requests + 2);
      const scan = await clients.ddb.send(new ScanCommand({ TableName: table }));
      expect((scan.Items ?? []).filter((i) => i.pk?.S?.startsWith('~'))).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('a rollup with a finite retention: one read and one write per rollup per process and hour (none when another process just wrote it); one read per query client a minute', async () => {
    const table = await freshTable('s16-retention-cost');
    const { client, sent } = recordingClient();
    try {
      let clock = T;
      const applier = new Applier({ client, table, rollups: [before], now: () => clock });
      const history = () => sent.filter((s) => s.pk === '~ret#ret').map((s) => s.command);
      await applier.apply({ records: [insert(T)], shardId: 's-1' });
      expect(history()).toEqual(['GetItemCommand', 'UpdateItemCommand']);
      clock = T + 59 * 60_000;
      await applier.apply({ records: [insert(T + 1000)], shardId: 's-1' });
      expect(history()).toHaveLength(2); // within the hour: nothing more
      clock = T + 61 * 60_000;
      await applier.apply({ records: [insert(T + 1000)], shardId: 's-1' });
      expect(history()).toEqual([
        'GetItemCommand',
        'UpdateItemCommand',
        'GetItemCommand',
        'UpdateItemCommand',
      ]);
      // another process starting within 5 minutes of that record finds it fresh: it reads, writes nothing
      const second = new Applier({ client, table, rollups: [before], now: () => clock + 60_000 });
      await second.apply({ records: [insert(T + 2000)], shardId: 's-2' });
      expect(history().slice(4)).toEqual(['GetItemCommand']);
      sent.length = 0;
      const query = createQueryClient({ client, table, rollups: [before], now: () => clock });
      expect(countIn(await query.total(before, { g: 'a' }, HOUR))).toBe(4);
      expect(countIn(await query.total(before, { g: 'a' }, HOUR))).toBe(4);
      expect(history()).toEqual(['GetItemCommand']); // cached for the second call
    } finally {
      client.destroy();
    }
  });

  it('the history item never shows up in query results, verify, leaderboards or scans of rows', async () => {
    const ranked = defineRollup({
      name: 'ranked',
      groupBy: 'g',
      time: { attribute: 'ts', format: 'epoch-millis' },
      granularities: ['hour', 'day', 'all'],
      retention: { hour: '10d' },
      measures: { n: count() },
      leaderboard: { measure: 'n', granularities: ['all', 'day'] },
    });
    const table = await freshTable('s16-retention-hidden');
    const applier = new Applier({ client: clients.ddb, table, rollups: [ranked], now: () => T });
    await applier.apply({ records: [insert(T), insert(T + 1)], shardId: 's-1' });
    const item = await clients.ddb.send(new GetItemCommand({ TableName: table, Key: historyKey('ranked') }));
    expect(item.Item).toBeDefined(); // recorded
    expect(item.Item?.lbk).toBeUndefined(); // never on the leaderboard index
    expect(item.Item?.ttl).toBeUndefined();
    const query = createQueryClient({ client: clients.ddb, table, rollups: [ranked], now: () => T + 60_000 });
    const top = await query.top(ranked, { bucket: 'all' });
    expect(top.entries.map((e) => e.group)).toEqual([{ g: 'a' }]);
    const day = await query.top(ranked, { bucket: 'day' });
    expect(day.entries.map((e) => e.group)).toEqual([{ g: 'a' }]);
    // verify's stored rows (the prefix-filtered scan delete-retired uses the same kind of filter) never see it
    const { rows } = await storedRows(clients.ddb, table, 'ranked', {});
    expect([...rows.keys()].some((k) => k.startsWith('~'))).toBe(false);
    expect(rows.size).toBeGreaterThan(0);
  });
});
