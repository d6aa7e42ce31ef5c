import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type ExtremumWrite, extremumUpdateParams } from '../plan/index.ts';
import type { ApplyReport } from './apply-report.ts';
import { consumedUnits } from './capacity.ts';
import { mapLimit } from './map-limit.ts';
import { isRowTooLarge } from './number-refusal.ts';
import { type RetryOptions, withRetry } from './retry.ts';

/**
 * Sends min / max / last values as conditional updates. They are idempotent (a value that does not win
 * leaves the row alone), so they need no watermark: a failed condition is success. A value refused because its row
 * is at DynamoDB's 400 KB item limit is counted in `report.extremaRefused` and left out, not thrown.
 *
 * @example
 * ```ts
 * await writeExtrema(client, 'aggregates', plan.extrema, { now: Date.now(), concurrency: 16, report });
 * ```
 */
export async function writeExtrema(
  client: DynamoDBClient,
  table: string,
  extrema: readonly ExtremumWrite[],
  options: { now: number; concurrency: number; report: ApplyReport; retry?: RetryOptions },
): Promise<void> {
  const { report } = options;
  await mapLimit(extrema, options.concurrency, async (e) => {
    const input = extremumItemInput(table, e, options.now);
    try {
      const out = await withRetry(() => client.send(new UpdateItemCommand(input)), retrying(options));
      report.writeUnits += consumedUnits(out.ConsumedCapacity) || 1;
    } catch (err) {
      if (isRowTooLarge(err)) {
        // the row is at the 400 KB limit: every delivery would be refused alike until its older states are pruned
        report.extremaRefused++;
        return;
      }
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      report.writeUnits += 1; // a failed conditional write is billed one unit
    }
    report.requests++;
    report.extremaWritten++;
  });
}

/**
 * The `UpdateItem` input {@link writeExtrema} sends for one min / max / last value.
 *
 * @example
 * ```ts
 * const input = extremumItemInput('aggregates', plan.extrema[0], Date.now());
 * ```
 */
export function extremumItemInput(table: string, e: ExtremumWrite, now: number): UpdateItemCommandInput {
  return { ...extremumUpdateParams(table, e, { now }), ReturnConsumedCapacity: 'INDEXES' };
}

/**
 * Retry options that count retries into the report.
 *
 * @example
 * ```ts
 * await withRetry(send, retrying({ report }));
 * ```
 */
export function retrying(options: { report: ApplyReport; retry?: RetryOptions }): RetryOptions {
  return {
    ...options.retry,
    onRetry: (e, attempt) => {
      options.report.retries++;
      options.retry?.onRetry?.(e, attempt);
    },
  };
}
