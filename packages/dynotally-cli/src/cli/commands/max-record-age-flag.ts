import { DynotallyError, lateLetterAgeSeconds } from 'dynotally';
import { shownText } from 'dynotally/local';
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
      `--max-record-age '${shownText(text)}' is not a MaximumRecordAge: write a duration from 60s to 7d, e.g. 24h`,
      { details: { flag: '--max-record-age' } },
    );
  return s;
}

/**
 * How old a record may have been when it was dead-lettered for `dead-letters replay` to replay it without `--late`,
 * as text: the library's `lateLetterAgeSeconds`, the stream's 24 h retention (or the shorter maximum record age)
 * plus half an hour.
 *
 * @example
 * ```ts
 * lateLetterAge(undefined); // '24 h 30 min'
 * lateLetterAge(3_600); // '1 h 30 min'
 * ```
 */
export function lateLetterAge(maxRecordAge: number | undefined): string {
  const s = lateLetterAgeSeconds(
    maxRecordAge === undefined ? undefined : { maxRecordAgeSeconds: maxRecordAge },
  );
  const h = Math.floor(s / 3600);
  const min = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return [h > 0 ? `${h} h` : '', min > 0 ? `${min} min` : '', sec > 0 ? `${sec} s` : '']
    .filter((x) => x !== '')
    .join(' ');
}
