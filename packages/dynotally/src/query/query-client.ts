import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type {
  AdditiveMeasureName,
  CompiledRollup,
  GroupOfRollup,
  GroupValue,
  LastMeasuresOfRollup,
  MeasuresOfRollup,
  MeasureValuesOf,
  Rollup,
  ValuesOfRollup,
} from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { withTimeouts } from '../local/client-timeouts.ts';
import { shownValue } from '../strings/shown-value.ts';
import { type ClientContext, planned } from './client-context.ts';
import { checkQueryClientOptions } from './client-options.ts';
import { HistoryCache } from './history-cache.ts';
import { type LiveSource, noLiveSource } from './live-source.ts';
import type { MeasureValue } from './measure-value.ts';
import { plainReadRefusal } from './plain-read-refusal.ts';
import type { SeriesSpec } from './plan-series.ts';
import type { TopSpec } from './plan-top.ts';
import { type LatestOptions, prepareLatest } from './prepare-latest.ts';
import { prepareSeries } from './prepare-series.ts';
import { prepareTop } from './prepare-top.ts';
import { prepareTotal, prepareTotalMany, type TotalOptions } from './prepare-total.ts';
import type {
  Explanation,
  LatestResult,
  SeriesResult,
  TopResult,
  TotalManyResult,
  TotalResult,
} from './results.ts';
import { findRollup } from './validate.ts';
import type { WindowSpec } from './window-spec.ts';

/**
 * Any rollup made by `defineRollup`.
 *
 * @example
 * ```ts
 * const rollups: AnyRollup[] = [jobsPerCustomer, storeMetrics];
 * ```
 */
export type AnyRollup = Rollup<unknown>;

/**
 * What a client's calls accept as their rollup: one of the rollups it was given, or its name.
 *
 * @example
 * ```ts
 * const a: RollupArg<typeof jobsPerCustomer> = 'jobs';
 * ```
 */
export type RollupArg<R extends AnyRollup> = R | R['name'];

/**
 * The rollup a call's argument stands for: the rollup itself, or the one of `R` with that name (any rollup
 * when the client's rollups are not known precisely).
 *
 * @example
 * ```ts
 * type J = RollupFor<typeof jobsPerCustomer | typeof storeMetrics, 'jobs'>; // typeof jobsPerCustomer
 * ```
 */
export type RollupFor<R extends AnyRollup, X> = X extends string
  ? string extends R['name']
    ? X
    : Extract<R, { readonly name: X }>
  : X;

/**
 * The group argument for a rollup (or a plain record when the rollup is named by an unknown string).
 *
 * @example
 * ```ts
 * const g: GroupArg<typeof jobsPerCustomer> = { customerId: 'c-42' };
 * ```
 */
export type GroupArg<R> = R extends string
  ? Readonly<Record<string, GroupValue>>
  : unknown extends GroupOfRollup<R>
    ? Readonly<Record<string, GroupValue>>
    : GroupOfRollup<R>;
/**
 * The measure names of a rollup (or `string` when it is named by an unknown string).
 *
 * @example
 * ```ts
 * const m: MeasureOf<typeof storeMetrics> = 'orders';
 * ```
 */
export type MeasureOf<R> = R extends string ? string : MeasuresOfRollup<R>;

/**
 * The result value types of a rollup's measures by name: `number` for a count, `number | string` for a sum
 * (see `SumValue`), `… | null` for min, max and last and for a measure restricted to some granularities.
 *
 * @example
 * ```ts
 * const v: ValuesOf<typeof storeMetrics>['orders'] = 3;
 * ```
 */
export type ValuesOf<R> = R extends string ? Readonly<Record<string, MeasureValue>> : ValuesOfRollup<R>;

/**
 * The measures selected by a call's `measures` option (all of them without it), with their value types.
 *
 * @example
 * ```ts
 * type V = SelectedValues<typeof storeMetrics, 'orders'>; // { readonly orders: number }
 * ```
 */
export type SelectedValues<R, S extends string> = Pick<ValuesOf<R>, S & keyof ValuesOf<R>>;

/**
 * The names of a rollup's `last` measures (`string` when it is named by an unknown string).
 *
 * @example
 * ```ts
 * const m: LastOf<typeof energyPerMeter> = 'power';
 * ```
 */
export type LastOf<R> = R extends string ? string : LastMeasuresOfRollup<R>;

