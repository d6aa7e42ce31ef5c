// Review s25e (query client): windows whose edges fall inside packed rows, across offset changes of zones with
// 30/45-minute offsets (Lord Howe's 30-minute DST, St John's, Chatham, Kathmandu, Kolkata), a skipped midnight
// (Havana), a repeated hour at midnight (Santiago) and a skipped day (Apia), for three layouts (minutes in hour
// rows and days in month rows; hours in day rows and months in year rows; 15-minute buckets and days), compared
// with an oracle that counts the items written: rolling, calendar and lastDays totals and series of 10m … week.
// No finding: every answer matched (kept as coverage).
import type { DynamoDBRecord } from 'aws-lambda';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import type { SeriesResult, TotalResult } from '../../packages/dynotally/src/query/results.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 900_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const MIN = 60_000;
const HOUR = 3_600_000;

interface Case {
  zone: string;
  /** an offset change (or a month end) to centre the data on */
  pivot: number;
}
const CASES: Case[] = [
  { zone: 'Australia/Lord_Howe', pivot: Date.UTC(2026, 3, 4, 15) }, // 02:00 +11 → 01:30 +10:30
  { zone: 'Australia/Lord_Howe', pivot: Date.UTC(2026, 9, 3, 15, 30) }, // 02:00 +10:30 → 02:30 +11
  { zone: 'America/St_Johns', pivot: Date.UTC(2026, 2, 8, 5, 30) }, // 02:00 -03:30 → 03:00 -02:30
  { zone: 'America/St_Johns', pivot: Date.UTC(2026, 10, 1, 4, 30) }, // 02:00 -02:30 → 01:00 -03:30
  { zone: 'Pacific/Chatham', pivot: Date.UTC(2026, 3, 4, 14) }, // 03:45 +13:45 → 02:45 +12:45
  { zone: 'Asia/Kathmandu', pivot: Date.UTC(2026, 3, 30, 18, 15) }, // local midnight, 1 May
  { zone: 'Asia/Kolkata', pivot: Date.UTC(2026, 2, 31, 18, 30) }, // local midnight, 1 Apr
  { zone: 'America/Havana', pivot: Date.UTC(2026, 2, 8, 5) }, // midnight skipped: 00:00 -05 → 01:00 -04
  { zone: 'America/Santiago', pivot: Date.UTC(2026, 3, 5, 3) }, // 24:00 -03 → 23:00 -04 (4 Apr twice)
  { zone: 'Pacific/Apia', pivot: Date.UTC(2011, 11, 30, 10) }, // 30 Dec 2011 skipped
];
const GRANS = [
  ['minute', '15m', 'hour', 'day', 'week', 'month'],
  ['hour', 'month'],
  ['15m', 'day'],
] as const;

const rollupFor = (zone: string, name: string, granularities: readonly string[]) =>
  defineRollup({
    name,
    groupBy: 'g',
    time: { attribute: 'ts', format: 'epoch-millis' },
    timeZone: zone,
    granularities: granularities as never,
    measures: { n: count(), amt: sum('amount') },
  });

function records(times: readonly number[]): DynamoDBRecord[] {
  return times.map((t, i) => ({
    eventID: `e${i}`,
    eventName: 'INSERT',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
    dynamodb: {
      SequenceNumber: String(i + 1).padStart(21, '0'),
      ApproximateCreationDateTime: Math.floor(t / 1000),
      NewImage: { id: { S: `i${i}` }, g: { S: 'x' }, ts: { N: String(t) }, amount: { N: String(i % 7) } },
    },
  }));
}

const countIn = (times: readonly number[], from: number, to: number) =>
  times.filter((t) => t >= from && t < to).length;

