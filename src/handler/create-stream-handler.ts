import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { Applier, type ApplierOptions, type ApplyReport } from '../apply/index.ts';
import { type DeadLetterSink, DynamoDbDeadLetterSink } from '../dead-letter/index.ts';
import { DynotallyError } from '../errors/index.ts';
import { jsonLogger, type Logger } from '../logging/index.ts';
import type { StreamBatchEvent, StreamBatchResponse } from './stream-event.ts';

/**
 * Options of {@link createStreamHandler}.
 *
 * @example
 * ```ts
 * const options: StreamHandlerOptions = { rollups: [jobs], table: 'aggregates', deadLetter: { table: 'dead-letters' } };
 * ```
 */
export interface StreamHandlerOptions extends Omit<ApplierOptions, 'client' | 'deadLetter'> {
  /** Your client (reused across invocations). */
  client?: DynamoDBClient;
  /** Or a config to make one (e.g. `{ endpoint: 'http://127.0.0.1:8000' }` for DynamoDB Local). */
  clientConfig?: DynamoDBClientConfig;
  /** Where poison records go: a sink, a dead-letter table, or `'log'` (each logged in full at error level). Default `'log'`. */
  deadLetter?: DeadLetterSink | { table: string } | 'log';
  logger?: Logger;
  /** Called after every batch (metrics). */
  onReport?: (report: ApplyReport, event: StreamBatchEvent) => void;
}

/**
 * A Lambda handler for DynamoDB stream events: folds every INSERT, MODIFY and REMOVE into the rollups'
 * counters, exactly once by default. Returns `batchItemFailures` (enable ReportBatchItemFailures on the
 * event source mapping); poison records go to the dead-letter sink and the shard moves on.
 *
 * Exactly-once needs the shard id: give the event source mapping a tumbling window
 * (`TumblingWindowInSeconds: 1` or more) and `ParallelizationFactor: 1`.
 *
 * @example
 * ```ts
 * // handler.ts — deployed with an event source mapping on the table's stream
 * import { createStreamHandler } from 'dynotally';
 * import { jobs, scans } from './rollups.ts';
 *
 * export const handler = createStreamHandler({
 *   rollups: [jobs, scans],
 *   table: process.env.AGGREGATE_TABLE!,
 *   deadLetter: { table: process.env.DEAD_LETTER_TABLE! },
 * });
 * ```
 */
export function createStreamHandler(
  options: StreamHandlerOptions,
): (event: StreamBatchEvent, context?: Context) => Promise<StreamBatchResponse> {
  const client = options.client ?? new DynamoDBClient(options.clientConfig ?? {});
  const logger = options.logger ?? jsonLogger();
  const dl = options.deadLetter ?? 'log';
  const sink: DeadLetterSink | undefined =
    dl === 'log' ? undefined : 'send' in dl ? dl : new DynamoDbDeadLetterSink(client, dl.table);
  const applier = new Applier({ ...options, client, deadLetter: sink });
  return async (event) => {
    const records = event?.Records;
    if (!Array.isArray(records)) {
      throw new DynotallyError(
        'RECORD_MALFORMED',
        'the event has no Records array: is this handler attached to a DynamoDB stream?',
      );
    }
    const state = event.window !== undefined ? (event.state ?? {}) : undefined;
    const respond = (failures: StreamBatchResponse['batchItemFailures']): StreamBatchResponse =>
      state === undefined ? { batchItemFailures: failures } : { batchItemFailures: failures, state };
    if (records.length === 0) return respond([]);
    try {
      const { report, poison } = await applier.apply({ records, shardId: event.shardId });
      if (sink === undefined) {
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
      logger.debug?.('batch applied', { shardId: event.shardId, ...report });
      options.onReport?.(report, event);
      return respond([]);
    } catch (e) {
      if (e instanceof DynotallyError && e.code === 'SHARD_ID_MISSING') throw e; // a configuration error: fail loudly
      const first = records[0]?.dynamodb?.SequenceNumber;
      logger.error('batch failed; it will be retried from its first record', {
        shardId: event.shardId,
        error: e,
      });
      if (first === undefined) throw e;
      return respond([{ itemIdentifier: first }]);
    }
  };
}
