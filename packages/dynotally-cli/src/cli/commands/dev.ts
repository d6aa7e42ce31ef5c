import type { Command } from 'commander';
import type { DynotallyError } from 'dynotally';
import { z } from 'zod';
import { distinctShards } from '../../dashboard/state/worker-summary.ts';
import {
  configFlagsOf,
  type DevStack,
  firstScreen,
  openBrowser,
  S4_MODES,
  s4WiringFor,
  startDevStack,
} from '../../dev/index.ts';
import { seenGroup } from '../../dev/seen-group.ts';
import { makeClients } from '../config/clients.ts';
import type { Settings } from '../config/settings.ts';
import type { CliContext } from '../context.ts';
import { countFlag, countFlagIn, devScenariosFlag, portFlag, rateFlag, timerDurationFlag } from '../flags.ts';
import { plural } from '../output/plural.ts';
import { createProgress } from '../output/progress.ts';
import { onInterrupt } from '../signals.ts';
import { DEFAULT_CLAIM_TABLE } from './rollup-work.ts';
import { directApplierOptions } from './worker-direct.ts';

const flagsSchema = z.object({
  port: portFlag.optional(),
  host: z.string().min(1).default('127.0.0.1'),
  remoteControl: z.boolean().default(false),
  rate: rateFlag.default(2),
  scenarios: devScenariosFlag,
  open: z.boolean().default(true),
  duration: timerDurationFlag.optional(),
  history: countFlagIn(0, 100_000).default(200),
  seed: countFlag.optional(),
  s4: z.enum(S4_MODES, { message: 'expected auto, direct or buffered' }).default('auto'),
});

/**
 * `dynotally dev` (= `npm start`): the local dev stack — DynamoDB Local, tables, the stream worker, the
 * five scenario generators and the live dashboard — until Ctrl-C or `--duration`, then stops everything
 * it started. `--scenarios none` runs no generator: the worker folds the configuration's rollups over the
 * source table you write to.
 *
 * @example
 * ```ts
 * registerDev(program, ctx); // dynotally dev --port 4700 --rate 5 --scenarios s0,s4
 * ```
 */
