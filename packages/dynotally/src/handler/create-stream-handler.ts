import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import {
  Applier,
  type ApplierOptions,
  type ApplyReport,
  type RollupLike,
  toDeadLetter,
  type WriteSide,
} from '../apply/index.ts';
import { type DeadLetterSink, DynamoDbDeadLetterSink } from '../dead-letter/index.ts';
import { orderBatch } from '../decode/index.ts';
import { batchStream } from '../decode/one-stream.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { withTimeouts } from '../local/client-timeouts.ts';
import { jsonLogger, type Logger } from '../logging/index.ts';
import type { LineageOptions } from './ancestor-lookup.ts';
import {
  checkRedeliveryAgainstDeployed,
  deadLetterFromEnv,
  MODE_ENV,
  modeFromEnv,
  redeliveryFromEnv,
  reportFailuresFromEnv,
} from './deploy-env.ts';
import { FailureLog } from './failure-log.ts';
import { lineageFor } from './lineage-for-handler.ts';
import type { StreamBatchEvent, StreamBatchResponse } from './stream-event.ts';

/**
 * What every {@link createStreamHandler} takes, whichever write side it uses.
 *
 * @example
 * ```ts
 * const common: StreamHandlerCommonOptions = { clientConfig: { region: 'eu-west-1' }, deadLetter: { table: 'dead-letters' } };
 * ```
 */
export interface StreamHandlerCommonOptions {
  /** Your client (reused across invocations; never destroyed); used for the built-in applier and a dead-letter table. */
  client?: DynamoDBClient;
  /** Or a config to make one (e.g. `{ endpoint: 'http://127.0.0.1:8000' }` for DynamoDB Local). */
  clientConfig?: DynamoDBClientConfig;
  /**
   * Where poison records go: a sink, a dead-letter table, or `'log'` (each logged in full at error level).
   * Default: the table named in the `DEAD_LETTER_TABLE` environment variable when it is set (the CDK construct
   * sets it), else `'log'`.
   */
  deadLetter?: DeadLetterSink | { table: string } | 'log';
  logger?: Logger;
  /** Called after every applied batch (metrics). A throw (or a rejected promise) is logged at warn level and ignored: the batch stays applied and is not redelivered. */
  onReport?: (report: ApplyReport, event: StreamBatchEvent) => void;
  /**
   * How the handler learns its shard's finished ancestors, whose exactly-once states then leave the rows it
   * writes (a hot row keeps about one state per partition instead of one per shard of the last day): a
   * `DescribeStream` of the event's stream, cached per container, used once the container has seen the shard
   * for 15 minutes (see {@link LineageOptions}). Needs `dynamodb:DescribeStream` on the stream; any failure is
   * logged once and changes nothing else. `false` turns it off. Ignored for events that name
   * `finishedShards` themselves (the stream worker's).
   */
  lineage?: LineageOptions | false;
}

/**
 * Options of {@link createStreamHandler} with the built-in {@link Applier}: folds straight into the aggregate
 * table. (With a ready write side, see {@link WriteSideStreamHandlerOptions}.) The Applier's options, `lateRecords`
 * `'dead-letter'` as on the Applier (a record older than 24 h 30 min goes to the dead letters as `RECORD_TOO_OLD`),
 * since a mapping without a maximum record age can deliver one after its shard's exactly-once state was pruned.
 * Give `now` (or `lateRecords: 'apply'`) to feed records stamped in the past.
 *
 * @example
 * ```ts
 * const options: StreamHandlerOptions = { rollups: [jobs], table: 'aggregates', deadLetter: { table: 'dead-letters' } };
 * ```
 */
export interface StreamHandlerOptions
  extends StreamHandlerCommonOptions,
    Omit<ApplierOptions, 'client' | 'deadLetter'> {
  applier?: undefined;
}

/**
 * {@link createStreamHandler} with a ready write side (e.g. the Redis buffer of `dynotally/redis`), used instead
 * of building an {@link Applier}. The built-in applier's settings (`table`, `mode`, `strategy`, `concurrency`,
 * `retry`, `now`, `pruneSampleEvery`) belong to the write side you built and are rejected here; `rollups`, when
 * given, must name the same rollups as `applier.rollups`. Poison records the applier returns go to `deadLetter`:
 * build the applier without a dead-letter sink of its own, or they are sent twice.
 *
 * @example
 * ```ts
 * const options: WriteSideStreamHandlerOptions = { applier: createBufferedApplier({ redis, client, table, rollups }), deadLetter: 'log' };
 * ```
 */
