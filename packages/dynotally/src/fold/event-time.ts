import type { Change, Image } from '../decode/index.ts';
import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { shownValue } from '../strings/shown-value.ts';
import type { ZoneCalendar } from '../time/index.ts';
import { isoDate, isoInstantMs } from '../time/iso-instant.ts';
import { isoRefusal } from '../time/iso-refusal.ts';

/** What a time attribute of each format must hold, for the VALUE_INVALID message. */
const EXPECTED: Record<string, string> = {
  iso8601:
    "an ISO-8601 date-time with its zone, e.g. '2026-11-22T10:00:00Z' or '2026-11-22T11:00:00+01:00' (a wall time without one is ambiguous), or a date alone, '2026-11-22' (the start of that day in the rollup's zone); a day its month has",
  'epoch-millis': 'a number (N) of milliseconds since 1970',
  'epoch-seconds': 'a number (N) of seconds since 1970',
  auto: "a number (N) of seconds or milliseconds since 1970, an ISO-8601 date-time with its zone ('2026-11-22T10:00:00Z') or a date alone ('2026-11-22')",
};

/**
 * The event time (epoch ms) of an image for a rollup: its time attribute, else the record's approximate
 * creation time. A present but unusable value throws VALUE_INVALID (the record goes to the dead letters).
 * Strings are read by the strict ISO-8601 parser the query uses (`isoInstantMs`); a date alone is the start of
 * that day in the rollup's zone. The stream, the Redis buffer, the backfill and dead-letter replay all fold
 * through here, so they place a record alike.
 *
 * @example
 * ```ts
 * eventTime(rollup.compiled, change.newImage!, change); // 1763800000000
 * ```
 */
export function eventTime(rollup: CompiledRollup, image: Image, change: Change): number {
  const spec = rollup.time;
  if (spec !== undefined) {
    const v = image[spec.attribute];
    if (v !== undefined && v.NULL === undefined) {
      const t = parseTime(v.N, v.S, spec.format, rollup.calendar);
      if (Number.isFinite(t)) return t;
      // a text that is nearly an instant (a day its month lacks, the hour 24) gets its own reason
      const why =
        v.S !== undefined &&
        v.N === undefined &&
        spec.format !== 'epoch-millis' &&
        spec.format !== 'epoch-seconds'
          ? isoRefusal(v.S)
          : undefined;
      throw new DynotallyError(
        'VALUE_INVALID',
        why !== undefined
          ? `rollup '${rollup.name}': time attribute '${spec.attribute}' holds ${shownValue(v)}, which ${why}`
          : `rollup '${rollup.name}': time attribute '${spec.attribute}' holds ${shownValue(v)}, which is not a time in its format, ${spec.format}: it must hold ${EXPECTED[spec.format] ?? spec.format}`,
        { details: { rollup: rollup.name, attribute: spec.attribute, format: spec.format } },
      );
    }
  }
  const approx = change.approximateTimeMs;
  if (!Number.isFinite(approx)) {
    throw new DynotallyError(
      'VALUE_INVALID',
      `rollup '${rollup.name}': the item has no event time and the record no ApproximateCreationDateTime`,
      {
        details: { rollup: rollup.name },
      },
    );
  }
  return approx;
}

let lastN = '';
let lastFormat = '';
let lastT = Number.NaN;

function parseTime(
  n: string | undefined,
  s: string | undefined,
  format: string,
  calendar: ZoneCalendar,
): number {
  if (n !== undefined) {
    // Rollups of one source usually share the time attribute: parse each image's value once.
    if (n === lastN && format === lastFormat) return lastT;
    const t = parseNumberTime(n, format);
    lastN = n;
    lastFormat = format;
    lastT = t;
    return t;
  }
  if (s !== undefined && (format === 'iso8601' || format === 'auto')) {
    if (s.length !== 10) return isoInstantMs(s); // a wall time without its offset is ambiguous: NaN
    const d = isoDate(s);
    if (d === undefined || d.year < 1 || d.year > 9998) return Number.NaN;
    return calendar.startOfLocalDay(d.year, d.month, d.day); // the day's start where the rollup counts days
  }
  return Number.NaN;
}

function parseNumberTime(n: string, format: string): number {
  const x = integerText(n);
  if (format === 'epoch-seconds') return Math.floor(x * 1000);
  if (format === 'epoch-millis') return Math.floor(x);
  if (format === 'auto') return Math.abs(x) < 1e11 ? Math.floor(x * 1000) : Math.floor(x);
  return Number.NaN;
}

/**
 * `Number(n)`, by a char loop when `n` is an integer of at most 15 digits (an epoch time always is): the
 * conversion of a string that is not an array index goes through the runtime, about 60 ns a time on the fold
 * bench. Below 10¹⁵ every integer is exact in a double, so both give the same value (`-0` for `'-0'` too).
 */
function integerText(n: string): number {
  const len = n.length;
  const neg = len > 1 && n.charCodeAt(0) === 45; // '-'
  const from = neg ? 1 : 0;
  if (len === 0 || len - from > 15) return Number(n);
  let x = 0;
  for (let i = from; i < len; i++) {
    const d = n.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number(n);
    x = x * 10 + d;
  }
  return neg ? -x : x;
}
