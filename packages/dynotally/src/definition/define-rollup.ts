import { DynotallyError } from '../errors/index.ts';
import { planLayout, ROW_CAPABLE } from '../layout/placement.ts';
import { shownDetail, shownText } from '../strings/shown-value.ts';
import {
  calendarFor,
  canonicalZoneName,
  type GranularitySpec,
  parseDuration,
  parseGranularity,
} from '../time/index.ts';
import { compileWhere } from './compile-where.ts';
import type { CompiledMeasure, CompiledRollup, CompiledRowKind } from './compiled.ts';
import { DEFAULT_RETENTION, RESERVED_ATTRIBUTES } from './defaults.ts';
import { rollupFingerprint } from './fingerprint.ts';
import { checkFunctionsVersion } from './functions-version.ts';
import {
  checkKnownKeys,
  GROUP_FN_KEYS,
  LEADERBOARD_KEYS,
  MEASURE_OPTION_KEYS,
  ROLLUP_KEYS,
  TIME_KEYS,
} from './known-keys.ts';
import type { MeasureValuesOf } from './measure-values.ts';
import type { MeasureDef } from './measures.ts';
import { lastValueLimit } from './row-size-bound.ts';
import type { GroupByFunction, GroupBySpec, GroupOf, RollupConfig, TimeFormat } from './types.ts';
import { checkOneRecordFits } from './write-width-bound.ts';

/**
 * The measures record of a rollup: measure name → declaration (made by `count()`, `sum()`, …).
 *
 * @example
 * ```ts
 * const m: MeasureDefs = { orders: count(), revenue: sum('amount') };
 * ```
 */
export type MeasureDefs = Readonly<Record<string, MeasureDef>>;

/**
 * A validated rollup. `G` is the group shape and `M` the measures record, both inferred from the
 * definition (and `defineRollup` narrows `name` to its literal), so query calls, group arguments and result
 * values are typed: a count is a `number`, a sum a `number | string` (see `SumValue`).
 *
 * @example
 * ```ts
 * const jobs = defineRollup({ name: 'jobs', groupBy: 'customerId', granularities: ['minute', 'hour'],
 *   measures: { jobs: count() } });
 * type Group = GroupOfRollup<typeof jobs>; // { readonly customerId: GroupValue }
 * type Values = ValuesOfRollup<typeof jobs>; // { readonly jobs: number }
 * ```
 */
export interface Rollup<G = Readonly<Record<string, unknown>>, M extends MeasureDefs = MeasureDefs> {
  readonly name: string;
  readonly measureNames: readonly Extract<keyof M, string>[];
  readonly compiled: CompiledRollup;
  /** Type-level only: never set at run time. */
  readonly __types?: { group: G; measures: M };
}

/** The group type of a rollup. */
export type GroupOfRollup<R> = R extends Rollup<infer G, MeasureDefs> ? G : never;
/** The measure names of a rollup. */
export type MeasuresOfRollup<R> = R extends Rollup<unknown, infer M> ? Extract<keyof M, string> : never;
/**
 * The result value types of a rollup's measures, by name.
 *
 * @example
 * ```ts
 * type V = ValuesOfRollup<typeof storeMetrics>; // { readonly orders: number; readonly revenue: number | string }
 * ```
 */
export type ValuesOfRollup<R> = R extends Rollup<unknown, infer M> ? MeasureValuesOf<M> : never;
/**
 * The names of a rollup's `last` measures (what `latest` reads).
 *
 * @example
 * ```ts
 * const m: LastMeasuresOfRollup<typeof energyPerMeter> = 'power';
 * ```
 */
export type LastMeasuresOfRollup<R> =
  R extends Rollup<unknown, infer M>
    ? { [K in Extract<keyof M, string>]: M[K] extends MeasureDef<'last', unknown> ? K : never }[Extract<
        keyof M,
        string
      >]
    : never;