export function registerDev(program: Command, ctx: CliContext): void {
  program
    .command('dev')
    .description('run DynamoDB Local, the worker, the five scenario generators and the live dashboard')
    .option(
      '--port <n>',
      'dashboard port; a busy one → the next free one (default 4700, env DYNOTALLY_PORT)',
      ctx.io.env.DYNOTALLY_PORT || undefined,
    )
    .option(
      '--host <host>',
      'dashboard host; on 0.0.0.0, :: or a LAN address other machines get the page, and the API and controls only with --remote-control',
      '127.0.0.1',
    )
    .option(
      '--remote-control',
      'let any peer holding the token in the printed URL use the dashboard API and controls (with --host beyond loopback)',
    )
    .option('--rate <n>', 'events per second per scenario (change it live on the dashboard)', '2')
    .option(
      '--scenarios <ids>',
      "which scenarios to run: 's0,s4', 'all', or 'none' (no generator: your rollups from the config over your own items)",
      'all',
    )
    .option('--no-open', 'do not open the dashboard in a browser')
    .option('--duration <d>', 'run this long (e.g. 60s), then stop cleanly; default: until Ctrl-C')
    .option('--history <n>', 'backdated events per scenario written before the live run', '200')
    .option('--seed <n>', 'PRNG seed of the generators')
    .option(
      '--s4 <mode>',
      'S4 store metrics: buffered (counted in Redis, flushed to DynamoDB; needs redis-server), direct, or auto (buffered when redis-server is installed)',
      'auto',
    )
    .addHelpText(
      'after',
      `
With --endpoint, the stack uses that DynamoDB (e.g. a DynamoDB Local you run) instead of starting one.
With scenarios, the worker runs their reference rollups (the first screen's query line reads them with
--reference, beside any dynotally.config.ts). S4 counts in a Redis buffer of its own redis-server
when redis-server is installed: its rows (month rows with their days, all-time rows with their years) collect
in 1-hour buckets, each written to DynamoDB once closed; the dashboard merges the unflushed buckets into its
reads (the first screen says how often each row kind flushes).

--scenarios none starts the same stack without generators or history: DynamoDB Local, the tables, the worker
and the dashboard. The worker folds the rollups of your configuration (-c, or ./dynotally.config.ts; and its
alsoWrite, as dynotally worker does) over the source table (--source-table; an existing table keeps its keys
and gets a NEW_AND_OLD_IMAGES stream); write your items there and read them with
'dynotally query … --endpoint <the printed endpoint>'. Like dynotally worker, it writes through the rollup
versions with the configuration's mode, strategy and write.api, refuses to start on a configuration a version is
missing from or whose definition is retired, and stops (exit 1, the batch unwritten) when another configuration
registers a newer version meanwhile.

Examples:
  npm start
  dynotally dev --rate 10 --scenarios s0,s4 --no-open
  dynotally dev --s4 direct
  dynotally dev --scenarios none -c ./dynotally.config.ts --source-table orders
  dynotally dev --duration 60s --port 0 --json`,
    )
    .action(async (_opts, cmd: Command) => {
      const flags = ctx.flags(cmd, flagsSchema);
      const globals = ctx.globals(cmd);
      // the stack's tables, and the claim table of its "change a rollup" demo
      const settings = await ctx.settings(globals, {
        tables: ['source', 'aggregate', 'deadLetter', 'leases'],
        claimTable: DEFAULT_CLAIM_TABLE,
      });
      const progress = createProgress(ctx.io, { everyMs: 10_000 });
      const notice = (line: string): void => {
        progress.done();
        ctx.io.stderr(`${line}\n`);
      };
      // Chosen before anything starts: --s4 buffered without redis-server fails here, in one line.
      const s4 = flags.scenarios.includes('s4') ? s4WiringFor(flags.s4) : undefined;
      const interrupt = onInterrupt();
      let stack: DevStack | undefined;
      // why the stack stopped itself (--scenarios none: a batch refused for the configuration), thrown once stopped
      let refused: DynotallyError | undefined;
      try {
        const starting = startDevStack({
          rate: flags.rate,
          scenarios: flags.scenarios,
          // No scenario: the configuration's rollups (the five reference ones when there is no config file).
          ...(flags.scenarios.length === 0
            ? {
                rollups: settings.rollups,
                alsoWrite: settings.alsoWrite,
                apply: directApplierOptions(settings),
              }
            : {}),
          history: flags.history,
          host: flags.host,
          remoteControl: flags.remoteControl,
          tables: settings.tables,
          ...(flags.port === undefined ? {} : { port: flags.port }),
          ...(flags.seed === undefined ? {} : { seed: flags.seed }),
          ...(s4 === undefined ? {} : { s4 }),
          ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
          log: notice,
          // the steps say what they do ('starting DynamoDB Local (in memory)', 'creating tables' …): no prefix
          onStep: (s) => progress.update(`${s} …`),
        });
        const first = await Promise.race([starting, interrupt.signalled.then(() => undefined)]);
        if (first === undefined) {
          // Interrupted while starting: let the start finish, then stop what it started.
          progress.done('interrupted while starting; stopping …');
          await (await starting.catch(() => undefined))?.stop();
          return;
        }
        stack = first;
        progress.done();
        if (globals.json) ctx.io.stdout(`${JSON.stringify(startedEvent(stack))}\n`);
        else
          ctx.io.stdout(
            firstScreen(stack, {
              configFlags: configFlagsOf(globals),
              ...(await firstSeenGroup(stack, settings)),
            }),
          );
        if (stack.dashboard.beyondLoopback)
          notice(
            flags.remoteControl
              ? `warning: the dashboard listens on ${flags.host}, beyond this machine, with --remote-control: anyone who gets its URL's token can pause and re-rate the generators and run the change-a-rollup demo`
              : `warning: the dashboard listens on ${flags.host}, beyond this machine: other machines can load its page; its API and controls answer this machine only (add --remote-control to allow them, with a token)`,
          );
        if (flags.open && !globals.json && ctx.io.isTTY) openBrowser(stack.dashboard.pageUrl);
        const status = setInterval(() => progress.update(statusLine(stack as DevStack)), 1_000);
        const finished =
          flags.duration === undefined
            ? new Promise<never>(() => {})
            : new Promise<string>((r) => setTimeout(() => r('duration'), flags.duration).unref());
        const stoppedItself = stack.stopped.then((reason) => ({ reason }));
        const why = await Promise.race([finished, interrupt.signalled, stoppedItself]);
        clearInterval(status);
        if (typeof why === 'object') {
          refused = why.reason;
          progress.done();
        } else progress.done(`${why === 'duration' ? 'duration reached' : `${why} received`}: stopping …`);
      } finally {
        if (stack !== undefined) await stack.stop();
        interrupt.dispose();
        progress.done();
      }
      const s = stack;
      const gone = s.dynamoDbLocal === undefined ? true : !isAlive(s.dynamoDbLocal.pid);
      const summary = {
        event: 'stopped',
        events: s.runner.stats().reduce((n, x) => n + x.total, 0),
        records: s.workerStats().records,
        dynamoDbLocalExited: gone,
      };
      if (globals.json) ctx.io.stdout(`${JSON.stringify(summary)}\n`);
      else {
        ctx.io.stdout(
          `stopped: ${plural(summary.events, 'event')} written, ${plural(summary.records, 'stream record')} read; ${
            s.dynamoDbLocal === undefined
              ? 'your DynamoDB was left running'
              : gone
                ? `DynamoDB Local (pid ${s.dynamoDbLocal.pid}) has exited`
                : `DynamoDB Local (pid ${s.dynamoDbLocal.pid}) is STILL RUNNING`
          }\n`,
        );
      }
      // as `dynotally worker` stops on it: the reason, exit 1
      if (refused !== undefined) throw refused;
    });
}

