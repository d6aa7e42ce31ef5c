// Review s37q (query client): min / max / last (and count / sum) over windows whose edges fall inside packed rows
// (minutes and 10-minute buckets packed in hour rows), across Lord Howe's 30-minute fall-back (02:00 +11 → 01:30
// +10:30, so one local hour lasts 30 minutes), for a group whose items spell its number '1' and '1.0', read as
// { g: 1 } and as { g: { N: '1.00' } }; compared with an oracle computed from the items: rolling windows, explicit
// windows rounded outward / inward / nearest, and 10-minute and hour series.
// No finding: every answer matched. Kept as coverage (about 2 s): it would catch an extremum or `last` read from
// the wrong packed attribute (or its `_t` time) at a window's edge, an edge cell left out or counted twice, and a
// group spelling that keys another row. (The property test in query.int.test.ts keeps min, max and last only at
// hour, day, 15m and all, in zones with whole-hour DST; s25e-zone-windows.int.test.ts checks count alone here.)
// A larger exploration (four zones with 30/45-minute offsets, three layouts, 23,000 windows, queries after the
// minute, 10-minute and hour retentions ended with the rows still in the table, and a 1.2 MB Query read in two
// pages) found nothing either; it was too slow to keep.
// Break-checks: `last` read with the row's own time attribute (cell-location.ts `lastTimeAttr(m.storeAs)`) fails
// with `lt: got 98, want 17`; min added like a sum (measure-value.ts) fails with `lo: got 976.25, want 17`.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, last, max, min, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { Decimal } from '../oracle/decimal.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const MIN = 60_000;
const HOUR = 3_600_000;
const PIVOT = Date.UTC(2026, 3, 4, 15); // Lord Howe: 02:00 +11 → 01:30 +10:30

const rollup = defineRollup({
  name: 'xp',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: 'Australia/Lord_Howe',
  granularities: ['minute', '10m', 'hour', 'day', 'month'],
  measures: { n: count(), amt: sum('amount'), lo: min('reading'), hi: max('reading'), lt: last('reading') },
});

interface Ev {
  t: number;
  g: string;
  amount: string;
  reading: string;
}

const events: Ev[] = [];
for (let i = 0, t = PIVOT - 6 * HOUR; t < PIVOT + 6 * HOUR; t += 7 * MIN + 13_000, i++)
  events.push({
    t,
    g: i % 3 === 0 ? '1.0' : '1',
    amount: i % 4 === 0 ? '0.1' : String(i % 9),
    reading: `${((i * 7919) % 1000) - 500}${i % 5 === 0 ? '.25' : ''}`,
  });
// the minutes either side of the offset change and of the 30-minute hour's end
for (const d of [-1, 0, 1, 30 * MIN - 1, 30 * MIN])
  events.push({ t: PIVOT + d, g: '1', amount: '12345678901234567.1', reading: String(700 + d) });

function records(evs: readonly Ev[]): DynamoDBRecord[] {
  return evs.map((e, i) => ({
    eventID: `e${i}`,
    eventName: 'INSERT',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
    dynamodb: {
      SequenceNumber: String(i + 1).padStart(21, '0'),
      ApproximateCreationDateTime: Math.floor(e.t / 1000),
      NewImage: {
        id: { S: `i${i}` },
        g: { N: e.g },
        ts: { N: String(e.t) },
        amount: { N: e.amount },
        reading: { N: e.reading },
      },
    },
  }));
}

/** Every measure over the items with event time in [from, to), as decimal text (null when none). */
function oracle(from: number, to: number): Record<string, string | null> {
  const inWindow = events.filter((e) => e.t >= from && e.t < to);
  let amt = new Decimal(0);
  let lo: Decimal | undefined;
  let hi: Decimal | undefined;
  let lt: { t: number; v: Decimal } | undefined;
  for (const e of inWindow) {
    amt = amt.plus(e.amount);
    const r = new Decimal(e.reading);
    if (lo === undefined || r.lt(lo)) lo = r;
    if (hi === undefined || r.gt(hi)) hi = r;
    if (lt === undefined || e.t > lt.t) lt = { t: e.t, v: r };
  }
  return {
    n: String(inWindow.length),
    amt: amt.toFixed(),
    lo: lo?.toFixed() ?? null,
    hi: hi?.toFixed() ?? null,
    lt: lt?.v.toFixed() ?? null,
  };
}

const text = (v: unknown) => (v === null ? null : new Decimal(String(v)).toFixed());

describe('extrema over packed edges across a 30-minute offset change', () => {
  it('equal the oracle for rolling, rounded explicit windows and series', { timeout: 60_000 }, async () => {
    const table = uniqueTableName('s37q-extrema');
    await createAggregateTable(clients.ddb, table);
    const now = PIVOT + 7 * HOUR;
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [rollup],
      now: () => now,
    });
    expect((await applier.apply({ records: records(events), shardId: 'shardId-1' })).poison).toEqual([]);
    const query = createQueryClient({ client: clients.ddb, table, rollups: [rollup], now: () => now });
    const mismatches: string[] = [];
    let compared = 0;
    const compare = (what: string, values: Readonly<Record<string, unknown>>, from: number, to: number) => {
      const want = oracle(from, to);
      compared++;
      for (const [m, w] of Object.entries(want))
        if (text(values[m]) !== w) mismatches.push(`${what} ${m}: got ${String(values[m])}, want ${w}`);
    };
    const groups = [{ g: 1 }, { g: { N: '1.00' } }] as const;
    const ats = [
      PIVOT - 47 * MIN - 3_000,
      PIVOT + 13 * MIN + 41_000,
      PIVOT + 29 * MIN + 59_000,
      PIVOT + 101 * MIN,
    ];
    for (const at of ats) {
      const g = groups[compared % 2] as (typeof groups)[number];
      for (const lastW of ['45m', '90m', '7h']) {
        const r = await query.total(rollup, g, { last: lastW, at });
        compare(`last ${lastW} at ${new Date(at).toISOString()}`, r.values, r.window.from, r.window.to);
      }
      for (const round of ['outward', 'inward', 'nearest'] as const) {
        const r = await query.total(rollup, g, { from: at - 3 * HOUR - 7 * MIN - 11_000, to: at, round });
        compare(`${round} to ${new Date(at).toISOString()}`, r.values, r.window.from, r.window.to);
      }
    }
    for (const granularity of ['10m', 'hour'] as const) {
      const s = await query.series(rollup, groups[1], {
        granularity,
        from: PIVOT - 2 * HOUR - 5 * MIN,
        to: PIVOT + 2 * HOUR + 5 * MIN,
      });
      for (const p of s.points) compare(`series ${granularity} ${p.iso}`, p.values, p.start, p.end);
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(50);
  });
});
