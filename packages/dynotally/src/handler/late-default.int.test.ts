// The Lambda handler's built-in applier dead-letters late records by default (`lateRecords: 'dead-letter'`): a
// deployment without the CDK construct and without a maximum record age on its mapping can be delivered a record
// after its shard's exactly-once state was pruned from the rows (see apply/late-records.ts), and applying it could
// count it twice. `lateRecords: 'apply'` counts it; a ready write side keeps its own setting (the Applier's default
// is `'dead-letter'` too since 0.2.0: review s28r, H2).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import {
  countedJobs,
  HOUR,
  LATE_NOW,
  lateJobs,
  silent,
  writtenAgo,
} from '../../../../test/support/late-jobs.ts';
import { Applier } from '../apply/index.ts';
import type { DeadLetter } from '../dead-letter/index.ts';
import { createAggregateTable } from '../tables/index.ts';
import { createStreamHandler } from './index.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

// one record an hour old, one 25 h old (past 24 h 30 min: late)
const batch = [writtenAgo('100', 25 * HOUR), writtenAgo('200', HOUR)];

async function run(options: { lateRecords?: 'apply' | 'dead-letter'; ready?: 'default' | 'apply' }) {
  const table = uniqueTableName('late-default');
  await createAggregateTable(clients.ddb, table);
  const letters: DeadLetter[] = [];
  const deadLetter = { send: async (ls: readonly DeadLetter[]) => void letters.push(...ls) };
  const common = { rollups: [lateJobs], client: clients.ddb, table, now: () => LATE_NOW };
  const ready = options.ready === 'apply' ? { ...common, lateRecords: 'apply' as const } : common;
  const handler = options.ready
    ? createStreamHandler({ applier: new Applier(ready), deadLetter, logger: silent })
    : createStreamHandler({ ...common, deadLetter, logger: silent, lateRecords: options.lateRecords });
  const response = await handler({ Records: batch, shardId: 'shard-1' });
  expect(response.batchItemFailures).toEqual([]);
  return { n: await countedJobs(clients.ddb, table), codes: letters.map((l) => l.code) };
}

describe('the handler and late records', () => {
  it('dead-letters a record older than 24 h 30 min by default, and counts the rest', async () => {
    expect(await run({})).toEqual({ n: '1', codes: ['RECORD_TOO_OLD'] });
  });

  it("counts it with lateRecords: 'apply'", async () => {
    expect(await run({ lateRecords: 'apply' })).toEqual({ n: '2', codes: [] });
  });

  it("leaves a ready write side's own setting alone: an Applier told 'apply' counts it", async () => {
    expect(await run({ ready: 'apply' })).toEqual({ n: '2', codes: [] });
  });

  it("a ready Applier's own default dead-letters it too", async () => {
    expect(await run({ ready: 'default' })).toEqual({ n: '1', codes: ['RECORD_TOO_OLD'] });
  });
});
