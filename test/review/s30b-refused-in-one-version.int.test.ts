// Review s30b: a record the store refuses in one version only (a sum past 38 digits in the version under backfill,
// which sums what the serving version only counts) is counted by the serving version's applier and refused by the
// other's. Its letter must name only the refused version's rows: before the fix it named none (the refusal's
// take-back left no row holding it, which for one applier means "every row"), so the replay added the record to
// every version, the serving one a second time.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { toDeadLetter } from '../../packages/dynotally/src/apply/applier.ts';
import {
  DynamoDbDeadLetterSink,
  listDeadLetters,
  replayDeadLetters,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createDeadLetterTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { counterCells } from '../apply/budget-support.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { S30B_STREAM, streamRecords } from './s30b-records.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const time = { attribute: 't', format: 'epoch-millis' } as const;
const counting = defineRollup({
  name: 'totals',
  groupBy: 'g',
  time,
  granularities: ['all'],
  measures: { n: count() },
});
const summing = defineRollup({
  name: 'totals',
  groupBy: 'g',
  time,
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
});

describe('a record refused in one version and counted in another', () => {
  it.each([
    ['the version under backfill', counting, summing],
    ['the serving version', summing, counting],
  ])('refused in %s: replayed into that version only', async (_, v1, v2) => {
    const table = uniqueTableName('s30b-one');
    const claims = uniqueTableName('s30b-one-claims');
    const dlt = uniqueTableName('s30b-one-dl');
    await createAggregateTable(clients.ddb, table);
    await createClaimTable(clients.ddb, claims);
    await createDeadLetterTable(clients.ddb, dlt);
    const sink = new DynamoDbDeadLetterSink(clients.ddb, dlt);
    const s = streamRecords(() => Date.now());
    const shardId = 'shardId-1';
    // version 1 serves (counting); version 2 (counting and summing) is registered building by the next deployment
    const old = createVersionedWriteSide({ client: clients.ddb, table, rollups: [v1] });
    await old.apply({ records: [s.put('z', { g: { S: 'other' }, amount: { N: '1' } })], shardId });
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table,
      claimTable: claims,
      rollups: [v1, v2],
    });
    await side.apply({ records: [s.put('a', { g: { S: 'big' }, amount: { N: '1e20' } })], shardId });
    // d: the summing version's sum 1e20 + 1e-19 needs 40 digits; the other counts it
    const d = s.put('d', { g: { S: 'big' }, amount: { N: '1e-19' } });
    const out = await side.apply({ records: [d], shardId });
    expect(out.poison.map((p) => p.error.code)).toEqual(['NUMBER_UNREPRESENTABLE']);
    // as the handler sends what a ready write side returns
    await sink.send(out.poison.map((p) => toDeadLetter(p, S30B_STREAM, shardId, Date.now())));
    const summed = v1 === summing ? 'totals#sbig' : 'totals.v2#sbig';
    const counted = v1 === summing ? 'totals.v2#sbig' : 'totals#sbig';
    expect(await counterCells(clients.ddb, table)).toMatchObject({
      [`${counted}|n`]: '2',
      [`${summed}|n`]: '1',
      [`${summed}|total`]: '100000000000000000000',
    });
    // a leaves: version 2 can take d now
    await side.apply({ records: [s.remove('a')], shardId });
    const letters = await listDeadLetters({ client: clients.ddb, table: dlt });
    expect(letters).toHaveLength(1);
    const results = await replayDeadLetters({
      client: clients.ddb,
      deadLetterTable: dlt,
      table,
      claimTable: claims,
      rollups: [v1, v2],
      all: true,
    });
    expect(results.map((r) => r.outcome)).toEqual(['replayed']);
    // the items left in group big: d. The counting version counted it when it came, the summing one gets it by
    // the replay (z is version 2's backfill's, not run here). Before the fix the counting row held d twice: n 2
    const cells = await counterCells(clients.ddb, table);
    expect(cells[`${counted}|n`]).toBe('1');
    expect(cells[`${summed}|n`]).toBe('1');
    expect(cells[`${summed}|total`]).toBe('0.0000000000000000001');
  });
});
