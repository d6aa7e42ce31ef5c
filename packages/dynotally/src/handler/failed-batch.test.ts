import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { Applier, type WriteSide } from '../apply/index.ts';
import { count, defineRollup } from '../definition/index.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { streamHandlerIn } from './create-stream-handler.ts';
import { REPORT_FAILURES_ENV, reportFailuresFromEnv } from './deploy-env.ts';
import { createStreamHandler, type StreamBatchEvent } from './index.ts';

// Lambda ignores a returned batchItemFailures unless the event source mapping has FunctionResponseTypes
// ['ReportBatchItemFailures']: on a hand-made mapping without it, a failed batch returned as a failure was taken for a
// success and its counts lost (review s35). The handler throws it, unless the deployment says its mapping reports
// batch item failures (the CDK construct does, in DYNOTALLY_REPORT_BATCH_ITEM_FAILURES).

const rollup = defineRollup({ name: 'r', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const arn = 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/1';
const record = (seq: string): DynamoDBRecord => ({
  eventID: seq,
  eventName: 'INSERT',
  eventSourceARN: arn,
  dynamodb: { SequenceNumber: seq, NewImage: { g: { S: 'a' } } },
});
// out of order: the failure names the batch's first record by sequence number
const event: StreamBatchEvent = { Records: [record('200'), record('100')], shardId: 'shardId-1' };

/** A throttled write: what a batch fails with (not a poison record, which goes to the dead letters). */
const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
  name: 'ThrottlingException',
});

/** A write side whose every batch fails with `error`. */
function failing(error: unknown): WriteSide {
  const direct = new Applier({ client: {} as never, table: 'aggregates', rollups: [rollup] });
  return {
    rollups: direct.rollups,
    async apply() {
      throw error;
    },
  };
}

const make = (env: Record<string, string>, error: unknown = throttled) =>
  streamHandlerIn({ applier: failing(error), deadLetter: 'log', logger: silent, lineage: false }, env);

describe('a failed batch', () => {
  afterEach(() => {
    delete process.env[REPORT_FAILURES_ENV];
  });

  it('is thrown without DYNOTALLY_REPORT_BATCH_ITEM_FAILURES, so every mapping retries it', async () => {
    delete process.env[REPORT_FAILURES_ENV];
    const errors: unknown[][] = [];
    const handler = createStreamHandler({
      applier: failing(throttled),
      deadLetter: 'log',
      lineage: false,
      logger: { ...silent, error: (...a: unknown[]) => void errors.push(a) },
    });
    const thrown = await handler(event).then(
      () => 'returned',
      (e: unknown) => e,
    );
    // the error itself: Lambda logs its type and message, and a DynotallyError keeps its code
    expect(thrown).toBe(throttled);
    expect(errors).toEqual([
      ['batch failed; thrown for Lambda to retry it', { shardId: 'shardId-1', error: throttled }],
    ]);
    const refused = new DynotallyError('VERSION_NOT_DEPLOYED', 'a newer version is live');
    expect(await make({ [REPORT_FAILURES_ENV]: 'false' }, refused)(event).catch((e: unknown) => e)).toBe(
      refused,
    );
    expect(await make({ [REPORT_FAILURES_ENV]: ' ' })(event).catch((e: unknown) => e)).toBe(throttled);
  });

  it("is returned as the batch's first record when the deployment says its mapping reports batch item failures", async () => {
    process.env[REPORT_FAILURES_ENV] = 'true';
    const handler = createStreamHandler({
      applier: failing(throttled),
      deadLetter: 'log',
      lineage: false,
      logger: silent,
    });
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
    expect(await make({ [REPORT_FAILURES_ENV]: ' true ' })(event)).toEqual({
      batchItemFailures: [{ itemIdentifier: '100' }],
    });
    // a tumbling window's state goes back with it
    const windowed = { ...event, window: { start: 'a', end: 'b' }, state: { k: 'v' } };
    expect(await make({ [REPORT_FAILURES_ENV]: 'true' })(windowed)).toEqual({
      batchItemFailures: [{ itemIdentifier: '100' }],
      state: { k: 'v' },
    });
  });

  it("is returned in the stream worker's form whatever the environment says", async () => {
    const handler = streamHandlerIn(
      { applier: failing(throttled), deadLetter: 'log', logger: silent, lineage: false },
      {},
      'report',
    );
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: '100' }] });
  });

  it('without a shard id is thrown in either form (a configuration error)', async () => {
    const missing = new DynotallyError('SHARD_ID_MISSING', 'no shard id');
    const e = await make({ [REPORT_FAILURES_ENV]: 'true' }, missing)(event).catch((x: unknown) => x);
    expect(e).toBe(missing);
  });
});

describe('DYNOTALLY_REPORT_BATCH_ITEM_FAILURES', () => {
  afterEach(() => {
    delete process.env[REPORT_FAILURES_ENV];
  });

  it("is 'true', 'false' or nothing", () => {
    expect(REPORT_FAILURES_ENV).toBe('DYNOTALLY_REPORT_BATCH_ITEM_FAILURES');
    expect(reportFailuresFromEnv({ [REPORT_FAILURES_ENV]: 'true' })).toBe(true);
    expect(reportFailuresFromEnv({ [REPORT_FAILURES_ENV]: 'false' })).toBe(false);
    expect(reportFailuresFromEnv({ [REPORT_FAILURES_ENV]: '' })).toBe(false);
    expect(reportFailuresFromEnv({})).toBe(false);
  });

  it('any other value is refused with CONFIG_INVALID when the handler is made (the cold start)', () => {
    for (const bad of ['yes', '1', 'TRUE', 'ReportBatchItemFailures']) {
      process.env[REPORT_FAILURES_ENV] = bad;
      let caught: unknown;
      try {
        createStreamHandler({ applier: failing(throttled), deadLetter: 'log', logger: silent });
      } catch (e) {
        caught = e;
      }
      expect(isDynotallyError(caught, 'CONFIG_INVALID'), bad).toBe(true);
      expect((caught as Error).message, bad).toContain(REPORT_FAILURES_ENV);
      expect((caught as DynotallyError).details, bad).toEqual({ variable: REPORT_FAILURES_ENV, value: bad });
    }
  });
});
