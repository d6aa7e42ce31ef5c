import type { Rollup } from 'dynotally';
import { isDynotallyError } from 'dynotally';
import { shownText } from 'dynotally/local';
import { parseDuration } from 'dynotally/time';
import { z } from 'zod';
import { zodToError } from '../errors/zod-issue.ts';
import { MAX_TIMER_MS, timerTooLong } from '../timer-duration.ts';
import { endpointSchema, regionSchema, streamArnSchema, tableNameSchema } from './config-schema.ts';
import type { DynotallyConfig } from './define-config.ts';

/**
 * Default table names.
 *
 * @example
 * ```ts
 * DEFAULT_TABLES.aggregate; // 'dynotally-aggregates'
 * ```
 */
export const DEFAULT_TABLES = {
  source: 'dynotally-source',
  aggregate: 'dynotally-aggregates',
  deadLetter: 'dynotally-dead-letters',
  leases: 'dynotally-leases',
} as const;

/**
 * The flags every command accepts (commander's camel-cased option names).
 *
 * @example
 * ```ts
 * const flags: GlobalFlags = { endpoint: 'http://127.0.0.1:8000', json: true };
 * ```
 */
export interface GlobalFlags {
  config?: string;
  /** `--reference`: the dev stack's reference rollups, no config file (not with `config`). */
  reference?: boolean;
  endpoint?: string;
  region?: string;
  table?: string;
  sourceTable?: string;
  deadLetterTable?: string;
  leaseTable?: string;
  /** The worker's `--stream-arn` (only the worker has it). */
  streamArn?: string;
  timeout?: string;
  json?: boolean;
  verbose?: boolean;
}

/**
 * Everything a command needs to reach its tables, after flags, environment and config file are merged.
 *
 * @example
 * ```ts
 * const { tables, endpoint, rollups } = await ctx.settings(ctx.globals(cmd));
 * ```
 */
export interface Settings {
  rollups: readonly Rollup[];
  /**
   * The configuration's `alsoWrite`: other definitions of configured rollups that the direct worker and
   * `dead-letters replay` write too (empty when none).
   */
  alsoWrite: readonly Rollup[];
  /** The config file used, or `undefined` for the built-in reference rollups. */
  configPath: string | undefined;
  /** `--reference` was given: the rollups are the dev stack's reference ones by request, not for want of a file. */
  reference?: boolean;
  endpoint: string | undefined;
  region: string | undefined;
  tables: { source: string; aggregate: string; deadLetter: string; leases: string };
  mode: 'exactly-once' | 'at-least-once';
  /** The configuration's exactly-once strategy, or `undefined` for the applier's default (`row-watermark`). */
  strategy: 'row-watermark' | 'transaction' | undefined;
  /** The configuration's write API, or `undefined` for the applier's default (`partiql`). */
  writeApi: 'partiql' | 'update-item' | undefined;
  streamArn: string | undefined;
  /** The longest a DynamoDB call may go unanswered, retries included (`--timeout`, default 10 s). */
  timeoutMs: number;
}

/**
 * Environment variables the CLI reads, and the flag each stands for.
 *
 * @example
 * ```ts
 * ENVIRONMENT.DYNOTALLY_ENDPOINT; // '--endpoint'
 * ```
 */
export const ENVIRONMENT = {
  DYNOTALLY_CONFIG: '--config',
  DYNOTALLY_ENDPOINT: '--endpoint',
  AWS_REGION: '--region',
  AWS_DEFAULT_REGION: '--region (when AWS_REGION is unset)',
  DYNOTALLY_TABLE: '--table',
  DYNOTALLY_SOURCE_TABLE: '--source-table',
  DYNOTALLY_DEAD_LETTER_TABLE: '--dead-letter-table',
  DYNOTALLY_LEASE_TABLE: '--lease-table',
  DYNOTALLY_STREAM_ARN: '--stream-arn (worker)',
  DYNOTALLY_TIMEOUT: '--timeout',
} as const;

const settingsSchema = z.object({
  endpoint: endpointSchema.optional(),
  region: regionSchema.optional(),
  streamArn: streamArnSchema.optional(),
  source: tableNameSchema,
  aggregate: tableNameSchema,
  deadLetter: tableNameSchema,
  leases: tableNameSchema,
  timeout: z.string().transform((v, ctx) => {
    try {
      const ms = parseDuration(v);
      if (ms > MAX_TIMER_MS) {
        ctx.addIssue({ code: 'custom', message: timerTooLong(v) });
        return z.NEVER;
      }
      if (ms >= 100) return ms;
    } catch (e) {
      if (!isDynotallyError(e)) throw e;
    }
    ctx.addIssue({ code: 'custom', message: `'${shownText(v)}' is not a timeout: write e.g. 10s, 30s, 2m` });
    return z.NEVER;
  }),
});

