import type { Command } from 'commander';
import {
  type ControlItem,
  createQueryClient,
  createServingQueryClient,
  DynotallyError,
  type Explanation,
  type GroupValue,
  isDynotallyError,
  type QueryClient,
  type ReadCost,
  type Rollup,
  readControl,
  type WindowInfo,
} from 'dynotally';
import { shownDetail, shownText } from 'dynotally/local';
import { makeClients } from '../config/clients.ts';
import type { GlobalFlags, Settings } from '../config/settings.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../output/table.ts';
import { checkGroupGiven } from './missing-group.ts';
import { addLiveOptions, cliLiveSource } from './query-live.ts';
import { unknownRollup } from './rollup-work.ts';
import { servingDefinition } from './serving-definition.ts';

/**
 * Checks a query's rollup argument and `--group` flags against the configuration, so that a mistake is said in
 * the command line's terms (the config file, `--group key=value`) rather than the query client's. Before the
 * control item is read, the serving definition is not known: a group that fits the configured definition or its
 * `alsoWrite` one passes (the one that serves is checked once it is known: {@link checkServingTarget}).
 *
 * @throws {DynotallyError} `UNKNOWN_ROLLUP` naming the configured rollups; `GROUP_INVALID` naming the configured
 *   definition's groupBy attributes as `--group` flags; `CONFIG_INVALID` when `groupRequiredBy` (the command, e.g.
 *   `query total`) is given and the group is empty, its example built from the rollup's groupBy.
 * @example
 * ```ts
 * checkQueryTarget(settings, 'orders', { store: 's-1' }); // GROUP_INVALID: … give --group storeId=<value>
 * ```
 */
export function checkQueryTarget(
  settings: Pick<Settings, 'rollups' | 'alsoWrite' | 'configPath'>,
  rollup: string,
  group: Readonly<Record<string, GroupValue>> | undefined,
  groupRequiredBy?: string,
): void {
  const found = settings.rollups.find((r) => r.compiled.name === rollup);
  if (found === undefined) throw unknownRollup(settings, rollup);
  if (groupRequiredBy !== undefined) checkGroupGiven(groupRequiredBy, found, group);
  firstAccepted(definitionsOf(settings, found), (r) => checkGroupOf(r, group));
}

/**
 * Checks a query's group and plan against the definition that reads the serving version, once the control item
 * told which one it is ({@link servingDefinition}): flags that fit only the other definition of the configuration
 * (the changed one during a rollout, or the `alsoWrite` one once the change serves) are a usage error, not a read
 * of rows that do not exist.
 *
 * @throws {DynotallyError} `GROUP_INVALID`, or whatever the plan throws for the serving definition
 *   (`UNKNOWN_MEASURE`, …).
 * @example
 * ```ts
 * const serving = servingDefinition(settings, configured, control);
 * checkServingTarget(settings, serving.rollup, target);
 * ```
 */
export function checkServingTarget(
  settings: Pick<Settings, 'tables'>,
  serving: Rollup,
  target: QueryTarget,
): void {
  checkGroupOf(serving, target.group);
  if (target.plan !== undefined) planWith(settings, serving, target.plan);
}

/** The definitions of a configured rollup a query may read with: the configured one, then its `alsoWrite` ones. */
function definitionsOf(settings: Pick<Settings, 'alsoWrite'>, configured: Rollup): Rollup[] {
  return [configured, ...settings.alsoWrite.filter((r) => r.compiled.name === configured.compiled.name)];
}

/**
 * Runs `check` on each definition until one passes; when none does, throws what the first (the configured one)
 * threw, so the error names the definition in `rollups`.
 */
function firstAccepted(definitions: readonly Rollup[], check: (r: Rollup) => void): void {
  let first: unknown;
  for (const r of definitions) {
    try {
      check(r);
      return;
    } catch (e) {
      if (!isDynotallyError(e)) throw e;
      first ??= e;
    }
  }
  throw first;
}

