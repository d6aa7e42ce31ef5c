import type { Rollup } from 'dynotally';
import { DEFAULT_TABLES, type GlobalFlags } from '../cli/config/settings.ts';
import { plural } from '../cli/output/plural.ts';
import { distinctShards } from '../dashboard/state/worker-summary.ts';
import { SCENARIOS } from '../scenarios/index.ts';
import type { DevStack } from './dev-stack.ts';

/**
 * What the first screen needs to know beyond the stack.
 *
 * @example
 * ```ts
 * const options: FirstScreenOptions = { configFlags: ['-c', 'conf/orders.config.ts'] };
 * ```
 */
export interface FirstScreenOptions {
  /**
   * The flags that chose the configuration of `dev` (`['-c', file]`, `['--reference']`, or none: DYNOTALLY_CONFIG or
   * ./dynotally.config.*, which the query line finds the same way in the same shell and directory). The query line
   * repeats them under `--scenarios none`; when scenarios run it gives `--reference` instead.
   */
  configFlags?: readonly string[];
  /**
   * A group of the first rollup seen in its aggregate table, as `--group` names it ({@link seenGroup}): the query
   * line names it instead of a placeholder to fill in, which ran and read a group that does not exist.
   */
  seenGroup?: string;
}

/**
 * The flags that chose dev's configuration, for its query line to repeat ({@link FirstScreenOptions.configFlags}):
 * `--reference`, or `-c <file>` as given (relative to the directory dev runs in, where the line is run); none for
 * DYNOTALLY_CONFIG or ./dynotally.config.*, which the query finds the same way.
 *
 * @example
 * ```ts
 * configFlagsOf({ config: 'conf/orders.config.ts' }); // ['-c', 'conf/orders.config.ts']
 * configFlagsOf({ reference: true }); // ['--reference']
 * ```
 */
export function configFlagsOf(flags: Pick<GlobalFlags, 'config' | 'reference'>): string[] {
  if (flags.reference === true) return ['--reference'];
  return flags.config === undefined ? [] : ['-c', flags.config];
}

/**
 * The dev stack's first screen: what runs, where, and how to stop it.
 *
 * @example
 * ```ts
 * process.stdout.write(firstScreen(stack, { configFlags: ['-c', 'conf/orders.config.ts'] }));
 * ```
 */
