import { pruneAfterSeconds, type RedeliveryOptions } from '../apply/redelivery-horizon.ts';
import { DynotallyError } from '../errors/index.ts';
import { shownDetail, shownValue } from '../strings/shown-value.ts';

/**
 * The environment variable in which a deployment (the `dynotally/cdk` construct) tells the handler the event
 * source mapping's `MaximumRecordAgeInSeconds`; read as the default of `redelivery.maxRecordAgeSeconds`.
 *
 * @example
 * ```ts
 * process.env[MAX_RECORD_AGE_ENV]; // '86400'
 * ```
 */
export const MAX_RECORD_AGE_ENV = 'DYNOTALLY_MAX_RECORD_AGE_SECONDS';

/**
 * The redelivery horizon a deployment set in {@link MAX_RECORD_AGE_ENV}, or undefined when unset or empty.
 * Throws `CONFIG_INVALID` for anything but a whole number of seconds (`-1` for no limit), so a broken deploy
 * fails at the first invocation instead of pruning by a wrong horizon.
 *
 * @example
 * ```ts
 * redeliveryFromEnv({ DYNOTALLY_MAX_RECORD_AGE_SECONDS: '3600' }); // { maxRecordAgeSeconds: 3600 }
 * ```
 */
export function redeliveryFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): RedeliveryOptions | undefined {
  const raw = env[MAX_RECORD_AGE_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${MAX_RECORD_AGE_ENV} is ${shownValue(raw)}: give the event source mapping's MaximumRecordAgeInSeconds as a whole number (60 to 604800, or -1 for none), or remove it`,
      { details: { variable: MAX_RECORD_AGE_ENV, value: shownDetail(raw) } },
    );
  return { maxRecordAgeSeconds: Number(raw) };
}

/** The deployment's horizon when {@link MAX_RECORD_AGE_ENV} holds one the horizon takes, else undefined. */
function validDeployedAge(env: Readonly<Record<string, string | undefined>>): number | undefined {
  try {
    const deployed = redeliveryFromEnv(env);
    if (deployed?.maxRecordAgeSeconds === undefined) return undefined;
    pruneAfterSeconds(deployed);
    return deployed.maxRecordAgeSeconds;
  } catch {
    // an invalid value is refused where it is the handler's horizon (no explicit option); an explicit one wins
    return undefined;
  }
}

/**
 * Refuses a handler's explicit `redelivery.maxRecordAgeSeconds` that is shorter than the one the deployment put in
 * {@link MAX_RECORD_AGE_ENV} (the mapping's real `MaximumRecordAgeInSeconds`): the handler would prune state and cut
 * late records by a horizon the mapping still delivers past, so after a stall its records become `RECORD_TOO_OLD`
 * dead letters (or, with `lateRecords: 'apply'`, count twice). A longer one only keeps more state, and an invalid
 * environment value leaves the explicit option alone.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming both values and how to make them agree.
 * @example
 * ```ts
 * checkRedeliveryAgainstDeployed({ maxRecordAgeSeconds: 86_400 }, { DYNOTALLY_MAX_RECORD_AGE_SECONDS: '3600' }); // fine
 * checkRedeliveryAgainstDeployed({ maxRecordAgeSeconds: 3600 }, { DYNOTALLY_MAX_RECORD_AGE_SECONDS: '86400' }); // throws
 * ```
 */
export function checkRedeliveryAgainstDeployed(
  explicit: RedeliveryOptions | undefined,
  env: Readonly<Record<string, string | undefined>>,
): void {
  const own = explicit?.maxRecordAgeSeconds;
  if (own === undefined) return;
  const deployed = validDeployedAge(env);
  if (deployed === undefined) return;
  if (pruneAfterSeconds(explicit) >= pruneAfterSeconds({ maxRecordAgeSeconds: deployed })) return;
  const shown = (age: number) => (age === -1 ? '-1 (no limit: the stream keeps records 24 h)' : `${age}`);
  throw new DynotallyError(
    'CONFIG_INVALID',
    `createStreamHandler: redelivery.maxRecordAgeSeconds is ${shown(own)}, shorter than the deployed event source mapping's maximum record age (${MAX_RECORD_AGE_ENV}=${shown(deployed)}): records the mapping still delivers after a stall would be dead-lettered as RECORD_TOO_OLD (or counted twice with lateRecords: 'apply'). Leave redelivery out (it defaults to ${MAX_RECORD_AGE_ENV}), give at least ${deployed === -1 ? '86400' : deployed}, or deploy the mapping with the shorter maxRecordAge`,
    {
      details: {
        option: 'redelivery.maxRecordAgeSeconds',
        'redelivery.maxRecordAgeSeconds': own,
        variable: MAX_RECORD_AGE_ENV,
        deployed,
      },
    },
  );
}

