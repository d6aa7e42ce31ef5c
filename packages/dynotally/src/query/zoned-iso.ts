import type { ZoneCalendar } from '../time/index.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * An instant as ISO-8601 local time with the zone's offset at that instant (`2026-11-22T18:50:00+05:45`);
 * milliseconds only when non-zero. An offset with seconds (local mean time, Africa/Monrovia −00:44:30 until 1972)
 * is printed with them (`1971-06-01T09:00:00-00:44:30`, an ISO 8601 extended offset; RFC 3339 offsets have no
 * seconds), so the text names the same instant and the query's `from` / `to` / `at` read it back (`Date.parse`
 * does not: it gives `NaN` for such an offset in Node 20). `±Infinity` (the all-time window's edges) give `null`.
 *
 * @example
 * ```ts
 * zonedIso(calendarFor('Asia/Kathmandu'), Date.UTC(2026, 10, 22, 13, 5)); // '2026-11-22T18:50:00+05:45'
 * ```
 */
export function zonedIso(calendar: ZoneCalendar, t: number): string | null {
  if (!Number.isFinite(t)) return null;
  const p = calendar.localParts(t);
  const offsetS = Math.round(calendar.offsetMs(t) / 1000); // offsets are whole seconds
  const sign = offsetS < 0 ? '-' : '+';
  const abs = Math.abs(offsetS);
  const seconds = abs % 60 === 0 ? '' : `:${pad(abs % 60)}`;
  const offset = `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}${seconds}`;
  const ms = p.millisecond === 0 ? '' : `.${pad(p.millisecond, 3)}`;
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${ms}${offset}`;
}
