// Independent reference for bucket labels: Temporal (polyfill), never src/time.
import { Temporal } from '@js-temporal/polyfill';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function utcLabel(prefix: string, epochMs: number, withSeconds = false): string {
  const iso = new Date(epochMs).toISOString(); // 2026-11-22T13:05:09.000Z
  return prefix + iso.slice(0, withSeconds ? 19 : 16);
}

/** Labels already computed (a pure function of its arguments); emptied when it grows past `MEMO_LIMIT`. */
const memo = new Map<string, string>();
const MEMO_LIMIT = 500_000;

/**
 * The bucket label of instant `t` at granularity id `g` in `zone`, computed with Temporal. Remembered: the
 * oracle asks for the same instant once per measure and granularity, and property runs reuse instants, while
 * each Temporal computation costs tens of microseconds.
 */
export function referenceLabel(g: string, zone: string, t: number): string {
  const key = `${g}|${zone}|${t}`;
  let label = memo.get(key);
  if (label === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    label = computeLabel(g, zone, t);
    memo.set(key, label);
  }
  return label;
}

/** What the labels of one instant in one zone need from Temporal: its wall fields and ISO week. */
interface ZonedFields {
  year: number;
  month: number;
  day: number;
  yearOfWeek: number;
  weekOfYear: number;
  wall: Temporal.PlainDateTime;
}

/**
 * The zoned fields of instant `t` in `zone`, remembered: each Temporal field read costs as much as the
 * conversion itself, and the oracle asks for up to six zoned granularities of every instant.
 */
const zonedMemo = new Map<string, ZonedFields>();

function zonedFields(zone: string, t: number): ZonedFields {
  const key = `${zone}|${t}`;
  let fields = zonedMemo.get(key);
  if (fields === undefined) {
    if (zonedMemo.size >= MEMO_LIMIT) zonedMemo.clear();
    const zdt = Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(zone);
    const wall = zdt.toPlainDateTime();
    fields = {
      year: wall.year,
      month: wall.month,
      day: wall.day,
      yearOfWeek: zdt.yearOfWeek as number,
      weekOfYear: zdt.weekOfYear as number,
      wall,
    };
    zonedMemo.set(key, fields);
  }
  return fields;
}

function computeLabel(g: string, zone: string, t: number): string {
  if (g === 'all') return 'ALL';
  if (g === 'second') return utcLabel('s', Math.floor(t / 1000) * 1000, true);
  if (g === 'minute') return utcLabel('m', Math.floor(t / 60_000) * 60_000);
  const zdt = zonedFields(zone, t);
  if (g === 'hour' || /^\d+m$/.test(g)) {
    const size = g === 'hour' ? 60 : Number(g.slice(0, -1));
    const wall = zdt.wall;
    const floored = wall.with({
      minute: Math.floor(wall.minute / size) * size,
      second: 0,
      millisecond: 0,
      microsecond: 0,
      nanosecond: 0,
    });
    // the bucket starts at the floored local wall time, at t's offset (the test zones change offset only on
    // whole local hours, so an hour never straddles a change)
    const startMs = t - wall.since(floored).total({ unit: 'millisecond' });
    return utcLabel(g === 'hour' ? 'H' : 'q', startMs);
  }
  if (g === 'day') return `D${zdt.year}-${pad(zdt.month)}-${pad(zdt.day)}`;
  if (g === 'week') return `W${zdt.yearOfWeek}-W${pad(zdt.weekOfYear)}`;
  if (g === 'month') return `M${zdt.year}-${pad(zdt.month)}`;
  if (g === 'year') return `Y${zdt.year}`;
  throw new Error(`reference: unknown granularity ${g}`);
}
