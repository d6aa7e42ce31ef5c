import type { PlainItem } from '../decode/index.ts';
import type { Granularity } from './granularity-name.ts';
import type { MeasureDef } from './measures.ts';
import type { Where } from './where.ts';

/**
 * A group value: what a groupBy attribute holds. A number that a JavaScript number cannot hold exactly is an
 * integer beyond ±2^53 (such as a 19-digit account id), given as a `bigint`, or a decimal with more digits
 * than a double keeps, given as its text in DynamoDB's form, `{ N: '0.12345678901234567891' }`
 * ({@link NumberText}): `top()` returns them so, and queries take them so (a plain number beyond 2^53 is
 * refused, it could name another group; a string always names a string group).
 *
 * @example
 * ```ts
 * const values: GroupValue[] = ['store-1', 42, true, 1234567890123456789n, { N: '0.12345678901234567891' }];
 * ```
 */
export type GroupValue = string | number | boolean | bigint | NumberText;

/**
 * A numeric group value as its exact decimal text, as DynamoDB writes a number (`N`): for decimals a
 * JavaScript number would round. Any spelling of the same number names the same group (`'1.50'`, `'1.5'`).
 *
 * @example
 * ```ts
 * await query.total(byAccount, { accountId: { N: '0.12345678901234567891' } }, 'all');
 * ```
 */
export interface NumberText {
  readonly N: string;
}

/**
 * A groupBy function with its group's attribute names declared: `fn` returns a group with exactly these
 * names (or `undefined` to skip the item). The fold refuses a record whose group has other names
 * (`VALUE_INVALID`, dead-lettered), and a query refuses a group with other names (`GROUP_INVALID`), so
 * `{ storeId: 's-1' }` and `{ userId: 's-1' }` can never share a row: a group's key holds its values only.
 * Its keys are the plain function's (values in the order of the names sorted).
 *
 * @example
 * ```ts
 * const g: GroupByFunction<'storeId'> = {
 *   names: ['storeId'],
 *   fn: (item) => (typeof item.pk === 'string' ? { storeId: item.pk.split('#')[1] ?? '' } : undefined),
 * };
 * ```
 */
export interface GroupByFunction<K extends string = string> {
  /** The group's attribute names, each once (any order; the key holds the values in the order of the names sorted). */
  readonly names: readonly K[];
  /** The group of an item, with exactly `names`, or `undefined` when the item is not counted. */
  readonly fn: (item: PlainItem) => { readonly [P in K]: GroupValue } | undefined;
}

/**
 * Which attributes make a group: one name, several names (in key order), a function of the item returning the
 * group values (`undefined` = the item is not counted), or such a function with its names declared
 * ({@link GroupByFunction}: the form to use for a function, checked per item).
 *
 * @example
 * ```ts
 * const a: GroupBySpec = 'customerId';
 * const b: GroupBySpec = ['storeId', 'productId'];
 * const c: GroupBySpec = { names: ['storeId'], fn: (item) => ({ storeId: String(item.pk).split('#')[1] ?? '' }) };
 * const d: GroupBySpec = (item) => ({ storeId: String(item.pk).split('#')[1] ?? '' });
 * ```
 */
export type GroupBySpec =
  | string
  | readonly string[]
  | GroupByFunction
  | ((item: PlainItem) => Readonly<Record<string, GroupValue>> | undefined);

/**
 * The group type a `groupBy` declares: `{ customerId: GroupValue }` for `'customerId'`, the declared names of
 * a {@link GroupByFunction}, a plain function's return type.
 *
 * @example
 * ```ts
 * type G = GroupOf<['storeId', 'productId']>; // { storeId: GroupValue; productId: GroupValue }
 * type F = GroupOf<{ names: ['storeId']; fn: () => { storeId: string } }>; // { storeId: GroupValue }
 * ```
 */
export type GroupOf<GB> = GB extends readonly string[]
  ? { readonly [K in GB[number]]: GroupValue }
  : GB extends string
    ? { readonly [K in GB]: GroupValue }
    : GB extends { readonly names: readonly (infer K extends string)[] }
      ? { readonly [P in K]: GroupValue }
      : GB extends (item: PlainItem) => infer R
        ? NonNullable<R>
        : never;

/**
 * What `groupBy` is checked against: for a {@link GroupByFunction}, `fn` must return a group with the declared
 * names, no fewer and no more (a function typed to return a record of any names, `Record<string, string>`, passes:
 * the fold refuses its groups with other names); any other form is checked as it is.
 *
 * @example
 * ```ts
 * type C = GroupByChecked<{ names: readonly ['storeId']; fn: () => { storeId: string } }>;
 * ```
 */
export type GroupByChecked<GB> = GB extends { readonly names: readonly (infer K extends string)[] }
  ? ReturnsAnyNames<GB> extends true
    ? GroupByAnyNames<K>
    : GroupByFunction<K> & ExtraNamesRefused<GB, K>
  : GB;

/** True when `fn`'s return type is a record of any names (a string index signature: `Record<string, string>`). */
type ReturnsAnyNames<GB> = GB extends { readonly fn: (item: never) => infer R }
  ? string extends keyof NonNullable<R>
    ? true
    : false
  : false;