/**
 * `GROUP_INVALID` unless `group` names exactly the groupBy attributes (or the groupBy function's declared names) of
 * the definition `found`.
 */
function checkGroupOf(found: Rollup, group: Readonly<Record<string, GroupValue>> | undefined): void {
  const rollup = found.compiled.name;
  const attrs = found.compiled.groupNames;
  if (group === undefined || attrs === undefined) return;
  // own keys only: `constructor` is in every object (review s40x)
  const missing = attrs.filter((a) => !Object.hasOwn(group, a));
  const extra = Object.keys(group).filter((k) => !attrs.includes(k));
  if (missing.length === 0 && extra.length === 0) return;
  const wanted = attrs.map((a) => `--group ${a}=<value>`).join(' ');
  const stray =
    extra.length === 0
      ? ''
      : ` (${shownText(extra.map((e) => `'${e}'`).join(', '))} ${extra.length === 1 ? 'is' : 'are'} not among them)`;
  throw new DynotallyError(
    'GROUP_INVALID',
    `rollup '${rollup}' groups by ${attrs.join(', ')}${stray}: give ${wanted}`,
    { details: { rollup, groupBy: attrs, missing, extra: shownDetail(extra) } },
  );
}

/**
 * What a query command reads: its rollup, its group, and how to plan the query before any read.
 *
 * @example
 * ```ts
 * const target: QueryTarget = { rollup: 'jobs', group, plan: (explain) => explain.total('jobs', group, { last: '24h' }) };
 * ```
 */
export interface QueryTarget {
  readonly rollup: string;
  readonly group?: Readonly<Record<string, GroupValue>>;
  /** The command (e.g. `query total`) when a group is required: an empty one is refused once the rollup is known. */
  readonly groupRequiredBy?: string;
  /** Plans the query with the explainer (pure): throws what the query would throw for its arguments. */
  readonly plan?: (explain: QueryClient['explain']) => unknown;
}

/**
 * Plans a query before anything is read: the planner validates the window, the granularity, the bucket and the
 * measures without I/O, so bad flags are a usage error (exit 2) whatever the endpoint. The serving version is not
 * known yet: a plan that the configured definition or its `alsoWrite` one accepts passes (the serving one is
 * checked once the control item is read: {@link checkServingTarget}); when none does, the configured
 * definition's error is thrown.
 *
 * @example
 * ```ts
 * planFirst(settings, 'jobs', (explain) => explain.total('jobs', { customerId: 'acme' }, { last: '24x' })); // throws
 * ```
 */
export function planFirst(
  settings: Pick<Settings, 'rollups' | 'alsoWrite' | 'tables'>,
  rollup: string,
  plan: NonNullable<QueryTarget['plan']>,
): void {
  const configured = settings.rollups.find((r) => r.compiled.name === rollup);
  if (configured === undefined) return; // checkQueryTarget refused it
  firstAccepted(definitionsOf(settings, configured), (r) => planWith(settings, r, plan));
}

/** Plans a query with one definition (pure: the explainer reads nothing). */
function planWith(
  settings: Pick<Settings, 'tables'>,
  rollup: Rollup,
  plan: NonNullable<QueryTarget['plan']>,
): void {
  const planner = createQueryClient({
    // a client of its own that sends nothing (explain reads nothing), destroyed by close()
    clientConfig: { region: 'local' },
    table: settings.tables.aggregate,
    rollups: [rollup],
  });
  try {
    plan(planner.explain);
  } finally {
    planner.close();
  }
}

