import { DynotallyError, type RepairReport } from 'dynotally';

/**
 * What the CLI says (on stderr) when a repair's complete rebuild was not promoted because `promoteVersion` refused it
 * (`RepairReport.promoteRefused`: the control item changed meanwhile — another version promoted, the rebuild
 * retired); undefined when its promotion was not refused.
 *
 * @example
 * ```ts
 * const note = refusedRepairNote('store', repair);
 * if (note !== undefined) ctx.io.stderr(`${note}\n`);
 * ```
 */
export function refusedRepairNote(rollup: string, repair: RepairReport): string | undefined {
  const refused = repair.promoteRefused;
  if (refused === undefined) return undefined;
  const serving = refused.serving === undefined ? 'no version serves' : `version ${refused.serving} serves`;
  return `repair: NOT PROMOTED: ${refused.reason}. Version ${repair.version} was built from the source${repair.backfill === undefined ? '' : ` (${repair.backfill.progress.folded.toLocaleString('en-US')} items folded)`} and is left as it is; ${serving}. See dynotally rollups status ${rollup}`;
}

/**
 * The error (`PROMOTE_REFUSED`, exit 1) a `verify --repair` ends with when its rebuild's promotion was refused;
 * undefined when it was not.
 *
 * @example
 * ```ts
 * const refused = repairPromotionRefusal('store', repair);
 * if (refused !== undefined) throw refused;
 * ```
 */
export function repairPromotionRefusal(rollup: string, repair: RepairReport): DynotallyError | undefined {
  const refused = repair.promoteRefused;
  if (refused === undefined) return undefined;
  return new DynotallyError(
    'PROMOTE_REFUSED',
    `version ${repair.version} of rollup '${rollup}' was built but not promoted: ${refused.reason}`,
    { details: { rollup, version: repair.version, serving: refused.serving } },
  );
}