const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const MEASURE = /^[A-Za-z][A-Za-z0-9]{0,31}$/;
const MEASURE_KINDS: ReadonlySet<unknown> = new Set(['count', 'sum', 'min', 'max', 'last']);
/** Zone keys a `time` spec may be given by mistake: the zone is the rollup's `timeZone`. */
const TIME_ELSEWHERE = {
  zone: "the rollup's timeZone",
  timezone: "the rollup's timeZone",
  tz: "the rollup's timeZone",
};
const FORMATS: ReadonlySet<string> = new Set(['epoch-seconds', 'epoch-millis', 'iso8601', 'auto']);

/**
 * Declares a rollup: which items, grouped how, bucketed at which granularities in which zone, measuring what.
 * Every mistake throws a {@link DynotallyError} here, at definition time.
 *
 * @example
 * ```ts
 * import { count, defineRollup, sum } from 'dynotally';
 *
 * export const storeMetrics = defineRollup({
 *   name: 'store',
 *   groupBy: 'storeId',
 *   time: { attribute: 'ts', format: 'epoch-millis' },
 *   timeZone: 'Europe/London',
 *   granularities: ['day', 'month', 'year', 'all'],
 *   measures: {
 *     orders: count({ where: { type: 'order' } }),
 *     views: count({ where: { type: 'view' } }),
 *     revenue: sum('amount', { where: { type: 'order' } }),
 *   },
 * });
 *
 * // a computed group: a function with the names of the group it returns (each record's group is checked)
 * export const perTenant = defineRollup({
 *   name: 'tenant',
 *   groupBy: { names: ['tenant'], fn: (item) => ({ tenant: String(item.pk).split('#')[0] ?? '' }) },
 *   granularities: ['day', 'all'],
 *   measures: { items: count() },
 * });
 * ```
 */
export function defineRollup<
  const N extends string,
  const GB extends GroupBySpec,
  const M extends MeasureDefs,
>(config: RollupConfig<GB, M> & { name: N }): Rollup<GroupOf<GB>, M> & { readonly name: N } {
  const compiled = compileRollup(config as unknown as RollupConfig<GroupBySpec, Record<string, MeasureDef>>);
  return Object.freeze({
    name: compiled.name as N,
    measureNames: compiled.measures.map((m) => m.name) as Extract<keyof M, string>[],
    compiled,
  });
}

function fail(
  message: string,
  details: Record<string, unknown> = {},
  code: 'DEFINITION_INVALID' | 'MEASURE_INVALID' | 'GRANULARITY_INVALID' = 'DEFINITION_INVALID',
): never {
  throw new DynotallyError(code, message, { details });
}

