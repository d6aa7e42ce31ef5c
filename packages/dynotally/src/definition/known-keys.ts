import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownText } from '../strings/shown-value.ts';

/**
 * The keys of a rollup definition, of its `time` spec, of a groupBy function with declared names, of a measure's
 * options and of a `leaderboard`.
 */
export const ROLLUP_KEYS = [
  'name',
  'match',
  'groupBy',
  'time',
  'timeZone',
  'granularities',
  'measures',
  'ttlDeletes',
  'retention',
  'leaderboard',
  'functionsVersion',
] as const;
export const TIME_KEYS = ['attribute', 'format'] as const;
export const GROUP_FN_KEYS = ['names', 'fn'] as const;
export const MEASURE_OPTION_KEYS = ['where', 'storeAs', 'granularities'] as const;
export const LEADERBOARD_KEYS = ['measure', 'granularities', 'shards'] as const;

/**
 * Refuses an object key a definition does not take: from JavaScript, a spread or a JSON-built config (where
 * TypeScript's excess-property check does not reach) `timezone: 'Europe/London'` would otherwise be dropped and
 * the rollup be a UTC one. The message names the nearest known key (`did you mean timeZone?`).
 *
 * `elsewhere` maps a lower-cased key to where that option goes instead (`time.zone` → the rollup's `timeZone`).
 *
 * @throws {DynotallyError} `DEFINITION_INVALID` naming the first unknown key.
 * @example
 * ```ts
 * checkKnownKeys({ timezone: 'Europe/London' }, ROLLUP_KEYS, "rollup 'orders'"); // throws: did you mean timeZone?
 * ```
 */
export function checkKnownKeys(
  value: object,
  known: readonly string[],
  where: string,
  elsewhere: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = elsewhere[key.toLowerCase()] ?? nearestKey(key, known);
    throw new DynotallyError(
      'DEFINITION_INVALID',
      `${where}: '${shownText(key)}' is not an option here${near === undefined ? '' : ` (did you mean ${near}?)`}; it takes ${known.join(', ')}`,
      { details: { key: shownDetail(key), ...(near === undefined ? {} : { suggestion: near }) } },
    );
  }
}

/**
 * The known key nearest to `key`: the same letters in another case, else within an edit distance of a third of
 * the key's length (at least 2); `undefined` when none is that near (`weekStart` has no near key).
 *
 * @example
 * ```ts
 * nearestKey('timezone', ROLLUP_KEYS); // 'timeZone'
 * nearestKey('tz', ROLLUP_KEYS); // 'timeZone' (a common abbreviation)
 * ```
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const alias = ALIASES[lower];
  if (alias !== undefined && known.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const k of known) {
    // the distance is at least the difference in length: a key far longer than any known one (a megabyte pasted
    // by mistake) is never compared character by character (1.3 s for 1 MB, review s43b)
    if (Math.abs(lower.length - k.length) >= bestDistance) continue;
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Abbreviations other libraries use for an option spelt otherwise here. */
const ALIASES: Readonly<Record<string, string>> = {
  tz: 'timeZone',
  zone: 'timeZone',
  groupby: 'groupBy',
  filter: 'where',
  timeattribute: 'time',
};

/** Levenshtein distance (insert, delete, substitute one character each cost 1). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(
        Math.min(
          (prev[j] ?? 0) + 1,
          (row[j - 1] ?? 0) + 1,
          (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        ),
      );
    prev = row;
  }
  return prev[b.length] ?? 0;
}
