// Review s34w (stream consumption): `onReport` on createStreamHandler ("Called after every batch (metrics)") runs
// inside the handler's try block, after the batch has been applied. A metrics callback that throws (a throttled
// PutMetricData, a full in-memory buffer, a bug in the user's metrics code) turns an applied batch into a reported
// failure: the handler answers `batchItemFailures: [first record]`, Lambda retries the whole batch, the write side
// finds it applied and `onReport` throws again, forever. The shard stops until the records pass MaximumRecordAge (the
// construct's default is 24 h, then `onFailure` gets batches that were counted) while every retry re-runs the batch's
// writes. Under `at-least-once` every retry counts the batch again.
// Expected: a throwing `onReport` is logged (warn) and the batch is answered as done (`batchItemFailures: []`); the
// callback is observation, never a reason to redeliver records already applied.
// Observed: `batchItemFailures: [{ itemIdentifier: '100' }]` and the same batch applied once per delivery.
// The stream worker guards its own user callback this way already (`emitProgress`: "onProgress threw; ignored").
// Severity: medium (a side channel blocks a shard; a double count under at-least-once).
// Suggested fix: call `options.onReport` after the try block (or in its own try/catch that logs at warn level).
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type ApplyInput, emptyReport, type WriteSide } from '../../packages/dynotally/src/apply/index.ts';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { scenario } from '../../packages/dynotally-cli/src/scenarios/generators/index.ts';

const rollup = scenario('s4').rollup;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const record: DynamoDBRecord = {
  eventID: 'e1',
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/1',
  dynamodb: { SequenceNumber: '100', ApproximateCreationDateTime: 1_763_800_000, NewImage: {} },
};

describe('s34w: onReport that throws', () => {
  it('does not turn an applied batch into a redelivery', async () => {
    const applied: ApplyInput[] = [];
    const applier: WriteSide = {
      rollups: [rollup.compiled],
      async apply(input) {
        applied.push(input);
        return { report: emptyReport(input.records.length), poison: [] };
      },
    };
    const handler = createStreamHandler({
      applier,
      deadLetter: 'log',
      logger: silent,
      lineage: false,
      onReport: () => {
        throw new Error('PutMetricData throttled');
      },
    });
    const event = { Records: [record], shardId: 'shardId-1', eventSourceARN: record.eventSourceARN };
    const first = await handler(event);
    expect(applied).toHaveLength(1);
    expect(first.batchItemFailures).toEqual([]);
  });
});
