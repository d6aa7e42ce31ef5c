// `createVersionedWriteSide` is fed by a stream (the CLI worker, the dev stack, a Lambda given it as its write side),
// so its appliers dead-letter a record older than 24 h 30 min by default, as the Applier does since review s28r
// (H2): applied after its shard's states or take-back markers were pruned, it could count twice or be taken back
// twice. `apply: { lateRecords: 'apply' }` counts it (tests and jobs feeding old stream times on purpose).

import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { testClients, uniqueTableName } from '../../../../test/support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, writtenAgo } from '../../../../test/support/late-jobs.ts';
import { createAggregateTable } from '../tables/index.ts';
import { createVersionedWriteSide } from './index.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** {@link writtenAgo}, its age counted back from this process's clock (for a side given no `now`). */
function agedNow(seq: string, ageMs: number): DynamoDBRecord {
  const r = writtenAgo(seq, ageMs);
  const shift = (Date.now() - LATE_NOW) / 1000;
  const at = (r.dynamodb?.ApproximateCreationDateTime as number) + shift;
  return { ...r, dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: at } };
}

async function run(lateRecords: 'apply' | undefined) {
  const table = uniqueTableName('versioned-late');
  await createAggregateTable(clients.ddb, table);
  const side = createVersionedWriteSide({
    client: clients.ddb,
    table,
    rollups: [lateJobs],
    ...(lateRecords === undefined ? {} : { apply: { lateRecords } }),
  });
  // one record an hour old, one 25 h old (past 24 h 30 min: late)
  const { poison } = await side.apply({
    records: [agedNow('100', 25 * HOUR), agedNow('200', HOUR)],
    shardId: 'shard-1',
  });
  return { n: await countedJobs(clients.ddb, table), codes: poison.map((p) => p.error.code) };
}

describe('createVersionedWriteSide and late records', () => {
  it('dead-letters a record older than 24 h 30 min by default, and counts the rest', async () => {
    expect(await run(undefined)).toEqual({ n: '1', codes: ['RECORD_TOO_OLD'] });
  });

  it("counts it with apply: { lateRecords: 'apply' }", async () => {
    expect(await run('apply')).toEqual({ n: '2', codes: [] });
  });

  it("tells late records by the side's own `now`, which its appliers share", async () => {
    const table = uniqueTableName('versioned-late-now');
    await createAggregateTable(clients.ddb, table);
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table,
      rollups: [lateJobs],
      now: () => LATE_NOW,
    });
    // 25 h and 1 h before the side's clock (not this process's): the first is late by it
    const { poison } = await side.apply({
      records: [writtenAgo('100', 25 * HOUR), writtenAgo('200', HOUR)],
      shardId: 'shard-1',
    });
    expect(poison.map((p) => p.error.code)).toEqual(['RECORD_TOO_OLD']);
    expect(await countedJobs(clients.ddb, table)).toBe('1');
  });
});
