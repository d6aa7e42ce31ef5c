import type { Command } from 'commander';
import { SCENARIOS } from '../../scenarios/generators/index.ts';
import type { CliContext } from '../context.ts';
import { formatTable } from '../output/table.ts';

/**
 * `dynotally scenario list`: the scenarios, their rollups and the attributes their items carry.
 *
 * @example
 * ```ts
 * registerScenarioList(program.command('scenario'), ctx);
 * ```
 */
export function registerScenarioList(parent: Command, ctx: CliContext): void {
  parent
    .command('list')
    .description('list the scenarios S0–S4: what they generate and which rollup reads it')
    .addHelpText('after', '\nExample:\n  dynotally scenario list --json')
    .action((_opts, cmd: Command) => {
      const globals = ctx.globals(cmd);
      const rows = SCENARIOS.map((s) => ({
        id: s.id,
        title: s.title,
        rollup: s.rollup.compiled.name,
        timeZone: s.rollup.compiled.calendar.zone,
        attributes: s.attributes,
        description: s.description,
      }));
      ctx.emit(globals, { scenarios: rows }, () =>
        formatTable(rows, [
          { header: 'ID', value: (r) => r.id },
          { header: 'SYSTEM', value: (r) => r.title },
          { header: 'ROLLUP', value: (r) => r.rollup },
          { header: 'ZONE', value: (r) => r.timeZone },
          { header: 'CHANGES', value: (r) => r.description },
        ]),
      );
    });
}
