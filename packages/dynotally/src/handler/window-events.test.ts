import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { isDynotallyError } from '../errors/index.ts';
import { createStreamHandler, type StreamBatchEvent } from './index.ts';

// Tumbling-window calls with no records: Lambda pauses a shard whose window-end call fails (review s20), so the
// handler answers them with the window's state, whether the event has an empty Records array or none at all.
const rollup = defineRollup({ name: 'r', groupBy: 'g', granularities: ['all'], measures: { n: count() } });
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const handler = createStreamHandler({
  rollups: [rollup],
  table: 'aggregates',
  client: new DynamoDBClient({ region: 'eu-west-1' }), // never called: no records
  logger: silent,
  lineage: false,
});
const window = { start: '2026-12-05T00:00:00Z', end: '2026-12-05T00:00:01Z' };

describe('a tumbling window call with no records', () => {
  it('is answered with the window state, with or without a Records key', async () => {
    const empty = { Records: [], shardId: 's-1', window, state: { a: '1' }, isFinalInvokeForWindow: true };
    expect(await handler(empty)).toEqual({ batchItemFailures: [], state: { a: '1' } });
    const keyless = { shardId: 's-1', window, isFinalInvokeForWindow: true } as unknown as StreamBatchEvent;
    expect(await handler(keyless)).toEqual({ batchItemFailures: [], state: {} });
  });

  it('an event with neither records nor a window is still refused as not a stream event', async () => {
    const e = await handler({} as StreamBatchEvent).catch((x: unknown) => x);
    expect(isDynotallyError(e, 'RECORD_MALFORMED')).toBe(true);
  });
});