export interface WriteSideStreamHandlerOptions extends StreamHandlerCommonOptions {
  /** The write side to apply every batch with. */
  applier: WriteSide;
  /** Optional; when given, must name exactly the applier's rollups. */
  rollups?: readonly RollupLike[];
  table?: never;
  mode?: never;
  strategy?: never;
  concurrency?: never;
  retry?: never;
  now?: never;
  pruneSampleEvery?: never;
  write?: never;
  redelivery?: never;
  stateBudgetBytes?: never;
  /** Set it on the write side (`lateRecords` of the Applier or of createBufferedApplier, `apply.lateRecords`). */
  lateRecords?: never;
}

/**
 * Options that configure only the built-in {@link Applier}: rejected beside a ready `applier`.
 *
 * @example
 * ```ts
 * BUILT_IN_APPLIER_OPTIONS.includes('strategy'); // true
 * ```
 */
export const BUILT_IN_APPLIER_OPTIONS = [
  'table',
  'mode',
  'strategy',
  'concurrency',
  'retry',
  'now',
  'pruneSampleEvery',
  'write',
  'redelivery',
  'stateBudgetBytes',
  'lateRecords',
] as const;

/**
 * Checks a ready write side against the options around it: throws `CONFIG_INVALID` when an option of the
 * built-in applier (`mode`, `strategy`, `concurrency`, `retry` …; see {@link BUILT_IN_APPLIER_OPTIONS}) is set
 * beside it — it would be silently ignored — or when `rollups` names other rollups than the applier folds.
 * `allow` lists options the caller uses for something else (the worker checks that `table` exists).
 *
 * @example
 * ```ts
 * const options = { rollups: [storeMetrics], strategy: 'transaction' }; // strategy is the built-in applier's
 * checkWriteSide(applier, options, 'createStreamHandler'); // throws CONFIG_INVALID
 * ```
 */
export function checkWriteSide(
  applier: WriteSide,
  options: { readonly rollups?: readonly RollupLike[] | undefined },
  where: string,
  allow: readonly string[] = [],
): void {
  if (typeof applier?.apply !== 'function' || !Array.isArray(applier.rollups)) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${where}: applier must be a write side with rollups and apply(input) (an Applier or createBufferedApplier(...))`,
      { details: { option: 'applier' } },
    );
  }
  const given = options as Readonly<Record<string, unknown>>;
  const set = BUILT_IN_APPLIER_OPTIONS.filter((o) => !allow.includes(o) && given[o] !== undefined);
  if (set.length > 0) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${where}: ${set.join(', ')} ${set.length === 1 ? 'configures' : 'configure'} the built-in applier and would be ignored beside applier: set ${set.length === 1 ? 'it' : 'them'} on the applier you build (e.g. createBufferedApplier({ concurrency, retry })) and remove ${set.length === 1 ? 'it' : 'them'} here`,
      { details: { options: set, conflictsWith: 'applier' } },
    );
  }
  if (options.rollups !== undefined) {
    const given = options.rollups.map((r) => ('compiled' in r ? r.compiled : r).name).sort();
    const folded = applier.rollups.map((r) => r.name).sort();
    if (given.join('\u0000') !== folded.join('\u0000')) {
      throw new DynotallyError(
        'CONFIG_INVALID',
        `${where}: rollups (${given.join(', ')}) are not the applier's (${folded.join(', ')}): give the applier every rollup to fold, and pass the same list here or none`,
        { details: { rollups: given, applierRollups: folded } },
      );
    }
  }
}

