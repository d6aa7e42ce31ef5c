import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import { type IEventSourceDlq, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DynotallyError } from '../errors/index.ts';
import {
  DEAD_LETTER_TABLE_ENV,
  MAX_RECORD_AGE_ENV,
  MODE_ENV,
  REPORT_FAILURES_ENV,
} from '../handler/deploy-env.ts';
import { AGGREGATE_TABLE } from '../tables/aggregate-table.ts';
import {
  defineAggregateTable,
  defineClaimTable,
  defineDeadLetterTable,
  type TableOptions,
} from './aggregate-table.ts';
import { checkBatchDiscards } from './batch-discards.ts';
import { checkSourceStream } from './check-source-stream.ts';
import { checkDistinctTables } from './distinct-tables.ts';
import {
  type DeployMode,
  type EventSourceSettings,
  type EventSourceTuning,
  eventSourceSettings,
} from './event-source-settings.ts';
import { DYNOTALLY_ACTIONS, grantTableActions } from './grants.ts';
import { defineStreamFunction, type StreamFunctionOptions } from './stream-function.ts';

/**
 * Environment variables the construct gives the handler function.
 *
 * @example
 * ```ts
 * export const handler = createStreamHandler({ rollups, table: process.env[DEPLOY_ENV.aggregateTable]! });
 * ```
 */
export const DEPLOY_ENV = {
  aggregateTable: 'AGGREGATE_TABLE',
  deadLetterTable: DEAD_LETTER_TABLE_ENV,
  /**
   * The construct's `mode`: `createStreamHandler`'s default `mode`, and a handler built in the other mode is refused
   * with `CONFIG_INVALID` at its cold start.
   */
  mode: MODE_ENV,
  /**
   * The mapping's `MaximumRecordAgeInSeconds` (`maxRecordAge`): `createStreamHandler` reads it as its default
   * `redelivery.maxRecordAgeSeconds`, so exactly-once states are pruned by the mapping's real horizon.
   */
  maxRecordAge: MAX_RECORD_AGE_ENV,
  /**
   * `true`: the mapping has `FunctionResponseTypes: ['ReportBatchItemFailures']` (the construct always sets it), so
   * `createStreamHandler` returns a failed batch as `batchItemFailures` (its first record) instead of throwing it.
   */
  reportBatchItemFailures: REPORT_FAILURES_ENV,
  /** The claim table, with rollup versions (`versions: true`): `createVersionedWriteSide`'s `claimTable`. */
  claimTable: 'CLAIM_TABLE',
} as const;

/** The mapping's maximum record age for the handler, in whole seconds (never a token: `eventSourceSettings` refuses one). */
function maxRecordAgeEnv(settings: EventSourceSettings): Record<string, string> {
  return {
    [DEPLOY_ENV.maxRecordAge]: String(Math.ceil(settings.maxRecordAge.toSeconds({ integral: false }))),
  };
}

/**
 * Props of {@link DynotallyAggregates}: the source table, your handler file, and optional tables, tuning and
 * function settings.
 *
 * @example
 * ```ts
 * const props: DynotallyAggregatesProps = { sourceTable: jobs, entry: 'src/aggregates-handler.ts', batchSize: 500 };
 * ```
 */
