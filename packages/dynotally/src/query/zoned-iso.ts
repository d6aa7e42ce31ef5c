import type { ZoneCalendar } from '../time/index.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * An instant as ISO-8601 local time with the zone's offset at that instant (`2026-11-22T18:50:00+05:45`);
 * milliseconds only when non-zero. `±Infinity` (the all-time window's edges) give `null`.
 *
 * @example
 * ```ts
 * zonedIso(calendarFor('Asia/Kathmandu'), Date.UTC(2026, 10, 22, 13, 5)); // '2026-11-22T18:50:00+05:45'
 * ```
 */
export function zonedIso(calendar: ZoneCalendar, t: number): string | null {
  if (!Number.isFinite(t)) return null;
  const p = calendar.localParts(t);
  const offsetMin = Math.round(calendar.offsetMs(t) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const ms = p.millisecond === 0 ? '' : `.${pad(p.millisecond, 3)}`;
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${ms}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
