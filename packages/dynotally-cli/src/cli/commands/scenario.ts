import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { registerScenarioList } from './scenario-list.ts';
import { registerScenarioRun } from './scenario-run.ts';

/**
 * `dynotally scenario list|run`: the five reference systems' event generators.
 *
 * @example
 * ```ts
 * registerScenario(program, ctx);
 * ```
 */
export function registerScenario(program: Command, ctx: CliContext): void {
  const scenario = program
    .command('scenario')
    .description('the event generators of the five reference systems S0–S4');
  registerScenarioList(scenario, ctx);
  registerScenarioRun(scenario, ctx);
}