export interface DynotallyAggregatesProps extends EventSourceTuning, StreamFunctionOptions {
  /** The table whose stream is folded; its stream must be `NEW_AND_OLD_IMAGES`. */
  sourceTable: ITable;
  /**
   * The mode of your handler: the construct puts it in `DYNOTALLY_MODE`, which `createStreamHandler` takes as its
   * default `mode` and refuses a handler set to the other mode with (`CONFIG_INVALID` at the cold start).
   * Default `exactly-once`: tumbling window ≥ 1 s and parallelization factor 1 are enforced at synth.
   */
  mode?: DeployMode;
  /**
   * An existing aggregate table (with dynotally's schema) instead of a new one. Never the source, dead-letter or
   * claim table: one table for two roles is `CONFIG_INVALID` at synth.
   */
  aggregateTable?: ITable;
  /** Settings of the aggregate table the construct creates. */
  aggregateTableOptions?: TableOptions;
  /** An existing dead-letter table instead of a new one. */
  deadLetterTable?: ITable;
  /** Settings of the dead-letter table the construct creates. */
  deadLetterTableOptions?: TableOptions;
  /**
   * Where Lambda sends the metadata of a batch it gives up on (after `retryAttempts` or `maxRecordAge`): its shard
   * and sequence numbers, so you know which records were never counted. Needed when `retryAttempts` or a `maxRecordAge` under 24 h lets Lambda give up before the
   * stream's retention: without it that is refused at synth (`EVENT_SOURCE_INVALID`), unless `acceptSilentBatchLoss`.
   * A standard SQS queue, or any event source destination (`new SnsDlq(topic)` of a standard topic,
   * `new S3OnFailureDestination(bucket)` from `aws-cdk-lib/aws-lambda-event-sources`); a FIFO queue or topic, which
   * Lambda refuses, is `EVENT_SOURCE_INVALID` at synth. Never hand a skipped batch's records to the handler again:
   * exactly-once takes them for applied (later batches moved the rows past them) and counts nothing; rebuild with
   * `dynotally verify <rollup> --repair` instead (docs/deploy.md, "What an `onFailure` message is for").
   */
  onFailure?: IQueue | IEventSourceDlq;
  /**
   * Allow `retryAttempts` or a `maxRecordAge` under 24 h without `onFailure`: a batch Lambda gives up on is then
   * skipped with no record of it, and its counts are lost unseen. Default false (refused at synth). For a mapping
   * you watch by other means (the function's errors, the iterator age).
   */
  acceptSilentBatchLoss?: boolean;
  /** Whether the event source mapping is enabled. Default true. */
  enabled?: boolean;
  /**
   * Rollup versions: your handler is built on `createVersionedWriteSide`, and changed definitions are rebuilt by
   * a backfill. Creates the claim table (or uses `claimTable`), gives the handler its name in `CLAIM_TABLE` and
   * grants it `DYNOTALLY_ACTIONS.versions`; {@link DynotallyAggregates.grantBackfill} lets an operator's role run
   * backfills. Default false (true when `claimTable` is given).
   */
  versions?: boolean;
  /** An existing claim table (`pk` (S) only, TTL on `ttl`) instead of a new one; implies `versions`. */
  claimTable?: ITable;
  /** Settings of the claim table the construct creates. */
  claimTableOptions?: TableOptions;
}

/**
 * Deploys dynotally's write side for one source table: the aggregate table (pk/sk, TTL, the `leaderboard`
 * GSI), a dead-letter table, your handler bundled with esbuild, least-privilege grants, and a DynamoDB stream
 * event source mapping set up for exactly-once (tumbling window, one batch per shard, ReportBatchItemFailures,
 * bisect on error, TRIM_HORIZON). Bad props fail at synth with a coded {@link DynotallyError}:
 * `SOURCE_STREAM_INVALID` (no stream, or not NEW_AND_OLD_IMAGES), `EVENT_SOURCE_INVALID` (settings that break
 * exactly-once, that let Lambda skip a failing batch with no record of it, or that Lambda rejects), `CONFIG_INVALID`
 * (entry / code / runtime, or one table given for two of `sourceTable`, `aggregateTable`, `deadLetterTable`,
 * `claimTable`).
 *
 * @example
 * ```ts
 * import { App, Stack } from 'aws-cdk-lib';
 * import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
 * import { DynotallyAggregates } from 'dynotally/cdk';
 *
 * const stack = new Stack(new App(), 'Jobs');
 * const jobs = new Table(stack, 'JobsTable', {
 *   partitionKey: { name: 'id', type: AttributeType.STRING },
 *   stream: StreamViewType.NEW_AND_OLD_IMAGES,
 * });
 * const aggregates = new DynotallyAggregates(stack, 'Aggregates', {
 *   sourceTable: jobs,
 *   entry: 'src/aggregates-handler.ts', // export const handler = createStreamHandler({ rollups, ... })
 * });
 * aggregates.grantRead(dashboardFunction);
 * ```
 */
export class DynotallyAggregates extends Construct {
  /** The aggregate table (created, or the one you passed). */
  readonly aggregateTable: ITable;
  /** The dead-letter table (created, or the one you passed). */
  readonly deadLetterTable: ITable;
  /** The claim table of rollup versions (created, or the one you passed); undefined without `versions`. */
  readonly claimTable: ITable | undefined;
  /** The source table (what a backfill scans). */
  readonly sourceTable: ITable;
  /** The stream handler function. */
  readonly streamHandler: NodejsFunction;
  /** The event source on the source table's stream. */
  readonly eventSource: DynamoEventSource;
  /** The mapping settings in effect (defaults filled in). */
  readonly settings: EventSourceSettings;
  readonly mode: DeployMode;

