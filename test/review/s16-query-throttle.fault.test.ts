// Review s16 (query client): reads that stay throttled. docs/query.md promises READ_FAILED ("reads stayed
// throttled after bounded retries"), but only BatchGetItem's UnprocessedKeys get it: a Query or a BatchGetItem
// answered with ProvisionedThroughputExceededException (HTTP 400, what a throttled table answers) past the SDK's
// retries surfaced as the SDK's raw exception, without a code. Fixed: runQuery and runBatchGet turn a throttling
// error left after the client's retries into READ_FAILED, cause kept. DynamoDB Local behind the fault proxy.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { ddbReady, uniqueTableName } from '../support/ddb.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });

const hourly = defineRollup({
  name: 'th',
  groupBy: 'g',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['hour', 'day'],
  measures: { n: count() },
});
let proxy: FaultProxy;
let client: DynamoDBClient;
let table = '';
beforeAll(async () => {
  const endpoint = await ddbReady();
  const direct = new DynamoDBClient(localClientConfig(endpoint));
  table = uniqueTableName('s16-throttle');
  await createAggregateTable(direct, table);
  direct.destroy();
  proxy = await startFaultProxy({
    target: endpoint,
    counts: (op) => op === 'Query' || op === 'BatchGetItem',
  });
  // two attempts, no waiting to speak of: the test is about what the caller gets once the SDK gives up
  client = new DynamoDBClient({ ...localClientConfig(proxy.endpoint), maxAttempts: 2 });
});
afterAll(async () => {
  client?.destroy();
  await proxy?.close();
});

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isDynotallyError(e) ? e.code : `raw ${(e as Error).name}`;
  }
}

describe('reads that stay throttled', () => {
  it('are READ_FAILED for Query and BatchGetItem alike', async () => {
    const query = createQueryClient({
      client,
      table,
      rollups: [hourly],
      now: () => Date.UTC(2026, 5, 10, 12),
    });
    proxy.setSchedule([
      {
        after: 0,
        fault: { kind: 'throttle', error: 'ProvisionedThroughputExceededException' },
        requests: 1000,
      },
    ]);
    const run = { from: '2026-06-08T00:00:00Z', to: '2026-06-10T00:00:00Z' }; // 2 day rows: a Query
    const single = { from: '2026-06-10T08:00:00Z', to: '2026-06-10T11:00:00Z' }; // 3 hours of 1 day row: BatchGetItem
    expect(query.explain.total(hourly, { g: 'a' }, run).requests.map((r) => r.command)).toEqual(['Query']);
    expect(query.explain.total(hourly, { g: 'a' }, single).requests.map((r) => r.command)).toEqual([
      'BatchGetItem',
    ]);
    const got = [
      await outcome(query.total(hourly, { g: 'a' }, run)),
      await outcome(query.total(hourly, { g: 'a' }, single)),
    ];
    expect(proxy.injected.throttle).toBeGreaterThan(0);
    expect(got).toEqual(['READ_FAILED', 'READ_FAILED']);
  });
});
