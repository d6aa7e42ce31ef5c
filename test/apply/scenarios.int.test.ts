// S0–S4 end to end on DynamoDB Local: items written to a real source table, the stream read back with the
// Streams API and fed to the Lambda handler in batches; the aggregate table equals the oracle.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { parsePartitionKey } from '../../packages/dynotally/src/layout/group-key.ts';
import { referenceRollups } from '../../packages/dynotally-cli/src/scenarios/index.ts';
import { cellKey, groupId } from '../oracle/oracle.ts';
import { testClients } from '../support/ddb.ts';
import {
  canonicalCells,
  deliverAll,
  diffCells,
  expectedCells,
  isBookkeeping,
  type OracleSpec,
  Pipeline,
  replay,
  type ShardStream,
  scanTable,
} from '../support/pipeline.ts';
import { energyOps, favouritesOps, jobsOps, type Op, ORACLE, run, scansOps, storeOps } from './workload.ts';

// DynamoDB Local shares two cores with everything else: generous limits, never timing assertions
vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

// S2 also asks "favourites ever given": a TTL expiry (unlike an unfavourite) does not undo one
const favouritesEver = defineRollup({
  name: 'favourites-ever',
  match: { type: 'favourite' },
  groupBy: 'restaurantId',
  time: { attribute: 'createdAt', format: 'epoch-seconds' },
  granularities: ['all'],
  measures: { favourites: count() },
  ttlDeletes: 'ignore',
});
const favouritesEverSpec: OracleSpec = {
  rollup: {
    ...ORACLE.favourites.rollup,
    name: 'favourites-ever',
    zone: 'UTC',
    granularities: ['all'],
    ttlDeletes: 'ignore',
  },
  timeMs: ORACLE.favourites.timeMs,
};
const rollups = [...referenceRollups, favouritesEver];
const specs = [...Object.values(ORACLE), favouritesEverSpec];

/** Writes the operations, reads the stream, delivers it in batches, and compares with the oracle. */
async function endToEnd(name: string, ops: readonly Op[], batchSize: number) {
  const pipeline = await Pipeline.create(clients, rollups, name);
  await run(pipeline, ops);
  const shards = await pipeline.readStream();
  // the harness itself: replaying the stream gives exactly the source table
  const replayed = replay(shards);
  const source = await scanTable(clients.ddb, pipeline.source);
  const canon = (items: readonly Record<string, unknown>[]) =>
    items.map((i) => JSON.stringify(sortKeys(i))).sort();
  const same = JSON.stringify(canon(replayed.finals)) === JSON.stringify(canon(source));
  expect(same, 'replaying the stream gives the source table').toBe(true);
  await deliverAll(pipeline.handler(), shards, batchSize);
  const rows = await scanTable(clients.ddb, pipeline.aggregates);
  const actual = canonicalCells(pipeline.compiled, rows);
  const expected = expectedCells(specs, replayed);
  expect(diffCells(actual, expected)).toEqual([]);
  return { pipeline, shards, rows, expected };
}

function sortKeys<T extends Record<string, unknown>>(item: T): T {
  return Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1))) as T;
}

const eventsOf = (shards: readonly ShardStream[], kind: string) =>
  shards.flatMap((s) => s.records).filter((r) => r.eventName === kind).length;
const ttlRemoves = (shards: readonly ShardStream[]) =>
  shards.flatMap((s) => s.records).filter((r) => r.userIdentity?.principalId === 'dynamodb.amazonaws.com')
    .length;