function startedEvent(s: DevStack): Record<string, unknown> {
  return {
    event: 'started',
    url: s.dashboard.pageUrl,
    port: s.port,
    endpoint: s.endpoint,
    dynamoDbLocalPid: s.dynamoDbLocal?.pid ?? null,
    tables: s.tables,
    scenarios: s.scenarios,
    rollups: s.rollups.map((r) => r.compiled.name),
    shards: distinctShards(s.workerStats()),
    rate: s.runner.stats()[0]?.rate ?? 0,
    historyEvents: s.historyEvents,
    s4: s.s4.describe,
    s4Mode: s.scenarios.includes('s4') ? (s.s4.mode ?? 'direct') : null,
  };
}

/** One status line: events written, records folded, lag, freshness. */
function statusLine(s: DevStack): string {
  const gen = s.runner.stats();
  const events = gen.reduce((n, x) => n + x.total, 0);
  const w = s.workerStats();
  const fresh = s.scenarios
    .map((id) => {
      const f = s.freshness.view(id);
      return `${id} ${f?.p50Ms == null ? '–' : `${(f.p50Ms / 1000).toFixed(1)}s`}`;
    })
    .join(' ');
  return `${s.runner.paused ? 'paused · ' : ''}events ${events.toLocaleString('en-US')} · stream records read ${w.records.toLocaleString('en-US')} (${w.recordsPerSecond.toFixed(1)}/s)${fresh === '' ? '' : ` · freshness p50 ${fresh}`} · ${s.url} · Ctrl-C stops`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * For the first screen's `query it` line under `--scenarios none`: a group of the first rollup its table holds
 * rows for ({@link seenGroup}), so that the line reads a group that exists; none when scenarios run (theirs are
 * named already), when the table has none yet, or when the read fails (the line then says what to fill in).
 */
async function firstSeenGroup(
  stack: DevStack,
  settings: Pick<Settings, 'region' | 'timeoutMs'>,
): Promise<{ seenGroup?: string }> {
  const first = stack.rollups[0];
  if (stack.scenarios.length > 0 || first === undefined) return {};
  const clients = makeClients({ ...settings, endpoint: stack.endpoint });
  try {
    const seen = await seenGroup(clients.ddb, stack.tables.aggregate, first);
    return seen === undefined ? {} : { seenGroup: seen };
  } catch {
    return {};
  } finally {
    clients.destroy();
  }
}
