import { describe, expect, it } from 'vitest';
import type { DevStack } from './dev-stack.ts';
import { firstScreen } from './first-screen.ts';

/** The fields firstScreen reads, for a stack over your own rollups on a DynamoDB it did not start. */
function stackOn(endpoint: string): DevStack {
  return {
    url: 'http://127.0.0.1:4700',
    dashboard: { pageUrl: 'http://127.0.0.1:4700', port: 4700, beyondLoopback: false },
    endpoint,
    dynamoDbLocal: undefined,
    scenarios: [],
    historyEvents: 0,
    tables: {
      source: 'orders',
      aggregate: 'orders-aggregates',
      deadLetter: 'orders-dead-letters',
      leases: 'orders-leases',
    },
    rollups: [{ compiled: { name: 'orders', groupAttributes: ['storeId'] } }],
    runner: { stats: () => [] },
    workerStats: () => ({ workerId: 'w-1', shards: [{ shardId: 'shard-1' }] }),
    s4: { mode: 'direct', describe: '', workerOptions: undefined },
  } as unknown as DevStack;
}

describe('firstScreen', () => {
  it('says where a DynamoDB the stack did not start comes from: a flag, the environment or the config file', () => {
    // `dev --scenarios none -c dynotally.config.ts` with `endpoint` in the configuration said "given with
    // --endpoint", though no flag was given.
    const screen = firstScreen(stackOn('http://127.0.0.1:8000'));
    expect(screen).toContain(
      "  DynamoDB    http://127.0.0.1:8000 (yours, not started here: --endpoint, DYNOTALLY_ENDPOINT or the configuration's endpoint)",
    );
    expect(screen).toContain(
      'npx dynotally query total orders --group storeId=… --all --endpoint http://127.0.0.1:8000',
    );
  });

  it('says when another worker holds the shards, which then fold elsewhere', () => {
    // `dev --scenarios none` beside the guide's `dynotally worker` (same lease table) said "the source table's
    // stream has 0 shards" and then read no record, without saying why
    const stack = stackOn('http://127.0.0.1:8000');
    const busy = {
      ...stack,
      workerStats: () => ({ workerId: 'w-2', shards: [], heldByOthers: 1 }),
    } as unknown as DevStack;
    expect(firstScreen(busy)).toContain(
      "the source table's stream has 1 shard\n              1 shard of them leased by another worker on orders-leases (a 'dynotally worker' still running?), which folds their records instead of this stack\n",
    );
    expect(firstScreen(stack)).not.toContain('leased by another worker');
  });
});
