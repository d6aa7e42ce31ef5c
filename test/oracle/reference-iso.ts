// Independent reference for ISO-8601 event times: a regular expression and Temporal (polyfill), never src/time.
import { Temporal } from '@js-temporal/polyfill';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(?:[Zz]|([+-])(\d{2}):?(\d{2}))$/;

/**
 * Epoch ms of an event-time string as the documented rules read it (docs/rollups.md, `time`), or NaN: a date-time
 * with its offset (fraction truncated to the ms, second 60 at the minute's last ms), or a date alone at the start
 * of that day in `zone`.
 */
export function referenceIsoMs(s: string, zone: string): number {
  try {
    const d = DATE.exec(s);
    if (d !== null) {
      const date = Temporal.PlainDate.from(
        { year: +d[1]!, month: +d[2]!, day: +d[3]! },
        { overflow: 'reject' },
      );
      return date.toZonedDateTime({ timeZone: zone }).epochMilliseconds;
    }
    const m = DATE_TIME.exec(s);
    if (m === null) return Number.NaN;
    const leap = m[6] === '60';
    const local = Temporal.PlainDateTime.from(
      {
        year: +m[1]!,
        month: +m[2]!,
        day: +m[3]!,
        hour: +m[4]!,
        minute: +m[5]!,
        second: leap ? 59 : +(m[6] ?? 0),
        millisecond: leap ? 999 : +(m[7] ?? '').padEnd(3, '0').slice(0, 3),
      },
      { overflow: 'reject' },
    );
    const hh = +(m[9] ?? 0);
    const mm = +(m[10] ?? 0);
    if (hh > 23 || mm > 59) return Number.NaN;
    const offsetMs = (m[8] === '-' ? -1 : 1) * (hh * 60 + mm) * 60_000;
    return local.toZonedDateTime('UTC').epochMilliseconds - offsetMs;
  } catch {
    return Number.NaN; // a day or field out of range
  }
}