/**
 * A Lambda handler for DynamoDB stream events: folds every INSERT, MODIFY and REMOVE into the rollups'
 * counters, exactly once by default. Poison records go to the dead-letter sink and the shard moves on; a batch that
 * fails (throttling, a network error) is thrown, so Lambda retries it under any event source mapping (and counts the
 * invocation in its `Errors` metric; a mapping with `BisectBatchOnFunctionError` splits it). Only when the deployment
 * says its mapping has `FunctionResponseTypes: ['ReportBatchItemFailures']` (`DYNOTALLY_REPORT_BATCH_ITEM_FAILURES=true`,
 * as the CDK construct sets) does it return the failure as `batchItemFailures` naming the batch's first record
 * instead: a mapping without that setting ignores a returned failure and moves past the batch, losing its counts.
 * Any other value of the variable is refused with `CONFIG_INVALID` when the handler is made.
 *
 * An event holds one shard of one DynamoDB stream, as Lambda's do: one whose records come from another source
 * (`eventSource` other than `aws:dynamodb`: Kinesis, SQS), or name two streams (`eventSourceARN`), is thrown as
 * `CONFIG_INVALID` before anything is written, whatever the mapping reports.
 *
 * Exactly-once needs the shard id: give the event source mapping a tumbling window
 * (`TumblingWindowInSeconds: 1` or more) and `ParallelizationFactor: 1`. Deployed by the CDK construct, the
 * mapping's mode is in `DYNOTALLY_MODE`: the built-in applier's `mode` defaults to it, and a handler whose mode
 * (its `mode`, or a given write side's `mode`) is the other one is refused with `CONFIG_INVALID` when it is made.
 * Likewise the mapping's maximum record age is in `DYNOTALLY_MAX_RECORD_AGE_SECONDS`, the default `redelivery`; an
 * explicit `redelivery.maxRecordAgeSeconds` (or a given Applier's) shorter than a valid value there is refused with
 * `CONFIG_INVALID` when the handler is made (it would dead-letter records the mapping still delivers).
 *
 * Given `applier` (any {@link WriteSide}, e.g. the Redis buffer's `createBufferedApplier`), the handler applies
 * every batch with it instead of building an {@link Applier}; see {@link WriteSideStreamHandlerOptions}.
 *
 * @example
 * ```ts
 * // handler.ts — deployed with an event source mapping on the table's stream
 * import { createStreamHandler } from 'dynotally';
 * import { createBufferedApplier } from 'dynotally/redis';
 * import { jobs, scans } from './rollups.ts';
 *
 * export const handler = createStreamHandler({
 *   rollups: [jobs, scans],
 *   table: process.env.AGGREGATE_TABLE!,
 *   deadLetter: { table: process.env.DEAD_LETTER_TABLE! },
 * });
 *
 * // or count into a Redis buffer first (dynotally/redis), flushed to DynamoDB by `dynotally flush`:
 * export const buffered = createStreamHandler({
 *   applier: createBufferedApplier({ redis, client, table: 'aggregates', rollups: [storeMetrics] }),
 *   deadLetter: { table: 'dead-letters' },
 * });
 * ```
 */
export function createStreamHandler(
  options: StreamHandlerOptions,
): (event: StreamBatchEvent, context?: Context) => Promise<StreamBatchResponse>;
export function createStreamHandler(
  options: WriteSideStreamHandlerOptions,
): (event: StreamBatchEvent, context?: Context) => Promise<StreamBatchResponse>;
export function createStreamHandler(
  options: StreamHandlerOptions | WriteSideStreamHandlerOptions,
): (event: StreamBatchEvent, context?: Context) => Promise<StreamBatchResponse> {
  return streamHandlerIn(options, process.env);
}

/**
 * {@link createStreamHandler} with the deployment's environment given: the stream worker gives none (its settings
 * are its own options, never a Lambda deployment's variables). `failures` says how a failed batch ends: `'throw'`
 * (the error itself), or `'report'` (`batchItemFailures` naming the batch's first record, which the stream worker
 * reads as Lambda under ReportBatchItemFailures does); default `'report'` when the environment's
 * `DYNOTALLY_REPORT_BATCH_ITEM_FAILURES` is `true`, else `'throw'`.
 *
 * @example
 * ```ts
 * const handler = streamHandlerIn({ rollups, table: 'aggregates', deadLetter: 'log' }, {}, 'report');
 * ```
 */