/**
 * Runs `fn` with a query client over the configured aggregate table and rollups that reads each rollup's serving
 * version (`createServingQueryClient`; merging a Redis buffer's unflushed buckets with `--redis`, which hold
 * version 1 only), then closes the client. Given a `target`, checks its rollup and group first
 * ({@link checkQueryTarget}), and that the configured definition serves, or the configuration's `alsoWrite` one
 * during a rollout or after its rollback ({@link servingDefinition}: else a `VERSION_BUILDING` or `VERSION_UNKNOWN`
 * error saying which command makes it serve). A target's `plan` runs before any
 * read (the control item, Redis): given the query client's explainer, it plans the query (no I/O), so a malformed
 * window, granularity, bucket or measure is its usage error even when the endpoint cannot be reached.
 *
 * @example
 * ```ts
 * await withQuery(ctx, cmd, { rollup: 'favourites' }, async (query, globals) =>
 *   ctx.emit(globals, await query.top('favourites'), () => '…'),
 * );
 * ```
 */
export async function withQuery<T>(
  ctx: CliContext,
  cmd: Command,
  target: QueryTarget | undefined,
  fn: (query: QueryClient, globals: GlobalFlags) => Promise<T>,
): Promise<T> {
  const globals = ctx.globals(cmd);
  const settings = await ctx.settings(globals);
  if (target !== undefined) checkQueryTarget(settings, target.rollup, target.group, target.groupRequiredBy);
  if (target?.plan !== undefined) planFirst(settings, target.rollup, target.plan);
  // With --redis: the buffer's unflushed buckets merged into every read, as the dashboard merges them.
  const live = await cliLiveSource(ctx, cmd, settings);
  const clients = makeClients(settings);
  let rollups =
    target === undefined
      ? settings.rollups
      : settings.rollups.filter((r) => r.compiled.name === target.rollup);
  let query: (QueryClient & { refresh(): Promise<void> }) | undefined;
  try {
    // the Redis buffer writes version 1 only, and the serving client merges its live source into version 1's reads
    // alone: a Redis that no read merges (another version serves) is not checked
    let checkLive = live !== undefined;
    let controls: Map<string, ControlItem | undefined> | undefined;
    if (target !== undefined) {
      const control = await readControl(clients.ddb, settings.tables.aggregate, target.rollup);
      controls = new Map([[target.rollup, control]]);
      // a config names each rollup once in `rollups` (loading it refuses two of one name); during a rollout, or
      // after a rollback, the serving definition may be the configuration's alsoWrite one: read with it
      if (rollups[0] !== undefined) {
        const serving = servingDefinition(settings, rollups[0], control);
        if (serving.problem !== undefined) throw serving.problem;
        checkServingTarget(settings, serving.rollup, target);
        rollups = [serving.rollup];
      }
      if (control !== undefined && control.serving !== 1) checkLive = false;
    }
    // the Redis must be the table's buffer (its key prefix and id): another one's buckets would be merged wrongly
    if (checkLive && live !== undefined) await live.verify(clients.ddb, settings.tables.aggregate);
    query = createServingQueryClient({
      client: clients.ddb,
      table: settings.tables.aggregate,
      rollups,
      ...(live === undefined ? {} : { liveSource: live.liveSource }),
      // the control item read above, not read again
      ...(controls === undefined ? {} : { controls }),
    });
    // explain reads no control item itself: let it explain the serving version's rows
    if (controls === undefined) await query.refresh();
    return await fn(query, globals);
  } catch (e) {
    // the query client's advice names createQueryClient; here the table comes from --table or the config (the
    // control-item reads throw the SDK's own error)
    if (
      isDynotallyError(e, 'TABLE_NOT_FOUND') ||
      (e as Error | undefined)?.name === 'ResourceNotFoundException'
    )
      throw new DynotallyError(
        'TABLE_NOT_FOUND',
        `aggregate table '${settings.tables.aggregate}' does not exist: create the tables with 'dynotally tables create', or name the right ones with --table / DYNOTALLY_TABLE`,
        { cause: e, details: { table: settings.tables.aggregate } },
      );
    throw e;
  } finally {
    query?.close();
    clients.destroy();
    await live?.close();
  }
}