  constructor(scope: Construct, id: string, props: DynotallyAggregatesProps) {
    super(scope, id);
    checkSourceStream(props.sourceTable);
    checkDistinctTables({
      sourceTable: props.sourceTable,
      aggregateTable: props.aggregateTable,
      deadLetterTable: props.deadLetterTable,
      claimTable: props.claimTable,
    });
    this.mode = props.mode ?? 'exactly-once';
    this.settings = eventSourceSettings(props, this.mode);
    checkFailureDestination(props.onFailure);
    checkBatchDiscards(this.settings, {
      onFailure: props.onFailure !== undefined,
      acceptSilentBatchLoss: props.acceptSilentBatchLoss,
    });
    this.aggregateTable =
      props.aggregateTable ?? defineAggregateTable(this, 'AggregateTable', props.aggregateTableOptions);
    this.deadLetterTable =
      props.deadLetterTable ?? defineDeadLetterTable(this, 'DeadLetterTable', props.deadLetterTableOptions);
    this.sourceTable = props.sourceTable;
    this.claimTable = claimTableOf(this, props);
    this.streamHandler = defineStreamFunction(this, 'StreamHandler', props, {
      [DEPLOY_ENV.aggregateTable]: this.aggregateTable.tableName,
      [DEPLOY_ENV.deadLetterTable]: this.deadLetterTable.tableName,
      [DEPLOY_ENV.mode]: this.mode,
      // the mapping below always has ReportBatchItemFailures: the handler may return a failed batch, not throw it
      [DEPLOY_ENV.reportBatchItemFailures]: 'true',
      ...maxRecordAgeEnv(this.settings),
      ...(this.claimTable === undefined ? {} : { [DEPLOY_ENV.claimTable]: this.claimTable.tableName }),
    });
    grantTableActions(this.streamHandler, this.aggregateTable, DYNOTALLY_ACTIONS.apply, { writes: true });
    grantTableActions(this.streamHandler, this.deadLetterTable, DYNOTALLY_ACTIONS.deadLetter, {
      writes: true,
    });
    if (this.claimTable !== undefined) {
      // what versions need beyond the handler's own grants (the control read is a BatchGetItem, which the
      // handler already has for reading back sampled rows): granted once
      const beyond = DYNOTALLY_ACTIONS.versions.aggregates.filter(
        (a) => !(DYNOTALLY_ACTIONS.apply as readonly string[]).includes(a),
      );
      if (beyond.length > 0) grantTableActions(this.streamHandler, this.aggregateTable, beyond);
      grantTableActions(this.streamHandler, this.claimTable, DYNOTALLY_ACTIONS.versions.claims, {
        writes: true,
      });
    }
    const s = this.settings;
    this.eventSource = new DynamoEventSource(props.sourceTable, {
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: s.batchSize,
      maxBatchingWindow: s.maxBatchingWindow,
      tumblingWindow: s.tumblingWindow,
      parallelizationFactor: s.parallelizationFactor,
      reportBatchItemFailures: true,
      bisectBatchOnError: s.bisectBatchOnError,
      retryAttempts: s.retryAttempts,
      maxRecordAge: s.maxRecordAge,
      onFailure: failureDestination(props.onFailure),
      enabled: props.enabled,
    });
    // Binding also grants the function stream read (DescribeStream, GetRecords, GetShardIterator, ListStreams).
    this.streamHandler.addEventSource(this.eventSource);
  }

  /**
   * Lets a query client read the aggregates: `GetItem`, `BatchGetItem` and `Query` on the aggregate table and
   * its leaderboard index (plus decrypt with a customer-managed key).
   *
   * @example
   * ```ts
   * aggregates.grantRead(apiFunction); // then createQueryClient({ client, table: process.env.AGGREGATE_TABLE!, rollups })
   * ```
   */
  grantRead(grantee: IGrantable): Grant {
    // the one index a query reads (`top`), by name: not every index a table given as `aggregateTable` may have
    return grantTableActions(grantee, this.aggregateTable, DYNOTALLY_ACTIONS.query, {
      index: AGGREGATE_TABLE.leaderboardIndex,
    });
  }

