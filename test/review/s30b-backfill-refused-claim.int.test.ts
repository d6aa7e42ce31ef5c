// Review s30b: an item the backfill claimed and the store then refused (a sum past 38 digits: NUMBER_UNREPRESENTABLE)
// is dead-lettered by the backfill and is in no row of the version, but its claim kept the image the scan read.
// The item's next stream record (in the claim window) then took that image as counted: a MODIFY subtracted it
// ('full') from rows that never held it, a trace of an item "that cannot be counted" (DESIGN.md: none may be left),
// and the item counted wrongly for good (the backfill's letter is not replayable). Now, once the chunk's progress is
// written, the claim of an item the store refused in every row is made a claim of nothing, as an item the fold
// refuses is left unclaimed: the stream counts it from its next change as an item never counted (its new image).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide } from '../../packages/dynotally/src/versions/index.ts';
import { counterCells } from '../apply/budget-support.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { streamRecords } from './s30b-records.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const amounts = defineRollup({
  name: 'amounts',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
});

describe('an item the backfill claimed and the store refused', () => {
  it('is counted from its next change as an item never counted, not subtracted', async () => {
    const s = streamRecords(() => Date.now());
    // b existed before the version; a is inserted after its registration (the stream's, claimed live)
    const b = s.put('b', { g: { S: 'big' }, amount: { N: '1e-20' } }, 60);
    const insertA = s.put('a', { g: { S: 'big' }, amount: { N: '1e20' } });
    const image = (r: typeof b) => r.dynamodb?.NewImage as Record<string, AttributeValue>;
    const t = await buildingTables(clients.ddb, 's30b-refc', [image(b), image(insertA)], amounts.compiled);
    const dlt = uniqueTableName('s30b-refc-dl');
    await createDeadLetterTable(clients.ddb, dlt);
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table: t.table,
      claimTable: t.claimTable,
      rollups: [amounts],
    });
    const shardId = 'shardId-1';
    await side.apply({ records: [insertA], shardId });
    // the scan claims b; its row holds 1e20 (a), and 1e20 + 1e-20 needs 41 digits: b is refused
    const report = await runBackfill({
      client: clients.ddb,
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup: amounts,
      segments: 1,
      settleMs: 0,
      deadLetter: new DynamoDbDeadLetterSink(clients.ddb, dlt),
    });
    expect(report.complete).toBe(true);
    expect(report.progress.uncountableCodes).toEqual({ NUMBER_UNREPRESENTABLE: 1 });
    expect((await listDeadLetters({ client: clients.ddb, table: dlt })).map((l) => l.code)).toEqual([
      'NUMBER_UNREPRESENTABLE',
    ]);
    expect(await counterCells(clients.ddb, t.table)).toEqual({
      'amounts#sbig|n': '1',
      'amounts#sbig|total': '100000000000000000000',
    });
    // a goes, and b's amount is fixed (inside the claim window)
    const out = await side.apply({
      records: [s.remove('a'), s.put('b', { g: { S: 'big' }, amount: { N: '2' } })],
      shardId,
    });
    expect(out.poison).toEqual([]);
    // the oracle from the source: b alone, amount 2. Before the fix: n 0, total 1.99999999999999999999 (b's scanned
    // image subtracted from a row that never held it)
    expect(await counterCells(clients.ddb, t.table)).toEqual({
      'amounts#sbig|n': '1',
      'amounts#sbig|total': '2',
    });
  });
});
