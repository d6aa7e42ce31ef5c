import { afterAll, describe, expect, it } from 'vitest';
import { patientTestClient, testClients, uniqueTableName } from '../../test/support/ddb.ts';
import { computeOracle, diffCanonical } from '../oracle/index.ts';
import { finalItems, generateWorkload, recordBatches, toStreamRecords } from '../workload/index.ts';
import { createNaiveContender } from './naive.ts';

describe('naive contender on DynamoDB Local', () => {
  const { ddb, destroy } = testClients();
  afterAll(destroy);

  const ops = generateWorkload({ seed: 606, events: 300 });
  const batches = Array.from(recordBatches(toStreamRecords(ops), 100));
  const expected = computeOracle(finalItems(ops));

  it('matches the oracle, and counts a redelivered batch twice', { timeout: 360_000 }, async () => {
    const naive = createNaiveContender({ tableName: uniqueTableName('naive-agg'), concurrency: 16 });
    // plain ADDs: a request re-sent after a timeout would land twice (patientTestClient waits instead)
    await naive.setup(await patientTestClient());
    for (const batch of batches) await naive.handle(batch);
    expect(diffCanonical(expected, await naive.readCanonical(ddb))).toEqual([]);

    const redelivered = batches[0]!;
    await naive.handle(redelivered);
    const after = await naive.readCanonical(ddb);
    const wrong = diffCanonical(expected, after);
    expect(wrong.length).toBeGreaterThan(0);
    // The all-time totals grew by the redelivered batch's net inserts: every one counted twice.
    const net = redelivered.records.reduce(
      (sum, r) => sum + (r.eventName === 'INSERT' ? 1 : r.eventName === 'REMOVE' ? -1 : 0),
      0,
    );
    const allTime = (m: Map<string, number>): number =>
      [...m].filter(([key]) => key.includes('|all|')).reduce((sum, [, value]) => sum + value, 0);
    expect(allTime(after)).toBe(allTime(expected) + net);
  });
});
