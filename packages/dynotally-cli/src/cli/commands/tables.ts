import type { Command } from 'commander';
import { createAggregateTable, createDeadLetterTable, createLeaseTable, createSourceTable } from 'dynotally';
import { z } from 'zod';
import { makeClients } from '../config/clients.ts';
import type { CliContext } from '../context.ts';
import { countFlagIn } from '../flags.ts';
import { createProgress } from '../output/progress.ts';
import { formatTable } from '../output/table.ts';

const flagsSchema = z.object({
  source: z.boolean().default(true),
  wait: countFlagIn(1, 3_600).default(300),
});

/**
 * One table `tables create` made or verified.
 *
 * @example
 * ```ts
 * const r: TableReport = { kind: 'source', name: 'dynotally-source', streamArn: 'arn:aws:dynamodb:…/stream/…' };
 * ```
 */
export interface TableReport {
  kind: 'source' | 'aggregate' | 'dead-letter' | 'leases';
  name: string;
  /** The source table's stream ARN. */
  streamArn?: string;
}

/**
 * `dynotally tables create`: creates (or verifies) the source table with its stream, the aggregate table
 * (leaderboard index, TTL), the dead-letter and the lease tables. Idempotent.
 *
 * @example
 * ```ts
 * registerTables(program, ctx); // dynotally tables create --endpoint http://127.0.0.1:8000
 * ```
 */
export function registerTables(program: Command, ctx: CliContext): void {
  const tables = program.command('tables').description('provision the tables dynotally uses');
  tables
    .command('create')
    .description(
      'create or verify the source (with stream), aggregate, dead-letter and lease tables; idempotent',
    )
    .option('--no-source', 'skip the source table (it is yours and already streams NEW_AND_OLD_IMAGES)')
    .option('--wait <seconds>', 'how long to wait for tables to become ACTIVE', '300')
    .addHelpText(
      'after',
      '\nExample:\n  dynotally tables create --endpoint http://127.0.0.1:8000 --table my-aggregates',
    )
    .action(async (_opts, cmd: Command) => {
      const flags = ctx.flags(cmd, flagsSchema);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals, {
        tables: flags.source
          ? ['source', 'aggregate', 'deadLetter', 'leases']
          : ['aggregate', 'deadLetter', 'leases'],
      });
      const clients = makeClients(settings);
      const progress = createProgress(ctx.io);
      const options = { timeoutMs: flags.wait * 1000 };
      try {
        progress.update('creating tables (waiting until they are ACTIVE) …');
        const t = settings.tables;
        const [streamArn] = await Promise.all([
          flags.source ? createSourceTable(clients.ddb, t.source, { pk: 'S', sk: 'S' }, options) : undefined,
          createAggregateTable(clients.ddb, t.aggregate, options),
          createDeadLetterTable(clients.ddb, t.deadLetter, options),
          createLeaseTable(clients.ddb, t.leases, options),
        ]);
        progress.done();
        const report: TableReport[] = [
          ...(flags.source
            ? [{ kind: 'source' as const, name: t.source, ...(streamArn ? { streamArn } : {}) }]
            : []),
          { kind: 'aggregate', name: t.aggregate },
          { kind: 'dead-letter', name: t.deadLetter },
          { kind: 'leases', name: t.leases },
        ];
        ctx.emit(globals, { tables: report }, () =>
          formatTable(report, [
            { header: 'KIND', value: (r) => r.kind },
            { header: 'TABLE', value: (r) => r.name },
            { header: 'STATUS', value: () => 'ACTIVE' },
            { header: 'STREAM', value: (r) => r.streamArn ?? '' },
          ]),
        );
      } finally {
        progress.done();
        clients.destroy();
      }
    });
}
