import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynotallyError, type Rollup, readControl, versionsOfDefinition } from 'dynotally';
import type { Settings } from '../config/settings.ts';
import { finishCommand } from './finish-command.ts';
import { servingDefinition } from './serving-definition.ts';

/**
 * How `dynotally verify` checks a rollup whose configured definition does not serve while the configuration's
 * `alsoWrite` one does (a changed definition rolling out, or rolled back): it checks the serving version through
 * the alsoWrite definition, as `dynotally query` reads it, and says so.
 *
 * @example
 * ```ts
 * const through: VerifyThroughAlsoWrite = { rollup: ordersBefore, serving: 1, rollingOut: true, note, remedy };
 * ```
 */
export interface VerifyThroughAlsoWrite {
  /** The alsoWrite definition, which reads the serving version. */
  readonly rollup: Rollup;
  /** The serving version. */
  readonly serving: number | undefined;
  /** True while the configured definition is not retired (registered or not): the rollout is not finished. */
  readonly rollingOut: boolean;
  /** For stderr: which version is checked, through which definition, and what the configured one is. */
  readonly note: string;
  /**
   * What repairs the serving version with this configuration, in the command line's terms: during a rollout,
   * finishing it (the backfill builds the changed definition from the source) or rolling it back, then a repair
   * with the serving configuration; after a rollback, that repair. Never a repair that promotes the change.
   */
  readonly remedy: string;
}

/**
 * For `dynotally verify`: when the configured definition of `configured`'s rollup does not serve and the
 * configuration's `alsoWrite` one does ({@link servingDefinition}), the alsoWrite definition to check the serving
 * version with, and what to say; else `undefined` (verify checks the configured definition, as without alsoWrite).
 * Reads the rollup's control item only when `alsoWrite` has a definition of it.
 *
 * @example
 * ```ts
 * const through = await verifyThroughAlsoWrite(client, settings, rollupNamed(settings, 'orders'));
 * if (through !== undefined) ctx.io.stderr(`${through.note}\n`);
 * await verify({ ...options, rollup: through?.rollup ?? rollupNamed(settings, 'orders') });
 * ```
 */
export async function verifyThroughAlsoWrite(
  client: DynamoDBClient,
  settings: Pick<Settings, 'alsoWrite' | 'tables'>,
  configured: Rollup,
): Promise<VerifyThroughAlsoWrite | undefined> {
  const name = configured.compiled.name;
  if (!settings.alsoWrite.some((r) => r.compiled.name === name)) return undefined;
  const control = await readControl(client, settings.tables.aggregate, name);
  const found = servingDefinition(settings, configured, control);
  if (!found.alsoWrite) return undefined;
  const serving = control?.serving;
  const mine = versionsOfDefinition(control, configured.compiled.fingerprint);
  const unfinished = mine.filter((v) => v.state !== 'retired').at(-1);
  const latest = unfinished ?? mine.at(-1);
  const shown = latest === undefined ? 'not registered yet' : `version ${latest.version}, ${latest.state}`;
  const repairServing = `repair version ${serving} with the serving configuration (its definition in rollups, no alsoWrite): dynotally verify ${name} --repair`;
  const finish = unfinished === undefined ? undefined : finishCommand(name, unfinished);
  const remedy =
    unfinished !== undefined && finish !== undefined
      ? `finish the rollout (${finish}; version ${unfinished.version} is built from the source), or roll it back (dynotally rollups retire ${name} ${unfinished.version}) and ${repairServing}`
      : latest === undefined
        ? `finish the rollout (restart the workers with this configuration, which registers the changed definition, then dynotally backfill ${name} --promote), or ${repairServing}`
        : repairServing;
  return {
    rollup: found.rollup,
    serving,
    rollingOut: latest === undefined || unfinished !== undefined,
    note: `verify ${name}: checking version ${serving}, which serves, through the configuration's alsoWrite definition (the definition in rollups is ${shown}, not the serving one)`,
    remedy,
  };
}

/**
 * Why `dynotally verify --repair` refuses to repair a rollup it checks through the configuration's `alsoWrite`
 * definition: during a rollout a repair would build and promote one of the two definitions before the rollout is
 * finished or rolled back; after a rollback the repair belongs with the serving configuration. Nothing is
 * registered or built before it.
 *
 * @example
 * ```ts
 * if (flags.repair && through !== undefined) throw repairRefusal('orders', through);
 * ```
 */
export function repairRefusal(name: string, through: VerifyThroughAlsoWrite): DynotallyError {
  const why = through.rollingOut
    ? `this configuration rolls out a changed definition of rollup '${name}' while version ${through.serving} serves, read through its alsoWrite definition; a repair now would build and promote one of the two before the rollout is finished or rolled back`
    : `version ${through.serving} of rollup '${name}' serves, read through this configuration's alsoWrite definition, and the definition in rollups is a rolled-back change, which a repair with this configuration would rebuild and promote`;
  return new DynotallyError('CONFIG_INVALID', `verify ${name} --repair: ${why}: ${through.remedy}`, {
    details: { rollup: name, serving: through.serving },
  });
}
