/** Lower-cased zone name → its spelling in the runtime's zone list (built on first use). */
let listed: Map<string, string> | undefined;

/**
 * A zone name in its canonical letter case, so that `'europe/london'` and `'Europe/London'` (which Intl treats as
 * one zone) name one rollup version: the runtime's own spelling of the same name (`resolvedOptions().timeZone`,
 * or `Intl.supportedValuesOf('timeZone')`). A name the runtime spells differently only because it is an alias
 * (`'US/Eastern'`, which V8 resolves to `America/New_York`) is kept as given: an alias is never replaced by
 * another zone's name, so no definition spelt correctly changes. A name that is not a zone is returned as given
 * (`calendarFor` refuses it).
 *
 * @example
 * ```ts
 * canonicalZoneName('europe/london'); // 'Europe/London'
 * canonicalZoneName('US/Eastern'); // 'US/Eastern'
 * canonicalZoneName('utc'); // 'UTC'
 * ```
 */
export function canonicalZoneName(zone: string): string {
  if (typeof zone !== 'string') return zone;
  const lower = zone.toLowerCase();
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
  if (resolved === zone) return zone;
  if (resolved.toLowerCase() === lower) return resolved;
  listed ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  return listed.get(lower) ?? zone;
}
