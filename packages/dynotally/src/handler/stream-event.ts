import type { DynamoDBStreamEvent } from 'aws-lambda';

/**
 * A DynamoDB stream event as Lambda delivers it. With a tumbling window on the event source mapping the
 * event also carries `shardId` (which exactly-once needs), `window` and `state`.
 *
 * @example
 * ```ts
 * const event: StreamBatchEvent = { Records: [], shardId: 'shardId-00000001700000000000-abcd1234' };
 * ```
 */
export interface StreamBatchEvent extends DynamoDBStreamEvent {
  shardId?: string;
  eventSourceARN?: string;
  window?: { start: string; end: string };
  state?: Record<string, string>;
  isFinalInvokeForWindow?: boolean;
  isWindowTerminatedEarly?: boolean;
  /**
   * dynotally's stream worker sets this (Lambda does not): the finished ancestors of `shardId`, nearest first,
   * passed on to the applier so their exactly-once states leave the rows this batch writes (see
   * `ApplyInput.finishedShards`).
   */
  finishedShards?: readonly string[];
  /**
   * dynotally's stream worker sets this (Lambda does not): when its lease on `shardId` ends (epoch ms), passed
   * on to the applier (see `ApplyInput.leaseExpiresAt`).
   */
  leaseExpiresAt?: number;
  /**
   * dynotally's stream worker sets this (Lambda does not): whether it still holds the lease on `shardId`, passed on
   * to the applier (see `ApplyInput.leaseHeld`).
   */
  leaseHeld?: () => boolean;
}

/**
 * What the handler returns: ReportBatchItemFailures (Lambda resumes at the lowest failed sequence number),
 * plus the tumbling-window `state` when the event had a window. A failure is returned only when the deployment says
 * its mapping has ReportBatchItemFailures (`DYNOTALLY_REPORT_BATCH_ITEM_FAILURES=true`); otherwise it is thrown.
 *
 * @example
 * ```ts
 * const res: StreamBatchResponse = { batchItemFailures: [{ itemIdentifier: '4421584500000000017450439091' }] };
 * ```
 */
export interface StreamBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: string }>;
  state?: Record<string, string>;
}
