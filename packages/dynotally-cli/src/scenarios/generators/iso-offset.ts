/**
 * An ISO-8601 timestamp of instant `t` (epoch ms) written in a fixed UTC offset, e.g.
 * `2026-11-22T18:35:00.000+05:30` — how a scanner in Kolkata would stamp its scans.
 *
 * @example
 * ```ts
 * isoWithOffset(Date.UTC(2026, 10, 22, 13, 5), '+05:30'); // '2026-11-22T18:35:00.000+05:30'
 * ```
 */
export function isoWithOffset(t: number, offset: string): string {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (m === null) throw new RangeError(`offset '${offset}' is not ±HH:MM`);
  const sign = m[1] === '-' ? -1 : 1;
  const offsetMs = sign * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return `${new Date(t + offsetMs).toISOString().slice(0, -1)}${offset}`;
}
