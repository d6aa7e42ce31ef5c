// The worker's built-in handler never takes a Lambda deployment's settings from the process environment: its
// redelivery horizon comes from `maxRecordAgeMs` (or the stream's 24 h retention), never from
// DYNOTALLY_MAX_RECORD_AGE_SECONDS, which the CDK construct sets for its function. A worker that inherited it (a shared
// .env) pruned exactly-once states by the Lambda mapping's age although it drops no old records itself: a record read
// after that age (a worker back from an outage) could count twice.
// Break-check: without the explicit `redelivery`, the worker's creation throws on the environment's '0'.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { MAX_RECORD_AGE_ENV } from '../handler/deploy-env.ts';
import { createStreamWorker } from './index.ts';

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
  });

  it('does not read DYNOTALLY_MAX_RECORD_AGE_SECONDS', async () => {
    // a value the handler refuses at creation when it reads it
    process.env[MAX_RECORD_AGE_ENV] = '0';
    const worker = createStreamWorker(options);
    await worker.stop();
    const aged = createStreamWorker({ ...options, maxRecordAgeMs: 3_600_000 });
    await aged.stop();
  });

  it('still refuses a bad maxRecordAgeMs of its own', () => {
    expect(() => createStreamWorker({ ...options, maxRecordAgeMs: Number.NaN })).toThrow(/maxRecordAgeMs/);
  });
});