export function firstScreen(stack: DevStack, options: FirstScreenOptions = {}): string {
  const rate = stack.runner.stats()[0]?.rate ?? 0;
  const ddb =
    stack.dynamoDbLocal === undefined
      ? `${stack.endpoint} (yours, not started here: --endpoint, DYNOTALLY_ENDPOINT or the configuration's endpoint)`
      : `DynamoDB Local at ${stack.endpoint} (java pid ${stack.dynamoDbLocal.pid}), in memory — no AWS account involved`;
  const stats = stack.workerStats();
  const s4Apart = stack.scenarios.includes('s4') && stack.s4.workerOptions !== undefined;
  const scenarios = stack.runner
    .stats()
    .map((s) => s.id)
    .join(', ');
  const lines = [
    '',
    '  dynotally dev stack is running',
    '',
    `  dashboard   ${stack.dashboard.pageUrl}`,
    ...(stack.dashboard.beyondLoopback ? [`              ${networkNote(stack)}`] : []),
    `  DynamoDB    ${ddb}`,
    `  tables      ${stack.tables.source} (source, with stream) → ${stack.tables.aggregate} (aggregates);`,
    `              dead letters ${stack.tables.deadLetter}, leases ${stack.tables.leases}`,
    `  worker      ${stats.workerId}: ${stack.rollups.length} rollup${stack.rollups.length === 1 ? '' : 's'} (${stack.rollups.map((r) => r.compiled.name).join(', ')}), exactly-once; the source table's stream has ${plural(distinctShards(stats) + (stats.heldByOthers ?? 0), 'shard')}${s4Apart ? '; S4 in a worker of its own (it reads the same stream)' : ''}`,
    // the stream's other shards are leased by another worker (the guide's `dynotally worker` left running):
    // it folds their records, and this stack's counts of records read stay at 0 for them
    ...((stats.heldByOthers ?? 0) > 0
      ? [
          `              ${plural(stats.heldByOthers, 'shard')} of them leased by another worker on ${stack.tables.leases} (a 'dynotally worker' still running?), which folds their records instead of this stack`,
        ]
      : []),
    ...(scenarios === ''
      ? [
          `  generators  none (--scenarios none): write your own items to ${stack.tables.source}; the worker folds them`,
        ]
      : [
          `  generators  ${scenarios} at ${rate} events/s each — inserts, modifies, deletes (change the rate on the dashboard)`,
          `  history     ${stack.historyEvents.toLocaleString('en-US')} backdated events written and folded before the live run`,
        ]),
    ...(stack.scenarios.includes('s4') ? [`  S4          ${stack.s4.describe}`] : []),
    '',
    ...queryLines(stack, options),
    `  stop        Ctrl-C — ${stopLine(stack, scenarios !== '')}`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}

/** What peers on the network may do with a dashboard that listens beyond loopback. */
function networkNote(stack: DevStack): string {
  const port = stack.dashboard.port;
  return stack.dashboard.pageUrl === stack.url
    ? `other machines get the page only (at this machine's address, port ${port}); the API and controls answer this machine only (--remote-control)`
    : `--remote-control: anyone with the token in this URL (at this machine's address, port ${port}) can pause and re-rate the generators`;
}

/** What Ctrl-C stops: what this stack started, the generators only when some run. */
function stopLine(stack: DevStack, generators: boolean): string {
  const stopped = [
    ...(generators ? ['the generators'] : []),
    'the worker',
    'the dashboard',
    ...(stack.scenarios.includes('s4') && stack.s4.mode === 'buffered'
      ? ['the S4 flusher', 'redis-server']
      : []),
    ...(stack.dynamoDbLocal === undefined ? [] : ['DynamoDB Local']),
  ];
  const listed =
    stack.dynamoDbLocal === undefined
      ? `${stopped.join(', ')} (your DynamoDB keeps running)`
      : `${stopped.slice(0, -1).join(', ')} and ${stopped.at(-1)}`;
  return `stops ${listed}`;
}

/**
 * A query line that runs as printed for what this stack runs: the scenarios' leaderboard, else a total of the first
 * rollup over a window it keeps, for a group its generator writes (the reference rollups, also under `--scenarios
 * none` without a configuration); a rollup of yours a group seen in its table (`seen`), else names the group
 * attribute to fill in; one grouped by a plain
 * function (its attributes known per item only) gets its all-time leaderboard when it has one, else a seen group or one
 * to fill in
 * whole (`--group '<attribute>=<value>'`). It names the stack's
 * aggregate table (`--table`) unless that is query's default, and the rollups: `--reference` when scenarios run
 * (theirs are in no configuration of yours, and a `dynotally.config.ts` where it is run would be read instead), else
 * the flags that chose dev's configuration.
 */
function queryLines(stack: DevStack, options: FirstScreenOptions): string[] {
  const line = queryExample(stack, options.configFlags ?? [], options.seenGroup);
  return [
    `  query it    ${line}`,
    // a placeholder runs, and reads a group that does not exist: say so (no group was counted yet)
    ...(line.includes('<value>')
      ? ['              fill in <value>: no group of yours was counted yet when this screen was printed']
      : []),
  ];
}

function queryExample(stack: DevStack, configFlags: readonly string[], seen: string | undefined): string {
  // the table the stack writes, unless it is query's default: `dev --table <name>` is not the configuration's
  const table =
    stack.tables.aggregate === DEFAULT_TABLES.aggregate ? '' : ` --table ${stack.tables.aggregate}`;
  const rollups = stack.scenarios.length > 0 ? ['--reference'] : configFlags;
  const endpoint = `--endpoint ${stack.endpoint}${table}${rollups.map((w) => ` ${shellWord(w)}`).join('')}`;
  if (stack.scenarios.includes('s2')) return `npx dynotally query top favourites ${endpoint}`;
  const first = stack.rollups[0]?.compiled;
  if (first === undefined) return `npx dynotally query --help`;
  const written = SCENARIOS.find((s) => s.rollup.compiled.fingerprint === first.fingerprint)?.exampleGroup;
  if (first.groupNames === undefined) {
    // a plain groupBy function names its group's attributes per item only: its leaderboard (all time) lists real
    // groups; without one, the group is to fill in whole (a total without --group is refused: review s42n)
    if (first.leaderboard?.granularities.has('all') === true)
      return `npx dynotally query top ${first.name} ${endpoint}`;
    return `npx dynotally query total ${first.name} --group ${seen === undefined ? "'<attribute>=<value>'" : shellWord(seen)} ${exampleWindow(first)} ${endpoint}`;
  }
  const named = first.groupNames.every((a) => written?.[a] !== undefined);
  const group =
    !named && seen !== undefined
      ? shellWord(seen)
      : first.groupNames
          .map((a) => (written?.[a] === undefined ? `'${a}=<value>'` : `${a}=${written[a]}`))
          .join(',');
  return `npx dynotally query total ${first.name} --group ${group} ${exampleWindow(first)} ${endpoint}`;
}

/** `w` as a shell reads it back: as it is when it has no character the shell treats specially, else single-quoted. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`;
}

/** A window the rollup keeps buckets for: the last 24 hours over sub-day buckets, else the coarser periods. */
function exampleWindow(c: Rollup['compiled']): string {
  const kinds = new Set<string>(c.granularities.map((g) => g.kind));
  if (['second', 'minute', 'nminute', 'hour'].some((k) => kinds.has(k))) return '--last 24h';
  if (kinds.has('day')) return '--last-days 7';
  if (kinds.has('week')) return '--last-weeks 4';
  if (kinds.has('month')) return '--calendar month';
  if (kinds.has('year')) return '--calendar year';
  return '--all';
}
