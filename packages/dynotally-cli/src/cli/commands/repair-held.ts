import { type BackfillReport, DynotallyError, type RepairReport } from 'dynotally';
import { plural } from '../output/plural.ts';

/** The flag that promotes a repair's rebuild although it lacks items the store refused. */
export const ACCEPT_UNCOUNTABLE_FLAG = '--accept-uncountable';

/**
 * Refuses `--accept-uncountable` on `verify` without `--repair` (only a repair promotes anything).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` (exit 2) naming both flags.
 * @example
 * ```ts
 * checkAcceptUncountableNeedsRepair({ accept: true, repair: false }); // throws CONFIG_INVALID
 * ```
 */
export function checkAcceptUncountableNeedsRepair(flags: { accept: boolean; repair: boolean }): void {
  if (!flags.accept || flags.repair) return;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `${ACCEPT_UNCOUNTABLE_FLAG} goes with --repair (only a repair promotes a rebuild): add --repair, or leave the flag out to verify only`,
    { details: { flag: ACCEPT_UNCOUNTABLE_FLAG } },
  );
}

/**
 * What the CLI says (on stderr) about the items a repair's rebuild could not count because the store refused them:
 * why the rebuild was not promoted (`held`) and what to do, or that it serves without them (accepted, or nothing
 * served before); undefined when none was refused.
 *
 * @example
 * ```ts
 * const note = uncountableRepairNote('store', repair, 'dynotally-dead-letters');
 * if (note !== undefined) ctx.io.stderr(`${note}\n`);
 * ```
 */
export function uncountableRepairNote(
  rollup: string,
  repair: RepairReport,
  deadLetterTable: string,
): string | undefined {
  if (repair.storeRefused === 0) return undefined;
  const items = plural(repair.storeRefused, 'item');
  const why = storeRefusedWhy(items, 'rebuild', deadLetterTable);
  if (repair.held)
    return `repair: NOT PROMOTED: ${why}. Version ${repair.version} lacks them and is left ready; version ${repair.previous ?? '?'} keeps serving, since it may count them. Promote the rebuild anyway (its counts without those items) with dynotally verify ${rollup} --repair ${ACCEPT_UNCOUNTABLE_FLAG}, or keep the serving version: retire the rebuild (dynotally rollups retire ${rollup} ${repair.version}), round the amounts, and repair again`;
  if (repair.promoted) return `repair: WARNING: version ${repair.version} serves without ${items}: ${why}`;
  return `repair: ${why}; version ${repair.version} lacks them`;
}

/**
 * What the CLI says (on stderr) about a complete backfill the store refused items of while another version serves
 * (`held`): it was NOT promoted (also with --promote), why, and what to do; undefined when it is not held.
 *
 * @example
 * ```ts
 * const note = heldBackfillNote('store', report, 'dynotally-dead-letters');
 * if (note !== undefined) ctx.io.stderr(`${note}\n`);
 * ```
 */
export function heldBackfillNote(
  rollup: string,
  report: BackfillReport,
  deadLetterTable: string,
): string | undefined {
  if (report.held !== true) return undefined;
  const items = plural(report.storeRefused ?? 0, 'item');
  return `backfill: NOT PROMOTED: ${storeRefusedWhy(items, 'version', deadLetterTable)}. Version ${report.version} lacks them and is left ready (held); the serving version keeps serving, since it may count them. Promote it anyway (its counts without those items) with dynotally rollups promote ${rollup} ${report.version} --force, or keep the serving version: retire it (dynotally rollups retire ${rollup} ${report.version}), round the amounts, and build again`;
}

/** Why items are missing from a version built by a scan: the store refused them (shared by repair and backfill). */
function storeRefusedWhy(items: string, what: string, deadLetterTable: string): string {
  return `the store refused ${items} of the source when the ${what}'s rows were written (NUMBER_UNREPRESENTABLE: a sum past 38 significant digits in the scan's order, which the stream's order may not reach; or ITEM_TOO_LARGE), dead-lettered to ${deadLetterTable}`;
}
