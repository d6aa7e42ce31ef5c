import type { Command } from 'commander';
import { z } from 'zod';
import { ScenarioRunner, type ScenarioRunStats } from '../../scenarios/generators/index.ts';
import { makeClients } from '../config/clients.ts';
import type { CliContext } from '../context.ts';
import { countFlag, countFlagIn, rateFlag, scenariosFlag, timerDurationFlag } from '../flags.ts';
import { createProgress } from '../output/progress.ts';
import { formatTable } from '../output/table.ts';
import { onInterrupt } from '../signals.ts';
import { checkScenarioTarget, scenarioTargetLine } from './scenario-target.ts';

const flagsSchema = z.object({
  rate: rateFlag.default(5),
  duration: timerDurationFlag.optional(),
  seed: countFlag.optional(),
  history: countFlagIn(0, 100_000).default(0),
  yesWriteTo: z.string().optional(),
});

/**
 * `dynotally scenario run <ids>`: writes a scenario's events (inserts, modifies, deletes) to the source
 * table at a rate, for a duration or until Ctrl-C, with a progress line. It prints the table and endpoint first;
 * a table not on this machine (a remote endpoint, or AWS) is refused unless `--yes-write-to <table>` names it.
 *
 * @example
 * ```ts
 * registerScenarioRun(program.command('scenario'), ctx); // dynotally scenario run s0,s4 --rate 20 --duration 60s
 * ```
 */
export function registerScenarioRun(parent: Command, ctx: CliContext): void {
  parent
    .command('run')
    .description('write scenario events to the source table (the worker or your Lambda folds them)')
    .argument('<ids>', "scenario ids, comma-separated (s0,s4) or 'all'")
    .option('--rate <n>', 'events per second, per scenario', '5')
    .option('--duration <d>', 'stop after this long (e.g. 60s, 10m); default: until Ctrl-C')
    .option('--seed <n>', 'PRNG seed, for a repeatable run')
    .option('--history <n>', 'first write this many backdated events per scenario', '0')
    .option(
      '--yes-write-to <table>',
      'confirm writing demo items into this source table when the endpoint is not local (remote or AWS)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  dynotally scenario run s0 --rate 20 --duration 60s --endpoint http://127.0.0.1:8000\n  dynotally scenario run all --rate 2 --history 200',
    )
    .action(async (ids: string, _opts, cmd: Command) => {
      const flags = ctx.flags(cmd, flagsSchema);
      const scenarios = ctx.value(cmd, '<ids>', scenariosFlag, ids);
      const globals = ctx.globals(cmd);
      const settings = await ctx.settings(globals);
      checkScenarioTarget(settings.tables.source, settings.endpoint, flags.yesWriteTo);
      ctx.io.stderr(scenarioTargetLine(settings.tables.source, settings.endpoint));
      const clients = makeClients(settings);
      const progress = createProgress(ctx.io);
      const runner = new ScenarioRunner({
        client: clients.ddb,
        table: settings.tables.source,
        scenarios,
        rate: flags.rate,
        ...(flags.seed === undefined ? {} : { seed: flags.seed }),
      });
      const interrupt = onInterrupt();
      const started = Date.now();
      const line = (): string =>
        `${runner
          .stats()
          .map((s) => `${s.id} ${s.total.toLocaleString('en-US')}`)
          .join(' · ')}  (${Math.round((Date.now() - started) / 1000)} s, Ctrl-C stops)`;
      try {
        if (flags.history > 0) {
          await runner.seedHistory(flags.history, (done, total) =>
            progress.update(`history ${done}/${total} …`),
          );
        }
        runner.start();
        const ticker = setInterval(() => progress.update(line()), 1_000);
        const finished =
          flags.duration === undefined
            ? new Promise<never>(() => {})
            : new Promise((r) => setTimeout(r, flags.duration).unref());
        await Promise.race([finished, interrupt.signalled]);
        clearInterval(ticker);
        await runner.stop();
      } finally {
        interrupt.dispose();
        progress.done();
        await runner.stop().catch(() => {});
        clients.destroy();
      }
      const stats = runner.stats();
      const seconds = (Date.now() - started) / 1000;
      ctx.emit(globals, { table: settings.tables.source, seconds, scenarios: stats }, () =>
        summary(stats, seconds),
      );
    });
}

function summary(stats: readonly ScenarioRunStats[], seconds: number): string {
  return formatTable(stats, [
    { header: 'ID', value: (s) => s.id },
    { header: 'INSERTS', value: (s) => s.written.insert },
    { header: 'MODIFIES', value: (s) => s.written.modify },
    { header: 'DELETES', value: (s) => s.written.delete },
    { header: 'RE-SENDS', value: (s) => s.written.resend },
    { header: 'TOTAL', value: (s) => s.total },
    { header: 'EVENTS/S', value: (s) => (s.total / Math.max(seconds, 0.001)).toFixed(1) },
    { header: 'ERRORS', value: (s) => s.errors },
  ]);
}