export function streamHandlerIn(
  options: StreamHandlerOptions | WriteSideStreamHandlerOptions,
  env: Readonly<Record<string, string | undefined>>,
  failures?: 'throw' | 'report',
): (event: StreamBatchEvent, context?: Context) => Promise<StreamBatchResponse> {
  // read (and checked) whatever `failures` says: a broken deployment variable fails the cold start
  const deployedReports = reportFailuresFromEnv(env);
  const report = (failures ?? (deployedReports ? 'report' : 'throw')) === 'report';
  const given = options.applier;
  if (given !== undefined) checkWriteSide(given, options, 'createStreamHandler');
  // a deployment may name its dead-letter table in the environment (the CDK construct does), unless a given
  // Applier sends poison to a sink of its own
  const ownSink = given instanceof Applier && given.options.deadLetter !== undefined;
  const dl = options.deadLetter ?? (ownSink ? undefined : deadLetterFromEnv(env)) ?? 'log';
  // With a ready write side, a client is only needed for a dead-letter table.
  const needsClient = given === undefined || (dl !== 'log' && !('send' in dl));
  const client = needsClient
    ? (options.client ?? new DynamoDBClient(withTimeouts(options.clientConfig ?? {})))
    : undefined;
  const logger = options.logger ?? jsonLogger();
  const sink: DeadLetterSink | undefined =
    dl === 'log'
      ? undefined
      : 'send' in dl
        ? dl
        : new DynamoDbDeadLetterSink(client as DynamoDBClient, dl.table);
  if (given instanceof Applier && given.options.deadLetter !== undefined && sink !== undefined) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      'createStreamHandler: both the applier and the handler have a dead-letter sink, so poison records would be sent twice: keep one (the handler sends what the applier returns)',
      { details: { option: 'deadLetter', conflictsWith: 'applier' } },
    );
  }
  const builtIn = options as StreamHandlerOptions;
  // a deployment may say the mapping's MaximumRecordAgeInSeconds in the environment (the CDK construct does)
  const redelivery = given === undefined ? (builtIn.redelivery ?? redeliveryFromEnv(env)) : undefined;
  // an explicit horizon shorter than the mapping's (which the deployment says) dead-letters what it still delivers
  checkRedeliveryAgainstDeployed(
    given === undefined
      ? builtIn.redelivery
      : given instanceof Applier
        ? given.options.redelivery
        : undefined,
    env,
  );
  // the mode the deployment set its mapping up for (the CDK construct says it): the built-in applier's default, and
  // a handler in the other mode is refused (exactly-once under a mapping with concurrent batches per shard loses
  // counts silently; one without a tumbling window sends no shard id)
  const deployedMode = modeFromEnv(env);
  const ownMode = given === undefined ? builtIn.mode : given.mode;
  if (deployedMode !== undefined && ownMode !== undefined && ownMode !== deployedMode)
    throw new DynotallyError(
      'CONFIG_INVALID',
      `createStreamHandler: the handler runs in ${ownMode} mode, but the deployment set its event source mapping up for ${deployedMode} (${MODE_ENV}): ${deployedMode === 'at-least-once' ? 'a mapping that may run several batches of one shard at once, or send no shard id, ' : 'a redelivered batch would count twice, '}so give the handler mode: '${deployedMode}' (or leave mode out: it defaults to ${MODE_ENV}), or deploy the construct with mode: '${ownMode}'`,
      { details: { option: 'mode', mode: ownMode, deployed: deployedMode } },
    );
  const applier: WriteSide =
    given ??
    new Applier({
      ...builtIn,
      ...(builtIn.mode === undefined && deployedMode !== undefined ? { mode: deployedMode } : {}),
      ...(redelivery === undefined ? {} : { redelivery }),
      client: client as DynamoDBClient,
      deadLetter: sink,
    });
  const lineage = lineageFor(options, applier, logger);
  // The built-in applier sends poison to the sink itself; a ready write side returns it for the handler to send.
  const handlerSends = given !== undefined && sink !== undefined;
  // a failure the worker waits out is logged once, then once a minute per shard (failure-log.ts, review s41r)
  const failureLog = new FailureLog(logger);
  // A given Applier with a sink of its own (ownSink) has sent them already: count them, do not log them as lost.
  return async (event) => {
    // a tumbling window's end may come without records; if Lambda ever leaves the key out there, refusing it would
    // fail the window's final call, which pauses the shard
    const eventRecords = event?.Records ?? (event?.window !== undefined ? [] : undefined);
    if (!Array.isArray(eventRecords)) {
      throw new DynotallyError(
        'RECORD_MALFORMED',
        'the event has no Records array: is this handler attached to a DynamoDB stream?',
      );
    }
    // in sequence order, duplicates dropped (as the applier does): a failure names the batch's first record. Thrown
    // first: records of another source or of two streams (checkOneStream), a wiring error, before anything is written
    const records = orderBatch(eventRecords);
    const state = event.window !== undefined ? (event.state ?? {}) : undefined;
    const respond = (failures: StreamBatchResponse['batchItemFailures']): StreamBatchResponse =>
      state === undefined ? { batchItemFailures: failures } : { batchItemFailures: failures, state };
    if (records.length === 0) return respond([]);
    try {
      const finishedShards =
        event.finishedShards ??
        (await lineage?.finishedFor(
          event.eventSourceARN ?? (batchStream(records) || undefined),
          event.shardId,
        ));
      const { report, poison, lettersSent, sent } = await applier.apply({
        records,
        shardId: event.shardId,
        // the write side sends its letters when they must be out (a late record's before the rest is written)
        ...(handlerSends ? { deadLetter: sink } : {}),
        ...(finishedShards === undefined || finishedShards.length === 0 ? {} : { finishedShards }),
        ...(event.leaseExpiresAt === undefined ? {} : { leaseExpiresAt: event.leaseExpiresAt }),
        ...(event.leaseHeld === undefined ? {} : { leaseHeld: event.leaseHeld }),
      });
      if (handlerSends && sent !== true && poison.length > 0) {
        const source = batchStream(records);
        const now = Date.now();
        await (sink as DeadLetterSink).send(poison.map((p) => toDeadLetter(p, source, event.shardId, now)));
      }
      // (a given write side with a sink of its own says it sent them: `sent`)
      if (sink === undefined && !ownSink && sent !== true) {
        for (const p of poison)
          logger.error('dead letter: record cannot be applied', {
            code: p.error.code,
            reason: p.error.message,
            sequenceNumber: p.sequenceNumber,
            record: p.record,
          });
      } else if (poison.length > 0)
        logger.warn('records sent to the dead-letter sink', {
          count: poison.length,
          codes: [...new Set(poison.map((p) => p.error.code))],
        });
      // the letters are out (sent, or logged without a sink): what the write side held open for them can finish
      await lettersSent?.();
      if (report.extremaRefused > 0)
        logger.error(
          "min / max / last values not written: their rows are at DynamoDB's 400 KB item limit (exactly-once state of thousands of shards); the batch's counts and sums are written",
          { code: 'ITEM_TOO_LARGE', shardId: event.shardId, values: report.extremaRefused },
        );
      logger.debug?.('batch applied', { shardId: event.shardId, ...report });
      // outside the batch's fate: a throwing metrics callback must not turn an applied batch into a redelivery
      reportTo(options.onReport, report, event, logger);
      failureLog.applied(event.shardId);
      return respond([]);
    } catch (e) {
      if (isDynotallyError(e, 'SHARD_ID_MISSING')) throw e; // a configuration error: fail loudly
      const first = records[0]?.dynamodb?.SequenceNumber;
      failureLog.failed(
        event.shardId,
        e,
        report
          ? 'batch failed; it will be retried from its first record'
          : 'batch failed; thrown for Lambda to retry it',
      );
      // thrown unless the mapping is known to read batchItemFailures: one without ReportBatchItemFailures would take
      // a returned failure for success and move past the batch (its counts lost); a throw is retried by every mapping
      if (!report || first === undefined) throw e;
      return respond([{ itemIdentifier: first }]);
    }
  };
}

/**
 * Calls `onReport` for an applied batch, never failing it: a throw (or a rejected promise, should the callback
 * be async) is logged at warn level and ignored, as the stream worker does with `onProgress`.
 */
function reportTo(
  onReport: StreamHandlerCommonOptions['onReport'],
  report: ApplyReport,
  event: StreamBatchEvent,
  logger: Logger,
): void {
  if (onReport === undefined) return;
  const ignored = (error: unknown) =>
    logger.warn('onReport threw; ignored', { shardId: event.shardId, error });
  try {
    const returned: unknown = onReport(report, event);
    if (returned instanceof Promise) returned.catch(ignored);
  } catch (e) {
    ignored(e);
  }
}
