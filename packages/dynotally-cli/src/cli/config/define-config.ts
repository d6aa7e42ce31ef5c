import type { Rollup } from 'dynotally';

/**
 * Table names; every one has a default (`dynotally-source`, `dynotally-aggregates`, …).
 *
 * @example
 * ```ts
 * const tables: TableNamesConfig = { aggregate: 'prod-aggregates', leases: 'prod-leases' };
 * ```
 */
export interface TableNamesConfig {
  /** The table whose stream is folded (the worker, the dev stack and `scenario run` use it). */
  source?: string;
  /** The aggregate table the rollups write and queries read. */
  aggregate?: string;
  /** Records that cannot be applied. */
  deadLetter?: string;
  /** The stream worker's leases and checkpoints. */
  leases?: string;
}

/**
 * What a `dynotally.config.ts` exports (as its default export). Flags and environment variables override
 * every field.
 *
 * @example
 * ```ts
 * const config: DynotallyConfig = { rollups: [jobs], tables: { aggregate: 'prod-aggregates' }, region: 'eu-west-1' };
 * ```
 */
export interface DynotallyConfig {
  /** The rollups the worker folds and queries can name. */
  rollups: readonly Rollup[];
  /**
   * Other definitions of configured rollups that the worker (direct, not `--redis`) and `dead-letters replay`
   * write as well, and that no other command reads: while a changed definition of a rollup rolls out, its
   * serving definition, so the serving version keeps counting every change and a rollback loses nothing. At
   * most one per rollup, named like one of `rollups` and with another definition (docs/cli.md, "Changing a
   * rollup with several workers").
   *
   * @example
   * ```ts
   * export default defineConfig({ rollups: [ordersWithAmount], alsoWrite: [orders] });
   * ```
   */
  alsoWrite?: readonly Rollup[];
  tables?: TableNamesConfig;
  /** A DynamoDB endpoint, e.g. `http://127.0.0.1:8000` for DynamoDB Local. Omit for AWS. */
  endpoint?: string;
  /** AWS region (otherwise `AWS_REGION` or your AWS profile's). */
  region?: string;
  /** `exactly-once` (default) or `at-least-once`. */
  mode?: 'exactly-once' | 'at-least-once';
  /**
   * How exactly-once is kept (the `Applier`'s `strategy`): `row-watermark` (default) or `transaction`. The worker
   * (direct, not `--redis`) and `plan --dry-run` use it.
   */
  strategy?: 'row-watermark' | 'transaction';
  /**
   * How rows are written (the `Applier`'s `write`): `{ api: 'partiql' }` (default, `BatchExecuteStatement`s) or
   * `{ api: 'update-item' }`. The worker (direct, not `--redis`) and `plan --dry-run` use it.
   */
  write?: { api?: 'partiql' | 'update-item' };
  /** The source table's stream ARN, for the worker (otherwise read from the source table). */
  streamArn?: string;
}

/**
 * Declares a dynotally CLI configuration with type checking; returns it unchanged.
 *
 * @example
 * ```ts
 * // dynotally.config.ts
 * import { defineConfig } from 'dynotally-cli';
 * import { jobs, scans } from './rollups.ts';
 * export default defineConfig({ rollups: [jobs, scans], tables: { aggregate: 'aggregates' } });
 * ```
 */
export function defineConfig(config: DynotallyConfig): DynotallyConfig {
  return config;
}