/**
 * The value a leaderboard ranks: the `count` or `sum` measures' value type (a count ranks `number`s).
 *
 * @example
 * ```ts
 * const v: RankedValueOf<typeof favouritesPerRestaurant> = 42;
 * ```
 */
export type RankedValueOf<R> =
  R extends Rollup<unknown, infer M>
    ? Extract<MeasureValuesOf<M>[AdditiveMeasureName<M>], number | string>
    : number | string;

/**
 * Options of {@link createQueryClient}. `R` is inferred from `rollups`.
 *
 * @example
 * ```ts
 * const options: QueryClientOptions = { client, table: 'aggregates', rollups: [jobsPerCustomer] };
 * ```
 */
export interface QueryClientOptions<R extends readonly AnyRollup[] = readonly AnyRollup[]> {
  /** Your DynamoDB client; dynotally never destroys it. */
  readonly client?: DynamoDBClient;
  /** Or a configuration: the query client then creates its own client, which `close()` destroys. */
  readonly clientConfig?: DynamoDBClientConfig;
  /** The aggregate table. */
  readonly table: string;
  /** The rollups this client reads; its calls accept only these (or their names). */
  readonly rollups: R;
  /** Counted but not yet flushed deltas (the Redis buffer) to merge into reads. Default: none. */
  readonly liveSource?: LiveSource;
  /** Alias of `liveSource`. */
  readonly live?: LiveSource;
  /** Requests in flight at most per call (default 16). */
  readonly concurrency?: number;
  /** The clock (epoch ms): "now" for rolling and calendar windows and retention. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * The pure twins of the query calls: the exact requests, rows, attributes and estimated read units,
 * without sending anything.
 *
 * @example
 * ```ts
 * const e = query.explain.total(jobsPerCustomer, { customerId: 'c-42' }, { last: '24h' });
 * console.log(JSON.stringify(e.requests, null, 2));
 * ```
 */
export interface QueryExplainer<R extends AnyRollup = AnyRollup> {
  total<X extends RollupArg<R>>(
    rollup: X,
    group: GroupArg<RollupFor<R, X>>,
    window: WindowSpec,
    options?: TotalOptions<MeasureOf<RollupFor<R, X>>>,
  ): Explanation;
  totalMany<X extends RollupArg<R>>(
    rollup: X,
    groups: readonly GroupArg<RollupFor<R, X>>[],
    window: WindowSpec,
    options?: TotalOptions<MeasureOf<RollupFor<R, X>>>,
  ): Explanation;
  series<X extends RollupArg<R>>(
    rollup: X,
    group: GroupArg<RollupFor<R, X>>,
    spec: SeriesSpec,
    options?: TotalOptions<MeasureOf<RollupFor<R, X>>>,
  ): Explanation;
  top<X extends RollupArg<R>>(rollup: X, spec?: TopSpec<MeasureOf<RollupFor<R, X>>>): Explanation;
  latest<X extends RollupArg<R>>(
    rollup: X,
    group: GroupArg<RollupFor<R, X>>,
    options?: LatestOptions<LastOf<RollupFor<R, X>>>,
  ): Explanation;
}

/**
 * The read side: totals over rolling, explicit and calendar windows, series, leaderboards and latest
 * values, each typed from its rollup, each with an `explain` twin. See `docs/query.md`. `R` is the union of
 * the rollups the client was given: calls accept only those (or their names), group arguments and result
 * values are inferred from them. A `measures` option narrows the result to the listed measures.
 *
 * @example
 * ```ts
 * const { values } = await query.total(jobsPerCustomer, { customerId: 'c-42' }, { last: '24h' });
 * values.jobs; // number
 * ```
 */
export interface QueryClient<R extends AnyRollup = AnyRollup> {
  /** The measures of one group over a window. */
  total<X extends RollupArg<R>, S extends MeasureOf<RollupFor<R, X>> = MeasureOf<RollupFor<R, X>>>(
    rollup: X,
    group: GroupArg<RollupFor<R, X>>,
    window: WindowSpec,
    options?: TotalOptions<S>,
  ): Promise<TotalResult<SelectedValues<RollupFor<R, X>, S>>>;
  /** The measures of many groups over one window, with requests batched. */
  totalMany<X extends RollupArg<R>, S extends MeasureOf<RollupFor<R, X>> = MeasureOf<RollupFor<R, X>>>(
    rollup: X,
    groups: readonly GroupArg<RollupFor<R, X>>[],
    window: WindowSpec,
    options?: TotalOptions<S>,
  ): Promise<TotalManyResult<GroupArg<RollupFor<R, X>>, SelectedValues<RollupFor<R, X>, S>>>;
  /** One point per bucket, gaps filled. */
  series<X extends RollupArg<R>, S extends MeasureOf<RollupFor<R, X>> = MeasureOf<RollupFor<R, X>>>(
    rollup: X,
    group: GroupArg<RollupFor<R, X>>,
    spec: SeriesSpec,
    options?: TotalOptions<S>,
  ): Promise<SeriesResult<SelectedValues<RollupFor<R, X>, S>>>;
  /** The groups with the largest values of the ranked measure in one bucket. */
  top<X extends RollupArg<R>>(
    rollup: X,
    spec?: TopSpec<MeasureOf<RollupFor<R, X>>>,
  ): Promise<TopResult<GroupArg<RollupFor<R, X>>, RankedValueOf<RollupFor<R, X>>>>;
  /** The latest values of `last` measures, with their event times. */
  latest<X extends RollupArg<R>, S extends LastOf<RollupFor<R, X>> = LastOf<RollupFor<R, X>>>(
    rollup: X,
    group: GroupArg<RollupFor<R, X>>,
    options?: LatestOptions<S>,
  ): Promise<LatestResult<S>>;
  readonly explain: QueryExplainer<R>;
  /** Destroys the DynamoDB client only if this query client created it (from `clientConfig`). */
  close(): void;
}

/**
 * Marks a rollup whose version the caller resolved (`createServingQueryClient`'s own clients): a query client
 * reads no control item for it. Internal: not exported from the package root.
 *
 * @example
 * ```ts
 * createQueryClient({ client, table, rollups: [{ ...rollup, [VERSION_RESOLVED]: true }] });
 * ```
 */
export const VERSION_RESOLVED: unique symbol = Symbol('dynotally.versionResolved');

/**
 * Creates a query client over an aggregate table. It reads a rollup's version-1 rows: when the rollup has versions
 * (a control item) and version 1 of this definition is not the serving one, a call rejects with
 * `VERSION_UNKNOWN` or `VERSION_BUILDING` (`plain-read-refusal.ts`; the control item is read with the retention
 * history, once a minute, so a promotion is seen within a minute); `createServingQueryClient` reads the serving
 * version. `explain` (synchronous, it reads nothing) is refused the same way by the control item the last call read;
 * before the rollup's first call it is not checked.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` without a client or table, or with two rollups of one name.
 * @example
 * ```ts
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { createQueryClient } from 'dynotally';
 * import { jobsPerCustomer, storeMetrics } from './rollups.ts'; // your defineRollup definitions
 *
 * const query = createQueryClient({ client: new DynamoDBClient({}), table: 'aggregates',
 *   rollups: [jobsPerCustomer, storeMetrics] });
 * const day = await query.total(jobsPerCustomer, { customerId: 'c-42' }, { last: '24h' });
 * const month = await query.series(storeMetrics, { storeId: 's-1' }, { granularity: 'day', window: { lastDays: 30 } });
 * ```
 */
export function createQueryClient<const R extends readonly AnyRollup[]>(
  options: QueryClientOptions<R>,
): QueryClient<R[number]> {
  if (options === null || typeof options !== 'object') {
    throw new DynotallyError(
      'CONFIG_INVALID',
      'createQueryClient takes { client | clientConfig, table, rollups }',
    );
  }
  checkQueryClientOptions(options, 'createQueryClient');
  const { table, rollups } = options;
  if (typeof table !== 'string' || table.length === 0) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      "createQueryClient needs the aggregate table's name: { table: 'aggregates' }",
      {
        details: { table },
      },
    );
  }
  if (options.client === undefined && options.clientConfig === undefined) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      'createQueryClient needs a DynamoDB client: pass { client: new DynamoDBClient({...}) } or { clientConfig: {...} }',
    );
  }
  const registry = new Map<string, CompiledRollup>();
  const versionChecked = new Set<string>();
  for (const r of rollups) {
    const c = r?.compiled;
    if (c === undefined) {
      throw new DynotallyError('CONFIG_INVALID', 'rollups must be made with defineRollup(...)', {
        details: { rollup: r },
      });
    }
    if (registry.has(c.name) && registry.get(c.name) !== c) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `two rollups are named '${c.name}': rollup names must be unique`,
        {
          details: { rollup: c.name },
        },
      );
    }
    registry.set(c.name, c);
    if ((r as { [VERSION_RESOLVED]?: boolean })[VERSION_RESOLVED] !== true) versionChecked.add(c.name);
  }
  const concurrency = options.concurrency ?? 16;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `concurrency must be a whole number ≥ 1, not ${shownValue(concurrency)}`,
    );
  }
  const owned = options.client === undefined;
  const client =
    options.client ?? new DynamoDBClient(withTimeouts(options.clientConfig as DynamoDBClientConfig));
  const ctx: ClientContext = {
    client,
    table,
    registry,
    live: options.liveSource ?? options.live ?? noLiveSource,
    concurrency,
    now: options.now ?? Date.now,
    histories: new HistoryCache(client, table),
  };
  // A call is planned first (bad arguments reject before any read, and with a history in the cache that plan
  // stands); when the rollup's retention history had to be read and exists, it is planned again with it.
  const withHistory = async <T>(r: AnyRollup | string, prepare: () => { run(): Promise<T> }): Promise<T> => {
    let p = planned(prepare);
    const c = findRollup(registry, r);
    const check = versionChecked.has(c.name);
    if (await ctx.histories.load(c, check)) p = planned(prepare);
    const refusal = check ? plainReadRefusal(c, ctx.histories.control(c)) : undefined;
    if (refusal !== undefined) throw refusal;
    return p.run();
  };
  // An explain is planned as its call is (bad arguments throw first), then refused as the call would be by the
  // control item the client last read (with the retention history, at most HISTORY_CACHE_MS old): it explained
  // version 1's reads whatever served (review s41b). Synchronous, it reads nothing: before the rollup's first call it
  // is not checked
  const checked = <T>(r: AnyRollup | string, explainIt: () => T): T => {
    const out = explainIt();
    const c = findRollup(registry, r);
    const refusal = versionChecked.has(c.name) ? plainReadRefusal(c, ctx.histories.control(c)) : undefined;
    if (refusal !== undefined) throw refusal;
    return out;
  };
  // The typed surface is a view of the untyped implementation below.
  const explain = {
    total: (r: AnyRollup | string, g: unknown, w: WindowSpec, o?: TotalOptions) =>
      checked(r, () => planned(() => prepareTotal(ctx, r, g, w, o)).explain()),
    totalMany: (r: AnyRollup | string, gs: readonly unknown[], w: WindowSpec, o?: TotalOptions) =>
      checked(r, () => planned(() => prepareTotalMany(ctx, r, gs, w, o)).explain()),
    series: (r: AnyRollup | string, g: unknown, s: SeriesSpec, o?: TotalOptions) =>
      checked(r, () => planned(() => prepareSeries(ctx, r, g, s, o)).explain()),
    top: (r: AnyRollup | string, s?: TopSpec) =>
      checked(r, () => planned(() => prepareTop(ctx, r, s)).explain()),
    latest: (r: AnyRollup | string, g: unknown, o?: LatestOptions) =>
      checked(r, () => planned(() => prepareLatest(ctx, r, g, o)).explain()),
  };
  // Calls are async functions, so bad input rejects the returned promise rather than throwing.
  const query = {
    total: async (r: AnyRollup | string, g: unknown, w: WindowSpec, o?: TotalOptions) =>
      withHistory(r, () => prepareTotal(ctx, r, g, w, o)),
    totalMany: async (r: AnyRollup | string, gs: readonly unknown[], w: WindowSpec, o?: TotalOptions) =>
      withHistory(r, () => prepareTotalMany(ctx, r, gs, w, o)),
    series: async (r: AnyRollup | string, g: unknown, s: SeriesSpec, o?: TotalOptions) =>
      withHistory(r, () => prepareSeries(ctx, r, g, s, o)),
    // a leaderboard bucket past its retention (the history's included) is refused, as a window is
    top: async (r: AnyRollup | string, s?: TopSpec) => withHistory(r, () => prepareTop(ctx, r, s)),
    latest: async (r: AnyRollup | string, g: unknown, o?: LatestOptions) =>
      withHistory(r, () => prepareLatest(ctx, r, g, o)),
    explain,
    close: () => {
      if (owned) client.destroy();
    },
  };
  return query as unknown as QueryClient<R[number]>;
}
