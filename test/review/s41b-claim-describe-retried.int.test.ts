// Review s41b: a backfill's `DescribeTable` of its claim table (`requireTable`, tables/existing-table.ts, since s40b)
// and of its source table were sent once: a throttled DescribeTable (it shares a small per-account rate with every
// other control-plane call) or a dropped connection failed the run, while every other request of the run (scans,
// claims, control items) is retried with backoff (`withRetry`).
// Observed (main): the run failed with ThrottlingException on the claim table's first DescribeTable.
// Expected: retried like the rest (a few attempts with backoff), the run completes.
// Fixed: `describeTable` calls in `requireTable` and runBackfill's source check go through `withRetry`
// (tables/existing-table.ts, backfill/run-backfill.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { storeCount } from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T0 = Date.UTC(2026, 11, 1);
const items = Array.from({ length: 6 }, (_, i) => ({
  id: { S: `o-${i}` },
  storeId: { S: 's-0' },
  t: { N: String(T0 + i) },
}));

/** A client whose first DescribeTable of each table named in `throttled` is refused as throttled. */
const throttlingClient = async (throttled: string[]) => {
  const client = new DynamoDBClient(localClientConfig(await ddbReady()));
  const seen = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = (args.input as { TableName?: string }).TableName ?? '';
      if (context.commandName === 'DescribeTableCommand' && throttled.includes(name) && !seen.has(name)) {
        seen.add(name);
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'throttleFirstDescribe' },
  );
  return client;
};

describe("a backfill's DescribeTable throttled once", () => {
  it('retries the claim table check and the source check like its other requests', async () => {
    const t = await buildingTables(clients.ddb, 's41b-describe', items, storeCountRollup.compiled);
    const client = await throttlingClient([t.claimTable, t.source]);
    try {
      const report = await runBackfill({ ...t, client, rollup: storeCountRollup, segments: 1, settleMs: 0 });
      expect(report.complete).toBe(true);
    } finally {
      client.destroy();
    }
    expect(await storeCount(clients.ddb, t.table)).toBe('6');
  });
});