/**
 * The environment variable in which a deployment (the `dynotally/cdk` construct) names its dead-letter table;
 * `createStreamHandler`'s `deadLetter` defaults to it when set (non-empty).
 *
 * @example
 * ```ts
 * process.env[DEAD_LETTER_TABLE_ENV]; // 'MyStack-AggregatesDeadLetters1A2B3C'
 * ```
 */
export const DEAD_LETTER_TABLE_ENV = 'DEAD_LETTER_TABLE';

/**
 * The dead-letter table a deployment named in {@link DEAD_LETTER_TABLE_ENV}, or undefined when unset or empty
 * (or only spaces).
 *
 * @example
 * ```ts
 * deadLetterFromEnv({ DEAD_LETTER_TABLE: 'dead-letters' }); // { table: 'dead-letters' }
 * deadLetterFromEnv({}); // undefined: poison records are logged
 * ```
 */
export function deadLetterFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): { table: string } | undefined {
  const table = env[DEAD_LETTER_TABLE_ENV]?.trim();
  return table === undefined || table === '' ? undefined : { table };
}

/**
 * The environment variable in which a deployment (the `dynotally/cdk` construct) says the mode its event source
 * mapping is set up for: `exactly-once` (one batch per shard at a time) or `at-least-once` (up to ten, or no
 * shard id). `createStreamHandler`'s `mode` defaults to it, and a handler set to the other mode is refused.
 *
 * @example
 * ```ts
 * process.env[MODE_ENV]; // 'exactly-once'
 * ```
 */
export const MODE_ENV = 'DYNOTALLY_MODE';

/**
 * The mode a deployment set in {@link MODE_ENV}, or undefined when unset or empty. Throws `CONFIG_INVALID` for
 * any other value (a typo must not pick a mode).
 *
 * @example
 * ```ts
 * modeFromEnv({ DYNOTALLY_MODE: 'at-least-once' }); // 'at-least-once'
 * modeFromEnv({}); // undefined
 * ```
 */
export function modeFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): 'exactly-once' | 'at-least-once' | undefined {
  const raw = env[MODE_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'exactly-once' || raw === 'at-least-once') return raw;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `${MODE_ENV} is ${shownValue(raw)}: give 'exactly-once' or 'at-least-once' (the mode the event source mapping is set up for), or remove it`,
    { details: { variable: MODE_ENV, value: shownDetail(raw) } },
  );
}

/**
 * The environment variable in which a deployment says its event source mapping has
 * `FunctionResponseTypes: ['ReportBatchItemFailures']` (the `dynotally/cdk` construct sets `true`): only then does
 * `createStreamHandler` answer a failed batch by returning `batchItemFailures`. Without it the handler throws, which
 * every mapping retries: a mapping without ReportBatchItemFailures ignores a returned failure and takes the batch as
 * done, so its counts would be lost silently.
 *
 * @example
 * ```ts
 * process.env[REPORT_FAILURES_ENV]; // 'true'
 * ```
 */
export const REPORT_FAILURES_ENV = 'DYNOTALLY_REPORT_BATCH_ITEM_FAILURES';

/**
 * Whether a deployment said in {@link REPORT_FAILURES_ENV} that its mapping reports batch item failures: `true` for
 * `'true'`, `false` for `'false'`, unset or empty. Throws `CONFIG_INVALID` for any other value (a typo must neither
 * claim a setting the mapping may not have, which would lose failed batches, nor hide one that was meant).
 *
 * @example
 * ```ts
 * reportFailuresFromEnv({ DYNOTALLY_REPORT_BATCH_ITEM_FAILURES: 'true' }); // true
 * reportFailuresFromEnv({}); // false: a failed batch is thrown
 * ```
 */
export function reportFailuresFromEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  const raw = env[REPORT_FAILURES_ENV]?.trim();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `${REPORT_FAILURES_ENV} is ${shownValue(raw)}: give 'true' only when the event source mapping has FunctionResponseTypes ['ReportBatchItemFailures'] (the handler then returns failed batches as batchItemFailures), 'false' or nothing to have them thrown (retried under any mapping)`,
    { details: { variable: REPORT_FAILURES_ENV, value: shownDetail(raw) } },
  );
}
