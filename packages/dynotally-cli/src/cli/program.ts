import { Command, Option } from 'commander';
import { registerBackfill } from './commands/backfill.ts';
import { registerBuffer } from './commands/buffer.ts';
import { registerDeadLetters } from './commands/dead-letters.ts';
import { registerDev } from './commands/dev.ts';
import { registerFlush } from './commands/flush.ts';
import { registerLocal } from './commands/local.ts';
import { registerPlan } from './commands/plan.ts';
import { registerQuery } from './commands/query.ts';
import { registerRollups } from './commands/rollups.ts';
import { registerScenario } from './commands/scenario.ts';
import { registerTables } from './commands/tables.ts';
import { registerVerify } from './commands/verify.ts';
import { registerWorker } from './commands/worker.ts';
import { type CliContext, commandPath } from './context.ts';
import { cliVersion } from './version.ts';

/**
 * A commander usage error, tagged with the command it happened in.
 *
 * @example
 * ```ts
 * if (e instanceof CommanderError) console.error((e as TaggedCommanderError).commandPath); // 'query total'
 * ```
 */
export interface TaggedCommanderError extends Error {
  code: string;
  exitCode: number;
  commandPath?: string;
}

/**
 * The `dynotally` command tree: `local`, `dev`, `worker`, `flush`, `tables create`,
 * `query total|series|top|latest`, `scenario list|run`, `plan --dry-run`, `dead-letters`, `rollups`, `backfill`,
 * `verify`, with the global flags (`--config` or `--reference`, `--endpoint`, `--region`, table
 * names, `--json`, `--verbose`). Commander never exits the process: usage errors are thrown
 * ({@link TaggedCommanderError}) for `runCli` to print in one line.
 *
 * @example
 * ```ts
 * await createProgram(createContext(processIo())).parseAsync(['scenario', 'list'], { from: 'user' });
 * ```
 */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('dynotally')
    .description('Exactly-once, time-bucketed rollups from DynamoDB Streams: run, query and demo them.')
    .version(cliVersion(), '-V, --version', "print dynotally's version")
    .showSuggestionAfterError(true)
    // Every command's --help lists the global flags too (--endpoint, --json, -c, the table names …): its
    // examples and text use them, and a user reading `dynotally tables create --help` looked for them in vain.
    // Set before the commands are added: .command() copies it to each of them.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      writeErr: (s) => ctx.io.stderr(s),
      outputError: () => {}, // runCli prints usage errors in the one-line format
    })
    .addOption(
      new Option('-c, --config <file>', 'configuration file (default: ./dynotally.config.ts if present)'),
    )
    .addOption(
      new Option(
        '--reference',
        "the dev stack's reference rollups (jobs, scans, favourites, energy, store) instead of a config file, as dev's 'query it' line gives; not with --config",
      ),
    )
    .addOption(
      new Option('--endpoint <url>', 'DynamoDB endpoint, e.g. http://127.0.0.1:8000 for DynamoDB Local'),
    )
    .addOption(new Option('--region <region>', 'AWS region (default: AWS_REGION or your profile)'))
    .addOption(new Option('--table <name>', 'aggregate table (default: dynotally-aggregates)'))
    .addOption(new Option('--source-table <name>', 'source table (default: dynotally-source)'))
    .addOption(
      new Option('--dead-letter-table <name>', 'dead-letter table (default: dynotally-dead-letters)'),
    )
    .addOption(new Option('--lease-table <name>', 'worker lease table (default: dynotally-leases)'))
    .addOption(
      new Option(
        '--timeout <d>',
        'longest wait for one DynamoDB call, retries included, before ENDPOINT_UNREACHABLE (default: 10s)',
      ),
    )
    .addOption(new Option('--json', 'machine-readable JSON output'))
    .addOption(new Option('-v, --verbose', 'on errors, print the cause chain'))
    .addHelpText(
      'after',
      `
Environment: DYNOTALLY_CONFIG, DYNOTALLY_ENDPOINT, AWS_REGION, DYNOTALLY_TABLE, DYNOTALLY_SOURCE_TABLE,
DYNOTALLY_DEAD_LETTER_TABLE, DYNOTALLY_LEASE_TABLE, DYNOTALLY_STREAM_ARN, DYNOTALLY_REDIS_URL, DYNOTALLY_TIMEOUT
(flags win over them).
--reference reads no config file (not ./dynotally.config.ts, not DYNOTALLY_CONFIG): the rollups are the dev stack's
reference ones, the tables and endpoint come from the flags, the environment and the defaults. Example, beside a
configuration of your own while 'dynotally dev' runs:
  dynotally query total jobs --group customerId=acme --last 24h --endpoint http://127.0.0.1:8000 --reference
Exit codes: 0 ok, 1 runtime error, 2 usage or configuration error. Docs: docs/cli.md in the dynotally-cli package (node_modules/dynotally-cli/docs/cli.md)`,
    );

  registerDev(program, ctx);
  registerLocal(program, ctx);
  registerWorker(program, ctx);
  registerFlush(program, ctx);
  registerBuffer(program, ctx);
  registerTables(program, ctx);
  registerQuery(program, ctx);
  registerScenario(program, ctx);
  registerPlan(program, ctx);
  registerDeadLetters(program, ctx);
  registerRollups(program, ctx);
  registerBackfill(program, ctx);
  registerVerify(program, ctx);

  tagUsageErrors(program);
  return program;
}

/** Every command throws instead of exiting, with its own path on the error (for the `--help` hint). */
function tagUsageErrors(cmd: Command): void {
  const path = commandPath(cmd);
  cmd.exitOverride((err) => {
    (err as TaggedCommanderError).commandPath = path;
    throw err;
  });
  for (const sub of cmd.commands) tagUsageErrors(sub);
}