/**
 * The `--explain`, `--redis` and `--key-prefix` flags of the query commands.
 *
 * @example
 * ```ts
 * addQueryOptions(program.command('latest')); // adds --explain, --redis, --key-prefix
 * ```
 */
export function addQueryOptions(cmd: Command, env: NodeJS.ProcessEnv = process.env): Command {
  return addLiveOptions(
    cmd.option(
      '--explain',
      'print the requests the query would send, and their read units, without sending them',
    ),
    env,
  );
}

/**
 * A measure value for a table cell: numbers with thousands separators, `null` as `–`.
 *
 * @example
 * ```ts
 * showValue(1234); // '1,234'
 * ```
 */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : String(v);
  return String(v);
}

/**
 * One line: the window and its zone.
 *
 * @example
 * ```ts
 * describeWindow(result.window); // 'last 24h to the minute: 2026-11-21T15:31+00:00 → 2026-11-22T15:31+00:00 (UTC)'
 * ```
 */
export function describeWindow(w: WindowInfo): string {
  const edges = w.fromIso === null && w.toIso === null ? '' : `: ${w.fromIso ?? '−∞'} → ${w.toIso ?? '+∞'}`;
  return `${w.description}${edges} (${w.zone})`;
}

/**
 * The read cost line printed under every result.
 *
 * @example
 * ```ts
 * describeCost({ requests: 1, itemsRead: 25, readUnits: 3.5 }); // 'read 25 items in 1 request, 3.5 read units'
 * ```
 */
export function describeCost(c: ReadCost): string {
  return `read ${c.itemsRead} item${c.itemsRead === 1 ? '' : 's'} in ${c.requests} request${c.requests === 1 ? '' : 's'}, ${c.readUnits} read unit${c.readUnits === 1 ? '' : 's'}`;
}

/**
 * An explanation in human form: the rows read and the requests, with estimated read units.
 *
 * @example
 * ```ts
 * ctx.io.stdout(formatExplanation(query.explain.total(jobs, group, { last: '24h' })));
 * ```
 */
export function formatExplanation(e: Explanation): string {
  let out = e.window ? `${e.call} over ${describeWindow(e.window)}\n` : `${e.call}\n`;
  if (e.computedFrom.length > 0) {
    // a second, minute or hour key is a UTC wall time, a day or longer one a local date: each is shown with the
    // bucket's start in the rollup's zone, which the window above is in (review s43u: the keys alone read as local)
    const zone = e.window?.zone ?? "the rollup's time zone";
    out += e.computedFrom.some((c) => typeof c.firstStart === 'string')
      ? `\nbuckets as key = start in ${zone} (second, minute and hour keys are UTC wall times, longer ones dates in ${zone}):\n`
      : '\n';
    out += formatTable(e.computedFrom, [
      { header: 'GRANULARITY', value: (c) => c.granularity },
      { header: 'BUCKETS', value: (c) => c.buckets },
      { header: 'FIRST', value: (c) => keyAndStart(c.first, c.firstStart) },
      { header: 'LAST', value: (c) => keyAndStart(c.last, c.lastStart) },
      { header: 'ROW KIND', value: (c) => c.rowKind },
    ]);
  }
  out += `\n${e.requests.length} request${e.requests.length === 1 ? '' : 's'}, ${e.rows.length} row${e.rows.length === 1 ? '' : 's'}, ≤ ${e.estimatedReadUnits} read units (estimate):\n`;
  out += `${JSON.stringify(e.requests, null, 2)}\n`;
  for (const n of e.notes) out += `note: ${n}\n`;
  for (const o of e.omitted) out += `omitted ${o.measure}: ${o.reason}\n`;
  return out;
}

/** A bucket's key with its local start when known (`H2026-12-05T22:15 = 2026-12-06T04:00+05:45`). */
function keyAndStart(key: string, start: string | null | undefined): string {
  return start === undefined || start === null ? key : `${key} = ${start}`;
}
