import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';

/**
 * The kinds of time bucket dynotally aggregates into. `nminute` is an N-minute bucket such as `15m`.
 *
 * @example
 * ```ts
 * const kind: GranularityKind = parseGranularity('15m').kind; // 'nminute'
 * ```
 */
export type GranularityKind =
  | 'second'
  | 'minute'
  | 'nminute'
  | 'hour'
  | 'day'
  | 'week'
  | 'month'
  | 'year'
  | 'all';

/**
 * A parsed granularity. `id` is its canonical spelling (`'second'`, `'minute'`, `'15m'`, `'hour'`, `'day'`,
 * `'week'`, `'month'`, `'year'`, `'all'`); `minutes` is set for `nminute` only.
 * {@link parseGranularity} returns one frozen instance per id, so specs may be compared with `===`.
 *
 * @example
 * ```ts
 * const spec: GranularitySpec = parseGranularity('30m'); // { kind: 'nminute', minutes: 30, id: '30m' }
 * ```
 */
export interface GranularitySpec {
  readonly kind: GranularityKind;
  readonly minutes?: number;
  readonly id: string;
}

/**
 * The N of accepted `Nm` granularities: the divisors of 60 strictly between 1 and 60.
 *
 * @example
 * ```ts
 * NMINUTE_SIZES.includes(15); // true
 * ```
 */
export const NMINUTE_SIZES: readonly number[] = Object.freeze([2, 3, 4, 5, 6, 10, 12, 15, 20, 30]);

const NAMED_KINDS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year', 'all'] as const;

const SPECS = new Map<string, GranularitySpec>();
for (const kind of NAMED_KINDS) SPECS.set(kind, Object.freeze({ kind, id: kind }));
for (const minutes of NMINUTE_SIZES) {
  const id = `${minutes}m`;
  SPECS.set(id, Object.freeze({ kind: 'nminute' as const, minutes, id }));
}
SPECS.set('1m', SPECS.get('minute')!);
SPECS.set('60m', SPECS.get('hour')!);

const ACCEPTED = `${NAMED_KINDS.map((k) => `'${k}'`).join(', ')} or 'Nm' where N divides 60 (${NMINUTE_SIZES.map(
  (n) => `'${n}m'`,
).join(', ')})`;

/**
 * Parses a granularity name. Accepts `second`, `minute`, `hour`, `day`, `week`, `month`, `year`, `all`
 * and `Nm` for N dividing 60 with 1 < N < 60; `1m` is `minute` and `60m` is `hour`.
 *
 * @throws {DynotallyError} `GRANULARITY_INVALID` for anything else.
 * @example
 * ```ts
 * parseGranularity('15m'); // { kind: 'nminute', minutes: 15, id: '15m' }
 * parseGranularity('60m') === parseGranularity('hour'); // true
 * ```
 */
export function parseGranularity(s: string): GranularitySpec {
  const spec = typeof s === 'string' ? SPECS.get(s) : undefined;
  if (spec !== undefined) return spec;
  throw new DynotallyError(
    'GRANULARITY_INVALID',
    `granularity ${shownValue(s)} is not valid: write ${ACCEPTED}`,
    {
      details: { input: shownDetail(s), accepted: [...NAMED_KINDS, ...NMINUTE_SIZES.map((n) => `${n}m`)] },
    },
  );
}

const NOMINAL_MS: Record<Exclude<GranularityKind, 'nminute'>, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
  month: 2_629_746_000, // mean Gregorian month (365.2425 / 12 days)
  year: 31_556_952_000, // mean Gregorian year
  all: Number.POSITIVE_INFINITY,
};

/**
 * Nominal size of a granularity in milliseconds, for ordering fine → coarse (a month counts as a mean
 * Gregorian month, `all` as `Infinity`). Not a bucket length: use `ZoneCalendar.bucket` for that.
 *
 * @example
 * ```ts
 * ['day', '15m', 'all', 'hour'].map(parseGranularity).sort((a, b) => granularityOrder(a) - granularityOrder(b));
 * // → 15m, hour, day, all
 * ```
 */
export function granularityOrder(spec: GranularitySpec): number {
  return spec.kind === 'nminute' ? (spec.minutes ?? Number.NaN) * 60_000 : NOMINAL_MS[spec.kind];
}