/**
 * Declared names with a function typed to return a record of any names: the plain function's contract, the names
 * checked by the fold per group (review s40x: `GroupByFunction<K>` asked such a function for each name).
 */
interface GroupByAnyNames<K extends string> {
  readonly names: readonly K[];
  readonly fn: (item: PlainItem) => Readonly<Record<string, GroupValue>> | undefined;
}

/** A `fn` whose return type has names beyond `K` gets those typed `never`, so the definition does not compile. */
type ExtraNamesRefused<GB, K extends string> = GB extends { readonly fn: (item: never) => infer R }
  ? [Exclude<keyof NonNullable<R>, K>] extends [never]
    ? unknown
    : {
        readonly fn: (
          item: PlainItem,
        ) => { readonly [P in Exclude<keyof NonNullable<R>, K>]: never } | undefined;
      }
  : unknown;

/** How the event-time attribute is encoded. `auto`: numbers below 1e11 are seconds, above are ms; strings ISO-8601. */
export type TimeFormat = 'epoch-seconds' | 'epoch-millis' | 'iso8601' | 'auto';

/**
 * Where event time comes from; without it (or when the attribute is absent) the record's approximate
 * creation time is used.
 *
 * @example
 * ```ts
 * const t: TimeSpec = { attribute: 'createdAt', format: 'iso8601' };
 * ```
 */
export interface TimeSpec {
  attribute: string;
  format?: TimeFormat;
}

/**
 * A top-N index over one measure, for some calendar granularities.
 *
 * @example
 * ```ts
 * const lb: LeaderboardSpec<'favourites'> = { measure: 'favourites', granularities: ['all', 'month'] };
 * ```
 */
export interface LeaderboardSpec<M extends string = string> {
  /** A `count` or `sum` measure of the rollup. */
  measure: M;
  /** Minute or coarser, each kept by the rollup and by the measure. */
  granularities: readonly Granularity[];
  /** Spread each bucket's index partition over this many shards when it is hot (default 1). */
  shards?: number;
}

/**
 * The names of the `count` and `sum` measures of a measures record (what a leaderboard can rank).
 *
 * @example
 * ```ts
 * type N = AdditiveMeasureName<{ orders: MeasureDef<'count'>; peak: MeasureDef<'max'> }>; // 'orders'
 * ```
 */
export type AdditiveMeasureName<M> = {
  [K in Extract<keyof M, string>]: M[K] extends MeasureDef<infer Kind, unknown>
    ? [Extract<Kind, 'count' | 'sum'>] extends [never]
      ? never
      : K
    : never;
}[Extract<keyof M, string>];

/**
 * What `defineRollup` takes.
 *
 * @example
 * ```ts
 * const config: RollupConfig<'customerId', { jobs: MeasureDef<'count', number> }> = {
 *   name: 'jobs', match: { type: 'job' }, groupBy: 'customerId',
 *   granularities: ['minute', 'hour'], measures: { jobs: count() },
 * };
 * ```
 */
export interface RollupConfig<GB extends GroupBySpec, M extends Readonly<Record<string, MeasureDef>>> {
  /** Unique name; becomes the prefix of the aggregate rows' partition key. Letters, digits, `_` and `-`. */
  name: string;
  /** Which source items this rollup reads (default: items that have every groupBy attribute). */
  match?: Where;
  /** See {@link GroupBySpec}: a name, a list of names, a function with declared names, or a plain function. */
  groupBy: GB & GroupByChecked<GB>;
  /** Event time attribute (a bare string means `{ attribute, format: 'auto' }`). */
  time?: TimeSpec | string;
  /** IANA zone for day, week, month and year buckets (and local-aligned hours). Default `UTC`. */
  timeZone?: string;
  /** second, minute, Nm (e.g. 15m), hour, day, week, month, year, all. */
  granularities: readonly Granularity[];
  measures: M;
  /** REMOVEs made by DynamoDB TTL: `subtract` (default) or `ignore` (history stays). */
  ttlDeletes?: 'subtract' | 'ignore';
  /** Keep buckets of a granularity at least this long (`'7d'`, `'400d'`, `'forever'`). */
  retention?: Readonly<Partial<Record<Granularity, string>>>;
  /** A top-N index over one of the `count` or `sum` measures. */
  leaderboard?: LeaderboardSpec<AdditiveMeasureName<M>>;
  /**
   * A name for what the definition's functions (`match`, `groupBy` or a measure's `where` given as a function)
   * do. When set, the rollup's version identity (its fingerprint) counts this name instead of the functions'
   * source text, so the same code minified, bundled or transpiled otherwise is the same version: set it when a
   * Lambda bundle and the CLI load the definition from different builds. Change it whenever a function starts
   * counting differently, or the new behaviour is folded into the old version's rows. Only for rollups with
   * functions (`DEFINITION_INVALID` otherwise). Adding it to a deployed rollup makes a new version, built by a
   * backfill. See docs/backfill.md, "Fingerprint".
   *
   * @example
   * ```ts
   * defineRollup({
   *   name: 'orders',
   *   match: (item) => item.type === 'order',
   *   functionsVersion: '2026-11-a', // a new name when `match` starts counting differently
   *   groupBy: 'storeId',
   *   granularities: ['day', 'all'],
   *   measures: { orders: count() },
   * });
   * ```
   */
  functionsVersion?: string;
}
