// A batch that folds anything reads the shard's exclusion entries and looks every record of the batch up in them.
// A record whose sequence number is missing or malformed is poison (dead-lettered, the rest applied): it must not
// make that look-up throw, or the whole batch fails on every delivery while the shard holds an entry.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { emptyReport } from '../../packages/dynotally/src/apply/apply-report.ts';
import { recordExclusion } from '../../packages/dynotally/src/apply/exclusions.ts';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { allTimeRollup, counterCells } from './budget-support.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const kinds = allTimeRollup('kinds', 'kind', false);

describe('a malformed record beside a stored exclusion', () => {
  it.each([
    ['missing', undefined],
    ['not digits', '12ab'],
  ])('(sequence number %s) is poison and the rest of the batch is applied', async (_, seq) => {
    const table = uniqueTableName('wx-bad-seq');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({ lateRecords: 'apply', client: clients.ddb, table, rollups: [kinds] });
    const insert = insertRecords();
    const good = insert('a', { kind: { S: 'k' } });
    // an earlier delivery's refusal of another record of this shard, still within the horizon
    await recordExclusion(
      { seq: '999'.padStart(40, '0'), rows: [], tooLarge: false, at: 1_763_800_000 },
      {
        client: clients.ddb,
        table,
        now: Date.now(),
        report: emptyReport(0),
        source: good.eventSourceARN as string,
        shardId: 'shard-0',
        rollups: ['kinds'],
      },
    );
    const bad = insert('b', { kind: { S: 'k' } });
    if (seq === undefined) delete bad.dynamodb?.SequenceNumber;
    else if (bad.dynamodb !== undefined) bad.dynamodb.SequenceNumber = seq;
    const { poison } = await applier.apply({ records: [good, bad], shardId: 'shard-0' });
    expect(poison.map((p) => p.error.code)).toEqual(['RECORD_MALFORMED']);
    expect(await counterCells(clients.ddb, table)).toEqual({ 'kinds#sk|n': '1' });
  });
});
