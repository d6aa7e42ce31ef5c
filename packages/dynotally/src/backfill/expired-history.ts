import type { CompiledRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { ControlItem } from '../versions/control-item.ts';

/**
 * Refuses to build a version of a rollup with `ttlDeletes: 'ignore'` from the source while another version of it
 * serves, unless `accepted`: that version keeps counting the items DynamoDB's TTL deleted (the option's promise),
 * and a scan sees only the items that still exist, so the version built (a changed definition, a repair's
 * rebuild) starts the history of every item that expired before its scan afresh, and promoting it drops that
 * history from reads for good. With nothing serving (a new rollup over an existing table) there is no such
 * history to lose. Checked before anything is registered or scanned.
 *
 * @throws {DynotallyError} `BACKFILL_REFUSED` naming the option (`details.option: 'acceptExpiredHistoryLoss'`)
 *   and the CLI flag (`details.flag: '--accept-expired-history-loss'`).
 * @example
 * ```ts
 * checkExpiredHistory(sessions.compiled, control, options.acceptExpiredHistoryLoss === true);
 * ```
 */
export function checkExpiredHistory(
  compiled: CompiledRollup,
  control: ControlItem | undefined,
  accepted: boolean,
): void {
  const refused = expiredHistoryRefusal(compiled, control, accepted);
  if (refused !== undefined) throw refused;
}

/**
 * The refusal {@link checkExpiredHistory} throws, else undefined: a dry run reports it as the first refusal the real
 * run would meet (before anything is registered or scanned).
 *
 * @example
 * ```ts
 * expiredHistoryRefusal(sessions.compiled, control, false)?.code; // 'BACKFILL_REFUSED' while a version serves
 * ```
 */
export function expiredHistoryRefusal(
  compiled: CompiledRollup,
  control: ControlItem | undefined,
  accepted: boolean,
): DynotallyError | undefined {
  if (compiled.ttlDeletes !== 'ignore' || accepted || control?.serving === undefined) return undefined;
  return new DynotallyError(
    'BACKFILL_REFUSED',
    `rollup '${compiled.name}' has ttlDeletes: 'ignore', so version ${control.serving}, which serves, keeps counting items DynamoDB's TTL has deleted; a backfill scans only the items that still exist, so a version built from the source would lack that history, and promoting it would drop it for good. If that loss is acceptable, give acceptExpiredHistoryLoss: true (the CLI's --accept-expired-history-loss); otherwise keep the serving version (verify checks such a rollup's counts as lower bounds)`,
    {
      details: {
        rollup: compiled.name,
        serving: control.serving,
        option: 'acceptExpiredHistoryLoss',
        flag: '--accept-expired-history-loss',
      },
    },
  );
}
