import { DynotallyError } from 'dynotally';
import { parseDuration } from 'dynotally/time';

/**
 * A `--max-record-age` duration in whole seconds (the mapping's MaximumRecordAgeInSeconds: 60 s to 7 days).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` for a malformed or out-of-range duration.
 * @example
 * ```ts
 * maxRecordAgeSeconds('24h'); // 86400
 * ```
 */
export function maxRecordAgeSeconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    ms = Number.NaN;
  }
  const s = Math.ceil(ms / 1000);
  if (!(s >= 60 && s <= 604_800))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `--max-record-age '${text}' is not a MaximumRecordAge: write a duration from 60s to 7d, e.g. 24h`,
      { details: { flag: '--max-record-age' } },
    );
  return s;
}