  /**
   * Lets an operator's role (or a function) run backfills of rollup versions (`runBackfill`, `dynotally
   * backfill`): `DescribeTable`, `Scan` and `GetItem` (a journaled chunk's items read again on resume) on the source table, the row writes and the control item on the
   * aggregate table, the claims and progress items on the claim table (and the CLI's check of it: `DescribeTable`,
   * `DescribeTimeToLive`, `UpdateTimeToLive` for a given claim table without TTL), the letters of items it cannot count on the
   * dead-letter table (`DYNOTALLY_ACTIONS.backfill`; with
   * customer-managed keys, decrypt on the source and encrypt/decrypt on the others). Needs `versions: true`:
   * `CONFIG_INVALID` otherwise, at synth.
   *
   * @example
   * ```ts
   * const aggregates = new DynotallyAggregates(stack, 'Aggregates', { sourceTable, entry, versions: true });
   * aggregates.grantBackfill(opsRole); // then: dynotally backfill … --claim-table <aggregates.claimTable.tableName>
   * ```
   */
  grantBackfill(grantee: IGrantable): Grant[] {
    const claims = this.claimTable;
    if (claims === undefined)
      throw new DynotallyError(
        'CONFIG_INVALID',
        'grantBackfill needs rollup versions: give DynotallyAggregates versions: true (or a claimTable)',
        { details: { option: 'versions' } },
      );
    const a = DYNOTALLY_ACTIONS.backfill;
    return [
      grantTableActions(grantee, this.sourceTable, a.source),
      grantTableActions(grantee, this.aggregateTable, a.aggregates, { writes: true }),
      grantTableActions(grantee, claims, a.claims, { writes: true }),
      grantTableActions(grantee, this.deadLetterTable, a.deadLetters, { writes: true }),
    ];
  }

  /**
   * Lets an operator's role (or a function) delete the rows of retired rollup versions (`deleteRetiredVersion`,
   * `deleteRetiredVersions`): the control item's `GetItem` and `UpdateItem` (the deletion's record), the `Scan` for the
   * version's rows and their deletes (`BatchWriteItem`) on the aggregate table (`DYNOTALLY_ACTIONS.deleteRetired`;
   * with a customer-managed key, encrypt/decrypt). A grant of its own, in none of the others: it deletes rows.
   *
   * @example
   * ```ts
   * aggregates.grantDeleteRetiredVersions(opsRole); // then: deleteRetiredVersions({ client, table, rollup: 'store' })
   * ```
   */
  grantDeleteRetiredVersions(grantee: IGrantable): Grant {
    return grantTableActions(grantee, this.aggregateTable, DYNOTALLY_ACTIONS.deleteRetired.aggregates, {
      writes: true,
    });
  }

  /**
   * Lets an operator's role (or a function) run `verify` (`dynotally verify`): `DescribeTable` and `Scan` on the
   * source table, `GetItem`, `Query` and `Scan` on the aggregate table (`DYNOTALLY_ACTIONS.verify`; with
   * customer-managed keys, decrypt). `verify --repair` rebuilds through a backfill: give {@link grantBackfill} too.
   *
   * @example
   * ```ts
   * aggregates.grantVerify(opsRole); // then: dynotally verify store --sample 1%
   * ```
   */
  grantVerify(grantee: IGrantable): Grant[] {
    const a = DYNOTALLY_ACTIONS.verify;
    return [
      grantTableActions(grantee, this.sourceTable, a.source),
      grantTableActions(grantee, this.aggregateTable, a.aggregates),
    ];
  }

  /**
   * Lets an operator tool read the dead letters to inspect them (`dynotally dead-letters list`, `show`): `Scan` and
   * `GetItem` (a large letter's parts) on the dead-letter table (`DYNOTALLY_ACTIONS.inspect`; with a customer-managed
   * key, decrypt). Reading only: replaying them writes the letters and the aggregate rows, which
   * {@link grantReplayDeadLetters} grants, and dropping them deletes letters, which {@link grantDropDeadLetters} grants.
   *
   * @example
   * ```ts
   * aggregates.grantReadDeadLetters(opsRole); // then: dynotally dead-letters list
   * ```
   */
  grantReadDeadLetters(grantee: IGrantable): Grant {
    return grantTableActions(grantee, this.deadLetterTable, DYNOTALLY_ACTIONS.inspect.deadLetters);
  }

  /**
   * Lets an operator's role (or a function) drop dead letters (`dropDeadLetters`, `dynotally dead-letters drop`):
   * `Scan` and `GetItem` to find the letters by id, `UpdateItem` turning each letter into its tombstone and `DeleteItem`
   * of its parts, on the dead-letter table only (`DYNOTALLY_ACTIONS.drop`; with a customer-managed key, encrypt/decrypt). A grant of its own, in none
   * of the others: a dropped letter's record is never counted, the one operator action on dead letters that cannot be
   * undone, so give it only to whoever decides a record is not to be counted. It covers `list` and `show` too.
   *
   * @example
   * ```ts
   * aggregates.grantDropDeadLetters(opsLeadRole); // then: dynotally dead-letters drop 9f3c0a1b2c3d4e5f
   * ```
   */
  grantDropDeadLetters(grantee: IGrantable): Grant {
    return grantTableActions(grantee, this.deadLetterTable, DYNOTALLY_ACTIONS.drop.deadLetters, {
      writes: true,
    });
  }

