import type { Command } from 'commander';
import { DynotallyError } from 'dynotally';
import { isPortFree, LOCAL_REGION, startDynamoDbLocal } from 'dynotally/local';
import { z } from 'zod';
import type { CliContext } from '../context.ts';
import { portFlag } from '../flags.ts';
import { onInterrupt } from '../signals.ts';

const flagsSchema = z.object({ port: portFlag.default(8000) });

/**
 * `dynotally local`: DynamoDB Local in memory on a port (default 8000; 0 picks a free one), in the foreground until Ctrl-C — the
 * one command a guide needs before `--endpoint http://127.0.0.1:8000`. Prints the endpoint, the region and the
 * lines to paste (`--json`: one object).
 *
 * @example
 * ```ts
 * registerLocal(program, ctx); // dynotally local --port 8000
 * ```
 */
export function registerLocal(program: Command, ctx: CliContext): void {
  program
    .command('local')
    .description('run DynamoDB Local in memory until Ctrl-C, and print its endpoint and region')
    .option('--port <n>', 'port to listen on (0: any free port)', '8000')
    .addHelpText(
      'after',
      `
Needs Java 17+. Nothing is kept: the tables live in memory and go with the process.

Examples:
  dynotally local
  dynotally local --port 8001 --json`,
    )
    .action(async (_opts, cmd: Command) => {
      const flags = ctx.flags(cmd, flagsSchema);
      const globals = ctx.globals(cmd);
      // --port 0 is any free port, as the port flag says (and dev reads it): the library picks one without a port
      if (flags.port !== 0 && !(await isPortFree(flags.port)))
        throw new DynotallyError(
          'LOCAL_START_FAILED',
          `port ${flags.port} is already in use (another dynotally local?): stop what listens there, or give another --port (--port 0 picks a free one)`,
          { details: { port: flags.port } },
        );
      const stop = onInterrupt();
      const local = await startDynamoDbLocal(flags.port === 0 ? {} : { port: flags.port });
      try {
        const started = { endpoint: local.endpoint, region: LOCAL_REGION, pid: local.pid };
        ctx.emit(globals, started, () =>
          [
            `DynamoDB Local is running at ${local.endpoint} (in memory, java pid ${local.pid}); Ctrl-C stops it.`,
            '',
            `  region     ${LOCAL_REGION} (any region works; credentials are not checked)`,
            `  CLI        dynotally --endpoint ${local.endpoint} tables create`,
            `  SDK        new DynamoDBClient(localClientConfig('${local.endpoint}')) // localClientConfig from 'dynotally/local'`,
            `  shell      export DYNOTALLY_ENDPOINT=${local.endpoint} AWS_ENDPOINT_URL_DYNAMODB=${local.endpoint} AWS_REGION=${LOCAL_REGION} AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
            '',
          ].join('\n'),
        );
        // a JVM that exits by itself (a crash, a kill from outside) took its in-memory tables with it: say so, exit 1
        let exited = await Promise.race([stop.signalled.then(() => undefined), local.exited]);
        // Ctrl-C in a terminal reaches the JVM too: an exit our own signal follows within moments is a stop
        if (exited !== undefined)
          exited = await Promise.race([
            stop.signalled.then(() => undefined),
            new Promise<string>((r) => setTimeout(() => r(exited as string), 500)),
          ]);
        if (exited !== undefined)
          throw new DynotallyError(
            'ENDPOINT_UNREACHABLE',
            `DynamoDB Local (java pid ${local.pid}, ${local.endpoint}) exited (${exited}): its in-memory tables are gone; start it again`,
            { details: { pid: local.pid, endpoint: local.endpoint, exit: exited } },
          );
      } finally {
        stop.dispose();
        await local.stop();
      }
    });
}