function compileRollup(config: RollupConfig<GroupBySpec, Record<string, MeasureDef>>): CompiledRollup {
  if (config === null || typeof config !== 'object')
    fail('defineRollup takes an object: { name, groupBy, granularities, measures }');
  const name = config.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    fail(
      `rollup name '${shownText(name)}' is invalid: use letters, digits, '_' or '-', starting with a letter (e.g. 'storeMetrics')`,
      { name: shownDetail(name) },
    );
  }
  const where = (msg: string) => `rollup '${name}': ${msg}`;
  checkKnownKeys(config, ROLLUP_KEYS, `rollup '${name}'`);

  // one spelling per zone, so 'europe/london' and 'Europe/London' are one version (aliases kept as given)
  const calendar = calendarFor(canonicalZoneName(config.timeZone ?? 'UTC'));

  // granularities
  if (!Array.isArray(config.granularities) || config.granularities.length === 0) {
    fail(
      where(
        "'granularities' must list at least one of second, minute, 15m, hour, day, week, month, year, all",
      ),
      {},
      'GRANULARITY_INVALID',
    );
  }
  const granularities: GranularitySpec[] = [];
  for (const g of config.granularities) {
    const spec = parseGranularity(g);
    if (granularities.some((x) => x.id === spec.id))
      fail(where(`granularity '${g}' is listed twice`), { granularity: g }, 'GRANULARITY_INVALID');
    granularities.push(spec);
  }
  const ids = new Set(granularities.map((g) => g.id));
  const resolveIds = (list: readonly string[], ctx: string): Set<string> => {
    // a string from plain JavaScript ('day') would be read letter by letter
    if (!Array.isArray(list))
      fail(
        where(
          `${ctx}: 'granularities' must be a list of the rollup's granularities, e.g. ['day'] (${[...ids].join(', ')})`,
        ),
        {},
        'GRANULARITY_INVALID',
      );
    const out = new Set<string>();
    for (const g of list) {
      const id = parseGranularity(g).id;
      if (!ids.has(id))
        fail(
          where(
            `${ctx} uses granularity '${g}', which the rollup does not keep: add it to 'granularities' (${[...ids].join(', ')})`,
          ),
          { granularity: g },
          'GRANULARITY_INVALID',
        );
      out.add(id);
    }
    return out;
  };

  // groupBy
  let groupAttributes: string[] | undefined;
  let groupFn: CompiledRollup['groupFn'];
  let groupNames: readonly string[] | undefined;
  const gb = config.groupBy as GroupBySpec;
  if (typeof gb === 'function') groupFn = gb;
  else if (gb !== null && typeof gb === 'object' && !Array.isArray(gb)) {
    ({ groupFn, groupNames } = declaredGroupFunction(gb as GroupByFunction, name));
  } else {
    const list = typeof gb === 'string' ? [gb] : Array.isArray(gb) ? [...gb] : [];
    if (list.length === 0 || list.some((a) => typeof a !== 'string' || a.length === 0)) {
      fail(
        where(
          "'groupBy' must name at least one attribute, e.g. groupBy: 'customerId' or ['storeId', 'productId'], or be a function with its group's names, { names: ['storeId'], fn: (item) => ({ storeId: ... }) }",
        ),
      );
    }
    if (new Set(list).size !== list.length)
      fail(where(`'groupBy' lists an attribute twice: ${shownText(list.join(', '))}`));
    groupAttributes = list;
    groupNames = list;
  }

  // time
  let time: CompiledRollup['time'];
  if (config.time !== undefined) {
    const t = typeof config.time === 'string' ? { attribute: config.time } : config.time;
    if (typeof t !== 'object' || typeof t.attribute !== 'string' || t.attribute.length === 0) {
      fail(where("'time' must be an attribute name or { attribute: 'createdAt', format: 'epoch-millis' }"));
    }
    checkKnownKeys(t, TIME_KEYS, `rollup '${name}', time`, TIME_ELSEWHERE);
    const format = (t.format ?? 'auto') as TimeFormat;
    if (!FORMATS.has(format))
      fail(
        where(
          `time format '${shownText(format)}' is unknown: use epoch-seconds, epoch-millis, iso8601 or auto`,
        ),
        { format: shownDetail(format) },
      );
    time = { attribute: t.attribute, format };
  }

  // measures
  if (
    config.measures === null ||
    typeof config.measures !== 'object' ||
    Object.keys(config.measures).length === 0
  ) {
    fail(
      where("'measures' must declare at least one measure, e.g. measures: { jobs: count() }"),
      {},
      'MEASURE_INVALID',
    );
  }
  const stored = new Set<string>();
  const measures: CompiledMeasure[] = Object.entries(config.measures).map(([mName, def], index) => {
    if (!MEASURE.test(mName))
      fail(
        where(
          `measure name '${shownText(mName)}' is invalid: letters and digits only, starting with a letter (e.g. 'orders')`,
        ),
        { measure: shownDetail(mName) },
        'MEASURE_INVALID',
      );
    // from plain JavaScript a hand-written object ({ kind: 'total' }, no options) gets here too
    if (
      def === null ||
      typeof def !== 'object' ||
      !MEASURE_KINDS.has(def.kind) ||
      def.options === null ||
      typeof def.options !== 'object'
    )
      fail(
        where(`measure '${mName}' must be made with count(), sum(attr), min(attr), max(attr) or last(attr)`),
        { measure: mName },
        'MEASURE_INVALID',
      );
    checkKnownKeys(def.options, MEASURE_OPTION_KEYS, `rollup '${name}', measure '${mName}' options`);
    const storeAs = def.options.storeAs ?? mName;
    if (!MEASURE.test(storeAs) || RESERVED_ATTRIBUTES.has(storeAs))
      fail(
        where(
          `measure '${mName}' stores as '${shownText(storeAs)}', which is invalid or reserved (${[...RESERVED_ATTRIBUTES].join(', ')})`,
        ),
        { measure: mName, storeAs: shownDetail(storeAs) },
        'MEASURE_INVALID',
      );
    if (stored.has(storeAs))
      fail(
        where(`two measures store as '${storeAs}': give one a different name or storeAs`),
        { measure: mName },
        'MEASURE_INVALID',
      );
    stored.add(storeAs);
    if (def.kind !== 'count' && (typeof def.attribute !== 'string' || def.attribute.length === 0)) {
      fail(
        where(`measure '${mName}': ${def.kind}() needs the attribute to read, e.g. ${def.kind}('amount')`),
        { measure: mName },
        'MEASURE_INVALID',
      );
    }
    const mg =
      def.options.granularities === undefined
        ? new Set(ids)
        : resolveIds(def.options.granularities, `measure '${mName}'`);
    return {
      name: mName,
      index,
      kind: def.kind,
      attribute: def.attribute,
      storeAs,
      where:
        def.options.where === undefined
          ? undefined
          : compileWhere(def.options.where, where(`measure '${mName}'`)),
      granularities: mg,
      additive: def.kind === 'count' || def.kind === 'sum',
    };
  });

  // ttl deletes
  const ttlDeletes = config.ttlDeletes ?? 'subtract';
  if (ttlDeletes !== 'subtract' && ttlDeletes !== 'ignore')
    fail(where(`ttlDeletes must be 'subtract' or 'ignore', not '${shownText(ttlDeletes)}'`), {
      ttlDeletes: shownDetail(ttlDeletes),
    });

  const fingerprintFunctions = checkFunctionsVersion(config);

  // retention
  const retentionMs = new Map<string, number>();
  for (const g of granularities)
    retentionMs.set(g.id, durationOrForever(DEFAULT_RETENTION[g.kind] ?? 'forever'));
  for (const [g, d] of Object.entries(config.retention ?? {})) {
    const [id] = resolveIds([g], 'retention');
    if (typeof d !== 'string') fail(where(`retention.${g} must be a duration such as '7d' or 'forever'`));
    retentionMs.set(id as string, durationOrForever(d));
  }

  // leaderboard
  let leaderboard: CompiledRollup['leaderboard'];
  if (config.leaderboard !== undefined) {
    const lb = config.leaderboard;
    if (lb === null || typeof lb !== 'object' || Array.isArray(lb))
      fail(
        where(
          "'leaderboard' must be { measure, granularities }, e.g. { measure: 'orders', granularities: ['all'] }",
        ),
      );
    checkKnownKeys(lb, LEADERBOARD_KEYS, `rollup '${name}', leaderboard`);
    const m = measures.find((x) => x.name === lb.measure);
    if (m === undefined || !m.additive)
      fail(
        where(
          `leaderboard.measure '${shownText(lb.measure)}' must be one of the rollup's count or sum measures`,
        ),
        { measure: shownDetail(lb.measure) },
        'MEASURE_INVALID',
      );
    if (!Array.isArray(lb.granularities) || lb.granularities.length === 0)
      fail(where("leaderboard.granularities must list at least one granularity, e.g. ['all', 'month']"));
    const lg = resolveIds(lb.granularities, 'leaderboard');
    for (const g of lg) {
      const spec = granularities.find((x) => x.id === g) as GranularitySpec;
      if (!ROW_CAPABLE.has(spec.kind))
        fail(
          where(`leaderboard granularity '${g}' is too fine: use minute or coarser`),
          { granularity: g },
          'GRANULARITY_INVALID',
        );
      if (!m.granularities.has(g))
        fail(where(`leaderboard measure '${m.name}' is not kept at '${g}'`), { granularity: g });
    }
    const shards = lb.shards ?? 1;
    if (!Number.isInteger(shards) || shards < 1 || shards > 100)
      fail(where('leaderboard.shards must be an integer from 1 to 100'));
    leaderboard = { measure: m.name, granularities: lg, shards };
  }

  const rows: CompiledRowKind[] = planLayout(granularities, leaderboard?.granularities ?? new Set()).map(
    (r) => ({
      ...r,
      retentionMs: Math.max(
        ...r.placements.map((p) => retentionMs.get(p.granularity.id) ?? Number.POSITIVE_INFINITY),
      ),
      ranked:
        leaderboard !== undefined &&
        r.placements.some((p) => p.own && leaderboard.granularities.has(p.granularity.id)),
    }),
  );
  checkOneRecordFits(name, rows, measures);

  const callbacks =
    typeof config.match === 'function' ||
    groupFn !== undefined ||
    measures.some(
      (m) => m.where !== undefined && typeof config.measures[m.name]?.options.where === 'function',
    );
  const reads = callbacks
    ? undefined
    : [
        ...new Set([
          ...(groupAttributes ?? []),
          ...(config.match ? Object.keys(config.match) : []),
          ...(time ? [time.attribute] : []),
          ...measures.flatMap((m) => [
            ...(m.attribute ? [m.attribute] : []),
            ...Object.keys((config.measures[m.name]?.options.where as object | undefined) ?? {}),
          ]),
        ]),
      ];

  return Object.freeze({
    name,
    timeZone: calendar.zone,
    calendar,
    granularities,
    measures,
    rows,
    groupAttributes,
    groupFn,
    groupNames,
    match: config.match === undefined ? undefined : compileWhere(config.match, where('match')),
    time,
    ttlDeletes,
    retentionMs,
    leaderboard,
    reads,
    lastValueMaxBytes: lastValueLimit(name, rows, measures),
    fingerprint: rollupFingerprint(config, {
      timeZone: calendar.zone,
      time,
      granularityIds: granularities.map((g) => g.id),
      rows,
      ttlDeletes,
    }),
    fingerprintFunctions,
  });
}

