// The worker's built-in handler never takes a Lambda deployment's settings from the process environment: its
// redelivery horizon comes from `maxRecordAgeMs` (or the stream's 24 h retention), never from
// DYNOTALLY_MAX_RECORD_AGE_SECONDS, which the CDK construct sets for its function. A worker that inherited it (a shared
// .env) pruned exactly-once states by the Lambda mapping's age although it drops no old records itself: a record read
// after that age (a worker back from an outage) could count twice.
// Break-check: without the explicit `redelivery`, the worker's creation throws on the environment's '0'.
// Likewise DYNOTALLY_REPORT_BATCH_ITEM_FAILURES: a Lambda handler throws a failed batch unless it says the mapping
// reads batchItemFailures, but the worker's handler always returns it (its first record), with the error kept for
// the batch processor's lastError(). Break-check: without 'report' in stream-worker.ts, the handler throws.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { Applier } from '../apply/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { MAX_RECORD_AGE_ENV, REPORT_FAILURES_ENV } from '../handler/deploy-env.ts';
import type { StreamBatchEvent, StreamBatchResponse } from '../handler/index.ts';
import { createStreamWorker } from './index.ts';
import { StreamWorkerRuntime } from './stream-worker.ts';

type HandlerOf = (event: StreamBatchEvent) => Promise<StreamBatchResponse>;

const rollup = defineRollup({ name: 'r', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const options = {
  client: new DynamoDBClient({ region: 'eu-west-1' }),
  streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-12-05T11:41:12.255',
  leaseTable: 'leases',
  table: 'aggregates',
  rollups: [rollup],
};

describe('the stream worker and the Lambda deployment environment', () => {
  afterEach(() => {
    delete process.env[MAX_RECORD_AGE_ENV];
    delete process.env[REPORT_FAILURES_ENV];
  });

  it('does not read DYNOTALLY_MAX_RECORD_AGE_SECONDS', async () => {
    // a value the handler refuses at creation when it reads it
    process.env[MAX_RECORD_AGE_ENV] = '0';
    const worker = createStreamWorker(options);
    await worker.stop();
    const aged = createStreamWorker({ ...options, maxRecordAgeMs: 3_600_000 });
    await aged.stop();
  });

  it('does not read DYNOTALLY_REPORT_BATCH_ITEM_FAILURES: its handler always reports a failed batch to it', async () => {
    // a value the handler refuses at creation when it reads it
    process.env[REPORT_FAILURES_ENV] = 'yes';
    await createStreamWorker(options).stop();
    const applier = new Applier({ client: options.client, table: 'aggregates', rollups: [rollup] });
    await createStreamWorker({ ...options, applier }).stop();
  });

  it("returns a failed batch to its batch processor as batchItemFailures (Lambda's handler throws it by default)", async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const failing = {
      rollups: new Applier({ client: options.client, table: 'aggregates', rollups: [rollup] }).rollups,
      apply: async (): Promise<never> => {
        throw throttled;
      },
    };
    const record = (seq: string) => ({
      eventName: 'INSERT' as const,
      dynamodb: {
        SequenceNumber: seq,
        Keys: { id: { S: seq } },
        NewImage: { id: { S: seq }, g: { S: 'a' } },
        ApproximateCreationDateTime: Date.now() / 1000,
      },
    });
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const cases: Array<[StreamWorkerRuntime, (e: unknown) => boolean]> = [
      [new StreamWorkerRuntime({ ...options, applier: failing, logger: silent }), (e) => e === throttled],
      // the built-in applier, on a table that throttles every write (one attempt: no backoff in the test)
      [
        new StreamWorkerRuntime({
          ...options,
          client: { send: () => Promise.reject(throttled) } as never,
          retry: { maxAttempts: 1 },
          logger: silent,
        }),
        (e) => isDynotallyError(e, 'APPLY_FAILED') && e.cause === throttled,
      ],
    ];
    for (const [runtime, isItsError] of cases) {
      const internals = runtime as unknown as { handler: HandlerOf; lastErrors: Map<string, unknown> };
      expect(await internals.handler({ Records: [record('200'), record('100')], shardId: 's-1' })).toEqual({
        batchItemFailures: [{ itemIdentifier: '100' }],
      });
      // what the batch processor's lastError() gives it: its GIVEN_UP / DEPLOYMENT_REFUSALS codes, the letter's reason
      expect(isItsError(internals.lastErrors.get('s-1'))).toBe(true);
      await runtime.stop();
    }
  });

  it('still refuses a bad maxRecordAgeMs of its own', () => {
    expect(() => createStreamWorker({ ...options, maxRecordAgeMs: Number.NaN })).toThrow(/maxRecordAgeMs/);
  });
});
