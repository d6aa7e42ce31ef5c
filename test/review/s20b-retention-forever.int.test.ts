// Fixed (session 20): the query client and verify read the history for every rollup, one kept forever too.
// Review s20b (retention history): a definition kept forever reads no history (lengthened to, or shortened from,
// 'forever'). The history is there so that "a query never
// reads a row an older, shorter `ttl` deleted as zero" (docs/rollups.md, retention: "Lengthening a retention:
// buckets written while a writer of the old retention ran keep the old retention, and a window reaching past it is
// WINDOW_NOT_SERVABLE"). But the query client skips the history read for a definition whose every granularity is
// kept forever (HistoryCache.load and readRetentionHistory: `if (![...c.retentionMs.values()].some(Number.isFinite))
// return`), which is exactly the definition a retention lengthened to 'forever' gives (e.g. `retention: { day: '10d' }`
// dropped from a rollup of days and all-time, whose defaults are forever). The writers of the old, 10-day definition
// recorded their retention, but nobody reads it: the rows DynamoDB's TTL deleted are read as empty. (verify's
// readRetentionHistory has the same early return, so, by reading, it reports those rows as drift; not run here.)
// The same holds for a shortening from forever to 10 days (docs: "a query client still on the old, longer one (a
// rolling deploy) refuses buckets the shorter writers may have written"): a client still on the forever definition
// reads no history and answers 0 for the new writer's swept rows.
// Observed: the day of T (June 10), written under 10 days and swept by TTL (its row: July 1 + 10 days), is answered
// as n = 0 forty days later, with no error; the history item holding the 10-day entry is never read.
// Expected: WINDOW_NOT_SERVABLE (as for a lengthening to 400 days, s16-query-retention), naming 10d.
// Suggested fix: skip the history read only when the item cannot exist: read it for every definition (one cached
// GetItem a minute; a missing item costs the same), in HistoryCache.load and readRetentionHistory (verify) alike;
// writers of an all-forever definition may still skip recording.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { historyKey, parseHistory } from '../../packages/dynotally/src/retention/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { inserts, ttlSweep as sweep } from './ttl-sweep.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const D = 86_400_000;
const T = Date.UTC(2026, 5, 10, 9, 20);
const DAY = { from: '2026-06-10T00:00:00Z', to: '2026-06-11T00:00:00Z' } as const;
const definition = (retention: { day: string } | undefined) =>
  defineRollup({
    name: 'fv',
    groupBy: 'g',
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['day', 'all'],
    ...(retention === undefined ? {} : { retention }),
    measures: { n: count() },
  });
const before = definition({ day: '10d' });
const after = definition(undefined); // days and all-time kept forever (the defaults)

const insert = inserts();
const ttlSweep = (table: string, now: number) => sweep(clients.ddb, table, now);

describe('a definition kept forever at every granularity', () => {
  it('does not turn day rows the old 10-day TTL deleted into zeros', async () => {
    expect(after.compiled.fingerprint).toBe(before.compiled.fingerprint); // same version, same rows
    const table = uniqueTableName('s20b-forever');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({ client: clients.ddb, table, rollups: [before], now: () => T });
    expect((await applier.apply({ records: [insert(T), insert(T + 1000)], shardId: 's-1' })).poison).toEqual(
      [],
    );
    // the old writer recorded its 10-day retention
    const item = await clients.ddb.send(new GetItemCommand({ TableName: table, Key: historyKey('fv') }));
    expect(parseHistory(item.Item).entries.map((e) => [e.granularity, e.retentionMs / D])).toEqual([
      ['day', 10],
    ]);
    const now = T + 40 * D; // past the row's ttl (days are packed in a month row: its end + 10 days)
    // within its 10 days, the day row is there and served
    const early = createQueryClient({ client: clients.ddb, table, rollups: [after], now: () => T + 5 * D });
    expect((await early.total(after, { g: 'a' }, DAY)).values.n).toBe(2);
    expect(await ttlSweep(table, now)).toBeGreaterThan(0); // the row: ttl = July 1 + 10 days
    const query = createQueryClient({ client: clients.ddb, table, rollups: [after], now: () => now });
    const answer = await query.total(after, { g: 'a' }, DAY).catch((e: unknown) => e);
    // observed: { values: { n: 0 } }, no error
    expect(answer).not.toMatchObject({ values: { n: 0 } });
    expect(isDynotallyError(answer, 'WINDOW_NOT_SERVABLE')).toBe(true);
    expect((answer as Error).message).toContain('10d');
  });
  it('a query client still on the forever definition refuses what a writer of a shortened one wrote', async () => {
    // docs/rollups.md: "Shortening one needs nothing: ... a query client still on the old, longer one (a rolling
    // deploy) refuses buckets the shorter writers may have written". From forever, the old client reads no history.
    const table = uniqueTableName('s20b-forever-short');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({ client: clients.ddb, table, rollups: [before], now: () => T });
    expect((await applier.apply({ records: [insert(T)], shardId: 's-1' })).poison).toEqual([]);
    const now = T + 40 * D;
    expect(await ttlSweep(table, now)).toBeGreaterThan(0);
    // a dashboard not redeployed since the retention was shortened from forever to 10 days
    const query = createQueryClient({ client: clients.ddb, table, rollups: [after], now: () => now });
    const answer = await query.total(after, { g: 'a' }, DAY).catch((e: unknown) => e);
    // observed: { values: { n: 0 } }, no error
    expect(answer).not.toMatchObject({ values: { n: 0 } });
    expect(isDynotallyError(answer, 'WINDOW_NOT_SERVABLE')).toBe(true);
  });
});