describe('windows across offset changes (oracle)', () => {
  it('totals and series equal the items counted in their windows', async () => {
    const table = uniqueTableName('s25e-zones');
    await createAggregateTable(clients.ddb, table);
    const mismatches: string[] = [];
    let k = 0;
    for (const { zone, pivot } of CASES)
      for (const grans of GRANS) {
        const r = rollupFor(zone, `z${k++}`, grans);
        // every 7 minutes and 13 seconds from 40 h before to 40 h after the pivot, plus the pivot's neighbours
        const times: number[] = [];
        for (let t = pivot - 40 * HOUR; t < pivot + 40 * HOUR; t += 7 * MIN + 13_000) times.push(t);
        for (const d of [-1, 0, 1, MIN - 1, MIN, 30 * MIN - 1, 30 * MIN]) times.push(pivot + d);
        const now = pivot + 41 * HOUR;
        const applier = new Applier({
          lateRecords: 'apply',
          client: clients.ddb,
          table,
          rollups: [r],
          now: () => now,
        });
        const { poison } = await applier.apply({ records: records(times), shardId: 'shardId-1' });
        expect(poison).toEqual([]);
        const query = createQueryClient({ client: clients.ddb, table, rollups: [r], now: () => now });
        const g = { g: 'x' };
        const check = (what: string, got: unknown, want: number) => {
          if (got !== want) mismatches.push(`${zone} ${grans} ${what}: got ${String(got)}, want ${want}`);
        };
        // rolling windows, at instants near the pivot
        for (let at = pivot - 3 * HOUR; at <= pivot + 3 * HOUR; at += 23 * MIN + 7_000) {
          for (const last of ['90m', '7h', '24h', '25h', '2d']) {
            let res: TotalResult;
            try {
              res = await query.total(r, g, { last, at });
            } catch (e) {
              if (grans.length < 3) continue;
              mismatches.push(`${zone} ${grans} last ${last}: threw ${(e as Error).message}`);
              continue;
            }
            check(
              `last ${last} at ${new Date(at).toISOString()} [${res.window.fromIso}, ${res.window.toIso})`,
              res.values.n,
              countIn(times, res.window.from, res.window.to),
            );
          }
        }
        // calendar windows at the pivot and its neighbours; edges checked with luxon
        for (const at of [pivot - 1, pivot, pivot + 1, pivot + 30 * MIN, pivot + HOUR]) {
          for (const unit of ['day', 'week', 'month'] as const) {
            for (const offset of [0, -1]) {
              let res: TotalResult;
              try {
                res = await query.total(r, g, { calendar: unit, offset, at });
              } catch (e) {
                mismatches.push(`${zone} ${grans} calendar ${unit}: threw ${(e as Error).message}`);
                continue;
              }
              if (zone === 'Pacific/Apia') continue; // luxon has no answer for the skipped day
              // calendar arithmetic at local noon (never in a gap here), then the period's first instant
              const noon = DateTime.fromMillis(at, { zone }).set({
                hour: 12,
                minute: 0,
                second: 0,
                millisecond: 0,
              });
              const edge = (n: number) =>
                noon
                  .plus({ [unit]: n })
                  .startOf(unit, { useLocaleWeeks: false })
                  .toMillis();
              const from = edge(offset);
              const to = edge(offset + 1);
              if (res.window.from !== from || res.window.to !== to)
                mismatches.push(
                  `${zone} calendar ${unit} ${offset} at ${new Date(at).toISOString()}: window [${res.window.fromIso}, ${res.window.toIso}) want [${DateTime.fromMillis(from, { zone }).toISO()}, ${DateTime.fromMillis(to, { zone }).toISO()})`,
                );
              check(
                `calendar ${unit} ${offset} at ${new Date(at).toISOString()}`,
                res.values.n,
                countIn(times, from, to),
              );
            }
          }
          const two = await query.total(r, g, { lastDays: 2, at });
          check(
            `lastDays 2 at ${new Date(at).toISOString()}`,
            two.values.n,
            countIn(times, two.window.from, two.window.to),
          );
        }
        // series
        for (const granularity of ['15m', 'hour', 'day', 'week', '30m', '10m'] as const) {
          for (const [from, to] of [
            [pivot - 5 * HOUR - 7 * MIN, pivot + 5 * HOUR + 11 * MIN],
            [pivot - 30 * HOUR, pivot + 30 * HOUR],
          ] as const) {
            let res: SeriesResult;
            try {
              res = await query.series(r, g, { granularity, from, to });
            } catch (e) {
              if (grans.length < 3) continue;
              mismatches.push(`${zone} series ${granularity}: threw ${(e as Error).message}`);
              continue;
            }
            let prevEnd: number | undefined;
            for (const p of res.points) {
              if (prevEnd !== undefined && p.start !== prevEnd)
                mismatches.push(`${zone} series ${granularity}: gap at ${p.label}`);
              prevEnd = p.end;
              check(`series ${granularity} ${p.label} ${p.iso}`, p.values.n, countIn(times, p.start, p.end));
              if (granularity === 'hour' || granularity === 'day') {
                const local = DateTime.fromMillis(p.start, { zone });
                if (local.minute !== 0 && !(p.start === pivot))
                  mismatches.push(
                    `${zone} series ${granularity}: point ${p.label} starts at local ${local.toISO()}`,
                  );
              }
            }
          }
        }
      }
    expect(mismatches).toEqual([]);
  });
});
