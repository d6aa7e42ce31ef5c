import { ZoneCalendar } from './zone-calendar.ts';

const calendars = new Map<string, ZoneCalendar>();

/**
 * The {@link ZoneCalendar} of an IANA zone, created once per zone name and shared, so its offset and
 * bucket caches are shared too.
 *
 * @throws {DynotallyError} `UNKNOWN_TIME_ZONE` when the name is not a valid IANA zone.
 * @example
 * ```ts
 * const cal = calendarFor('Europe/London');
 * cal === calendarFor('Europe/London'); // true
 * ```
 */
export function calendarFor(zone: string): ZoneCalendar {
  let calendar = calendars.get(zone);
  if (calendar === undefined) {
    calendar = new ZoneCalendar(zone);
    calendars.set(zone, calendar);
  }
  return calendar;
}