describe('the five reference systems through the Lambda handler on DynamoDB Local', () => {
  it('S0 jobs per customer: minute/hour/day counts after inserts, moves, filter exits, edits and deletes', async () => {
    const { shards, expected } = await endToEnd('s0', jobsOps(11), 20);
    expect(eventsOf(shards, 'MODIFY')).toBeGreaterThan(5);
    expect(eventsOf(shards, 'REMOVE')).toBeGreaterThan(3);
    expect(ttlRemoves(shards)).toBeGreaterThan(0);
    expect([...expected.keys()].filter((k) => k.startsWith('jobs|')).length).toBeGreaterThan(40);
  });

  it('S1 scans per project: New York day/month counts and exact byte sums from ISO times with offsets', async () => {
    const { expected } = await endToEnd('s1', scansOps(12), 25);
    const months = new Set(
      [...expected.keys()]
        .filter((k) => k.startsWith('scans|') && k.includes('|month|'))
        .map((k) => k.split('|').at(-2)),
    );
    expect(months).toEqual(new Set(['M2026-10', 'M2026-11']));
    expect([...expected.entries()].some(([k, v]) => k.endsWith('|bytes') && v.includes('.'))).toBe(true);
  });

  it('S2 favourites: monthly and all-time counts, and leaderboard rows carry lbk/lbv equal to the totals', async () => {
    const { shards, rows, expected } = await endToEnd('s2', favouritesOps(13), 30);
    expect(eventsOf(shards, 'REMOVE')).toBeGreaterThan(5);
    expect(ttlRemoves(shards)).toBeGreaterThan(1);
    // TTL-expired favourites still count "ever", so some restaurant has more than it has now
    const ever = [...expected.entries()].filter(([k]) => k.startsWith('favourites-ever|'));
    expect(
      ever.some(
        ([k, v]) => Number(v) > Number(expected.get(k.replace('favourites-ever|', 'favourites|')) ?? 0),
      ),
    ).toBe(true);
    const ranked = rows.filter((r) => !isBookkeeping(r) && r.pk?.S?.startsWith('favourites#'));
    expect(ranked.length).toBeGreaterThan(6);
    for (const row of ranked) {
      const sk = row.sk?.S as string;
      const g = sk === 'ALL' ? 'all' : 'month';
      const { values } = parsePartitionKey(row.pk?.S as string);
      const total = expected.get(cellKey('favourites', groupId(values), g, sk, 'favourites')) ?? '0';
      expect(row.lbk?.S, JSON.stringify(row)).toBe(`favourites#${sk}#0`);
      expect(row.lbv?.N, JSON.stringify(row)).toBe(total);
      expect(row.lbv?.N).toBe(row.favourites?.N ?? '0');
    }
    expect(ranked.some((r) => r.sk?.S?.startsWith('M2026-01'))).toBe(true);
    expect(ranked.some((r) => r.sk?.S?.startsWith('M2026-02'))).toBe(true);
  });

  it('S3 energy: hourly…yearly exact sums, daily peak, latest power; re-sent readings change nothing', async () => {
    const { ops, metadataResends } = energyOps(14);
    const { shards, expected } = await endToEnd('s3', ops, 20);
    const puts = ops.filter((o) => o.kind === 'put').length;
    const identical =
      puts -
      new Set(ops.filter((o) => o.kind === 'put').map((o) => JSON.stringify(o.kind === 'put' ? o.item : 0)))
        .size;
    expect(identical).toBeGreaterThan(3);
    // DynamoDB writes no stream record for an identical re-send; a re-send with new ingest metadata is a
    // MODIFY whose read attributes are unchanged, which the fold must net to zero
    expect(eventsOf(shards, 'INSERT') + eventsOf(shards, 'MODIFY')).toBe(
      puts - identical + ops.filter((o) => o.kind === 'update').length,
    );
    expect(metadataResends).toBeGreaterThan(3);
    expect([...expected.keys()].filter((k) => k.endsWith('|power')).length).toBe(3);
    expect([...expected.keys()].filter((k) => k.endsWith('|peak')).length).toBeGreaterThan(3);
  });

  it('S4 store metrics: orders and views by day, month, year and total across year end and DST', async () => {
    const { expected } = await endToEnd('s4', storeOps(15), 25);
    const keys = [...expected.keys()];
    expect(keys.some((k) => k.includes('|year|Y2025|'))).toBe(true);
    expect(keys.some((k) => k.includes('|day|D2026-03-29|'))).toBe(true);
    expect(keys.some((k) => k.endsWith('|orders'))).toBe(true);
    expect(keys.some((k) => k.endsWith('|views'))).toBe(true);
  });
});