/** The shape a declared groupBy function takes, for messages. */
const GROUP_FN_SHAPE = "{ names: ['storeId'], fn: (item) => ({ storeId: ... }) }";

/**
 * `groupBy: { names, fn }`: `names` a non-empty list of distinct non-empty strings, `fn` a function; the names are
 * kept sorted (the key order of a groupBy function's values).
 */
function declaredGroupFunction(
  gb: GroupByFunction,
  name: string,
): { groupFn: NonNullable<CompiledRollup['groupFn']>; groupNames: readonly string[] } {
  const at = `rollup '${name}', groupBy`;
  checkKnownKeys(gb, GROUP_FN_KEYS, at);
  // a copy (a hole read as undefined, which `some` would skip; the attribute-list form copies too)
  const given: unknown = gb.names;
  const names: unknown[] | undefined = Array.isArray(given) ? Array.from(given) : undefined;
  if (names === undefined || names.length === 0 || names.some((n) => typeof n !== 'string' || n.length === 0))
    fail(
      `${at}: 'names' must list the group's attribute names, each a non-empty string, e.g. ${GROUP_FN_SHAPE}`,
      { rollup: name },
    );
  if (new Set(names).size !== names.length)
    fail(`${at}: 'names' lists an attribute twice: ${shownText(names.join(', '))}`, { rollup: name });
  if (typeof gb.fn !== 'function')
    fail(`${at}: 'fn' must be the function returning an item's group, e.g. ${GROUP_FN_SHAPE}`, {
      rollup: name,
    });
  return { groupFn: gb.fn, groupNames: Object.freeze([...(names as string[])].sort()) };
}

function durationOrForever(d: string): number {
  return d === 'forever' ? Number.POSITIVE_INFINITY : parseDuration(d);
}