const NAMES: Record<string, string> = {
  endpoint: '--endpoint / DYNOTALLY_ENDPOINT',
  region: '--region / AWS_REGION',
  streamArn: '--stream-arn / DYNOTALLY_STREAM_ARN',
  source: '--source-table / DYNOTALLY_SOURCE_TABLE',
  aggregate: '--table / DYNOTALLY_TABLE',
  deadLetter: '--dead-letter-table / DYNOTALLY_DEAD_LETTER_TABLE',
  leases: '--lease-table / DYNOTALLY_LEASE_TABLE',
  timeout: '--timeout / DYNOTALLY_TIMEOUT',
};

/**
 * Merges, in this order of precedence, flags, environment variables, the config file and the defaults.
 * An empty environment variable counts as unset.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming where a bad value came from: its flag and variable, or the
 * configuration's key (and file).
 * @example
 * ```ts
 * const settings = resolveSettings({ endpoint: 'http://127.0.0.1:8000' }, process.env, config, undefined);
 * settings.tables.aggregate; // 'dynotally-aggregates'
 * ```
 */
export function resolveSettings(
  flags: GlobalFlags,
  env: Readonly<Record<string, string | undefined>>,
  config: DynotallyConfig,
  configPath: string | undefined,
): Settings {
  const e = (name: keyof typeof ENVIRONMENT): string | undefined =>
    env[name] === '' ? undefined : env[name];
  // a malformed value is named where it came from: its flag and variable, or the configuration's key
  const names: Record<string, string> = { ...NAMES };
  const or = (
    key: string,
    higher: readonly (string | undefined)[],
    configKey: string,
    configValue: string | undefined,
  ): string | undefined => {
    const given = higher.find((v) => v !== undefined);
    if (given !== undefined) return given;
    if (configValue !== undefined)
      names[key] =
        `${configPath === undefined ? 'the configuration' : `config file ${configPath}`}: ${configKey}`;
    return configValue;
  };
  const merged = {
    endpoint: or('endpoint', [flags.endpoint, e('DYNOTALLY_ENDPOINT')], 'endpoint', config.endpoint),
    region: or('region', [flags.region, e('AWS_REGION'), e('AWS_DEFAULT_REGION')], 'region', config.region),
    source:
      or(
        'source',
        [flags.sourceTable, e('DYNOTALLY_SOURCE_TABLE')],
        'tables.source',
        config.tables?.source,
      ) ?? DEFAULT_TABLES.source,
    aggregate:
      or('aggregate', [flags.table, e('DYNOTALLY_TABLE')], 'tables.aggregate', config.tables?.aggregate) ??
      DEFAULT_TABLES.aggregate,
    deadLetter:
      or(
        'deadLetter',
        [flags.deadLetterTable, e('DYNOTALLY_DEAD_LETTER_TABLE')],
        'tables.deadLetter',
        config.tables?.deadLetter,
      ) ?? DEFAULT_TABLES.deadLetter,
    leases:
      or('leases', [flags.leaseTable, e('DYNOTALLY_LEASE_TABLE')], 'tables.leases', config.tables?.leases) ??
      DEFAULT_TABLES.leases,
    streamArn: or('streamArn', [flags.streamArn, e('DYNOTALLY_STREAM_ARN')], 'streamArn', config.streamArn),
    timeout: flags.timeout ?? e('DYNOTALLY_TIMEOUT') ?? '10s',
  };
  const parsed = settingsSchema.safeParse(merged);
  if (!parsed.success) {
    throw zodToError(parsed.error, {
      where: 'settings',
      fix: 'see docs/cli.md in the dynotally-cli package, "Configuration"',
      names,
    });
  }
  const s = parsed.data;
  return {
    rollups: config.rollups,
    alsoWrite: config.alsoWrite ?? [],
    configPath,
    ...(flags.reference === true ? { reference: true } : {}),
    endpoint: s.endpoint,
    region: s.region,
    tables: { source: s.source, aggregate: s.aggregate, deadLetter: s.deadLetter, leases: s.leases },
    mode: config.mode ?? 'exactly-once',
    strategy: config.strategy,
    writeApi: config.write?.api,
    streamArn: s.streamArn,
    timeoutMs: s.timeout,
  };
}
