// ISO-8601 event times against their epoch milliseconds: the same instant written as text, with any offset
// (±HH:30 and ±HH:45 among them), any number of fraction digits, either offset spelling and either separator,
// must land in exactly the buckets its epoch milliseconds land in, in any rollup zone; and a date alone is the
// day of that date in the rollup's zone, also where the zone skipped the day's midnight.
import type { AttributeValue } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../packages/dynotally/src/definition/index.ts';
import { eventTime, Folder, foldBatch } from '../packages/dynotally/src/fold/index.ts';
import { planWrites } from '../packages/dynotally/src/plan/index.ts';
import { MAX_INSTANT, MIN_INSTANT, parseGranularity } from '../packages/dynotally/src/time/index.ts';
import { MemoryStore } from './oracle/memory-store.ts';
import { cut, cutsArb, opsArb, timeArb, ZONES } from './support/arbitraries.ts';
import { simulate } from './support/stream-sim.ts';
import { testRollups } from './support/test-rollups.ts';

const MORE_ZONES = [...ZONES, 'America/St_Johns', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/Havana'];
const DAY = 86_400_000;
const noChange = { approximateTimeMs: 0 } as Parameters<typeof eventTime>[2];

/** An offset in minutes: any of −23:59…+23:59, or one of the half- and three-quarter-hour offsets zones use. */
const offsetArb = fc.oneof(
  fc.integer({ min: -1439, max: 1439 }),
  fc.constantFrom(330, -330, 345, -345, 570, -570, 765, -765, -210, 630, 525, -30, 45),
);

type Spelling = {
  offset: number;
  extra: string;
  sep: string;
  colon: boolean;
  utc: string;
  short: boolean;
};

/** How to spell one instant: its offset, extra fraction digits (truncated), separator and offset form. */
const spellingArb: fc.Arbitrary<Spelling> = fc.record({
  offset: offsetArb,
  extra: fc.stringMatching(/^\d{0,7}$/),
  sep: fc.constantFrom('T', 't', ' '),
  colon: fc.boolean(),
  utc: fc.constantFrom('Z', 'z', '+00:00', '-00:00', '+0000'),
  short: fc.boolean(),
});

/** `t` as ISO-8601 text, written independently of the parser (from `toISOString` of the wall time). */
function isoOf(t: number, s: Spelling): string {
  const wall = new Date(t + s.offset * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const ms = wall.slice(20, 23);
  let text = `${wall.slice(0, 10)}${s.sep}${wall.slice(11, 19)}`;
  const fraction = s.short && s.extra === '' ? ms.replace(/0+$/, '') : ms + s.extra; // '.5', '.25', '.0508'…
  if (fraction !== '') text += `.${fraction}`;
  else if (wall.slice(17, 19) === '00') text = text.slice(0, 16); // HH:MM alone
  if (s.offset === 0) return text + s.utc;
  const a = Math.abs(s.offset);
  const hh = String(Math.floor(a / 60)).padStart(2, '0');
  const mm = String(a % 60).padStart(2, '0');
  return `${text}${s.offset > 0 ? '+' : '-'}${hh}${s.colon ? ':' : ''}${mm}`;
}

const wideTimeArb = fc.oneof(
  timeArb,
  fc.integer({ min: MIN_INSTANT + 2 * DAY, max: MAX_INSTANT - 2 * DAY - 1 }),
);

describe('an ISO-8601 event time lands where its epoch milliseconds land', () => {
  for (const zone of MORE_ZONES) {
    const rollupAs = (format: 'iso8601' | 'epoch-millis' | 'auto') =>
      defineRollup({
        name: 'r',
        groupBy: 'g',
        time: { attribute: 't', format },
        timeZone: zone,
        granularities: ['second', 'minute', '15m', 'hour', 'day', 'week', 'month', 'year'],
        measures: { n: count() },
      }).compiled;
    const iso = rollupAs('iso8601');
    const auto = rollupAs('auto');
    const millis = rollupAs('epoch-millis');

    it(`in ${zone}: the same instant, every bucket, under iso8601 and auto`, () => {
      fc.assert(
        fc.property(wideTimeArb, spellingArb, (t, s) => {
          const text = isoOf(t, s);
          expect(eventTime(iso, { t: { S: text } }, noChange), text).toBe(t);
          const record = (v: AttributeValue) => ({
            eventID: '1',
            eventName: 'INSERT' as const,
            dynamodb: { SequenceNumber: '1', NewImage: { g: { S: 'g' }, t: v } },
          });
          const rowsOf = (r: typeof iso, v: AttributeValue) => {
            const { coalescer, poison } = foldBatch([r], [record(v)]);
            expect(poison).toEqual([]);
            return coalescer.rowList().map((a) => `${a.pk} ${a.sk}`);
          };
          const expected = rowsOf(millis, { N: String(t) });
          expect(rowsOf(iso, { S: text }), text).toEqual(expected);
          expect(rowsOf(auto, { S: text }), text).toEqual(expected);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('through the whole engine: random operations spelt as ISO text give the table their epoch milliseconds give', () => {
    for (const zone of ['America/New_York', 'Asia/Kathmandu']) {
      const plainRollups = testRollups(zone).compiled;
      const isoRollups = testRollups(zone, 'iso8601').compiled;
      const respell = (image: Record<string, AttributeValue> | undefined, s: Spelling) =>
        image?.t?.N === undefined ? image : { ...image, t: { S: isoOf(Number(image.t.N), s) } };
      fc.assert(
        fc.property(
          opsArb(),
          cutsArb(60),
          fc.array(spellingArb, { minLength: 20, maxLength: 20 }),
          (ops, cuts, ss) => {
            const sim = simulate(ops);
            const spelt = sim.records.map((r, i) => ({
              ...r,
              dynamodb: {
                ...r.dynamodb,
                OldImage: respell(r.dynamodb?.OldImage, ss[i % ss.length] as Spelling),
                NewImage: respell(r.dynamodb?.NewImage, ss[(i * 7 + 3) % ss.length] as Spelling),
              },
            })) as typeof sim.records;
            const plain = new MemoryStore();
            const store = new MemoryStore();
            const folder = new Folder(isoRollups);
            const plainFolder = new Folder(plainRollups);
            const plainBatches = cut(sim.records, cuts);
            cut(spelt, cuts).forEach((batch, b) => {
              const folded = foldBatch(isoRollups, batch, { folder });
              expect(folded.poison).toEqual([]);
              store.apply(planWrites(folded.coalescer, { now: 0 }));
              const plainFolded = foldBatch(plainRollups, plainBatches[b] ?? [], { folder: plainFolder });
              plain.apply(planWrites(plainFolded.coalescer, { now: 0 }));
            });
            expect(store.canonical(isoRollups)).toEqual(plain.canonical(plainRollups));
          },
        ),
        { numRuns: 60 },
      );
    }
  });
});

describe('a date alone is that day in the rollup zone', () => {
  // days whose midnight a zone skipped or moved: Samoa skipped 2011-12-30; Havana and Santiago start DST at 00:00
  const anchors = [
    Date.UTC(2011, 11, 30),
    Date.UTC(2026, 2, 8),
    Date.UTC(2026, 8, 6),
    Date.UTC(2026, 10, 22),
  ];
  const dateArb = fc.oneof(
    fc.tuple(fc.constantFrom(...anchors), fc.integer({ min: -3, max: 3 })).map(([a, d]) => a + d * DAY),
    fc.integer({ min: 2, max: (MAX_INSTANT - MIN_INSTANT) / DAY - 2 }).map((d) => MIN_INSTANT + d * DAY),
  );
  const zones = [...MORE_ZONES, 'Pacific/Apia', 'America/Santiago', 'Asia/Beirut'];
  const day = parseGranularity('day');

  it("its day bucket is labelled with the date, and its event time is that bucket's start", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), dateArb, (zone, utcMidnight) => {
        const r = defineRollup({
          name: 'r',
          groupBy: 'g',
          time: { attribute: 't', format: 'iso8601' },
          timeZone: zone,
          granularities: ['day'],
          measures: { n: count() },
        }).compiled;
        const date = new Date(utcMidnight).toISOString().slice(0, 10);
        const t = eventTime(r, { t: { S: date } }, noChange);
        const b = r.calendar.bucket(day, t);
        if (zone === 'Pacific/Apia' && date === '2011-12-30') {
          expect(b.label).toBe('D2011-12-31'); // the day Samoa skipped: its start is the next day's
        } else expect(b.label, `${zone} ${date}`).toBe(`D${date}`);
        expect(b.start, `${zone} ${date}`).toBe(t);
      }),
      { numRuns: 400 },
    );
  });
});