  /**
   * Lets an operator's role (or a function) replay dead letters (`replayDeadLetters`, `dynotally dead-letters
   * replay`): on the dead-letter table the letters' `Scan` and `GetItem` and the replay markers and noted reasons
   * (`UpdateItem`); on the aggregate table the control items' reads (`GetItem`, `BatchGetItem`) and the row, extremum,
   * retention history and claim-table binding writes (`UpdateItem`); with rollup versions, on the claim table the
   * claims of a version under backfill (`BatchGetItem`, `PutItem`) and the CLI's check of it (`DescribeTable`,
   * `DescribeTimeToLive`, `UpdateTimeToLive` for a given claim table without TTL) (`DYNOTALLY_ACTIONS.replay`; with customer-managed keys, encrypt/decrypt). It includes
   * what `list` and `show` need; dropping letters (`DeleteItem`) is not granted: {@link grantDropDeadLetters}.
   *
   * @example
   * ```ts
   * aggregates.grantReplayDeadLetters(opsRole); // then: dynotally dead-letters replay --all
   * ```
   */
  grantReplayDeadLetters(grantee: IGrantable): Grant[] {
    const a = DYNOTALLY_ACTIONS.replay;
    const grants = [
      grantTableActions(grantee, this.deadLetterTable, a.deadLetters, { writes: true }),
      grantTableActions(grantee, this.aggregateTable, a.aggregates, { writes: true }),
    ];
    if (this.claimTable !== undefined)
      grants.push(grantTableActions(grantee, this.claimTable, a.claims, { writes: true }));
    return grants;
  }
}

/** The claim table of rollup versions: the one given, a new one with `versions: true`, or none. */
function claimTableOf(scope: Construct, props: DynotallyAggregatesProps): ITable | undefined {
  if (props.claimTable !== undefined) {
    if (props.versions === false)
      throw new DynotallyError('CONFIG_INVALID', 'claimTable is for rollup versions: drop versions: false', {
        details: { option: 'claimTable' },
      });
    return props.claimTable;
  }
  if (props.versions !== true) {
    if (props.claimTableOptions !== undefined)
      throw new DynotallyError(
        'CONFIG_INVALID',
        'claimTableOptions configure the claim table of rollup versions: add versions: true',
        { details: { option: 'claimTableOptions' } },
      );
    return undefined;
  }
  return defineClaimTable(scope, 'ClaimTable', props.claimTableOptions);
}

/**
 * Refuses, with `EVENT_SOURCE_INVALID` at synth, a FIFO queue or topic as `onFailure` (given as a queue, or inside
 * `SqsDlq` / `SnsDlq`, whose queue or topic is read where aws-cdk-lib keeps it): Lambda takes only a standard SQS
 * queue or SNS topic as a stream mapping's destination, so the deploy failed in CloudFormation (review s41c).
 */
function checkFailureDestination(d: IQueue | IEventSourceDlq | undefined): void {
  if (d === undefined) return;
  const held = d as { queue?: unknown; topic?: unknown };
  const target = 'queueArn' in d ? d : (held.queue ?? held.topic);
  if (typeof target !== 'object' || target === null) return;
  const t = target as { fifo?: unknown; node?: { path?: string } };
  if (t.fifo !== true) return;
  const kind = 'queueArn' in target ? 'queue' : 'topic';
  throw new DynotallyError(
    'EVENT_SOURCE_INVALID',
    `DynotallyAggregates: onFailure is a FIFO ${kind} (${t.node?.path ?? 'given'}), and Lambda takes only a standard SQS queue or a standard SNS topic as a stream mapping's on-failure destination (the deploy would fail): give a standard queue or topic, or an S3 bucket (S3OnFailureDestination)`,
    { details: { option: 'onFailure', fifo: true, kind } },
  );
}

/** A queue as the mapping's destination (`SqsDlq`), any other destination as it is. */
function failureDestination(d: IQueue | IEventSourceDlq | undefined): IEventSourceDlq | undefined {
  if (d === undefined) return undefined;
  return 'queueArn' in d ? new SqsDlq(d) : d;
}
