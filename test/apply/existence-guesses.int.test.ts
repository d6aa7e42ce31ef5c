// PartiQL has no upsert: a row the applier does not know is sent as an INSERT (refused with DuplicateItem when
// it is stored) or as an UPDATE (refused, without the item, when it is not), and either refusal costs a write
// unit and a second statement. Another shard's applier, or a Lambda container after a cold start, meets rows
// it never wrote that are stored all the same: the applier learns per row kind which guess is right, both
// ways, and the counts stay exact whatever it guesses.
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { tallySent } from '../support/sent-tally.ts';
import { insertRecords } from './insert-record.ts';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 240_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const refused = tallySent(clients.ddb);

const rollup = defineRollup({
  name: 'guess',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});
const NOW = 1_763_800_060_000;
const insert = insertRecords();
/** One INSERT for each of groups `${prefix}${from}` … `${prefix}${to - 1}`. */
const groups = (prefix: string, from: number, to: number): DynamoDBRecord[] =>
  Array.from({ length: to - from }, (_, i) =>
    insert(`${prefix}${from + i}-${Math.random()}`, { g: { S: `${prefix}${from + i}` } }),
  );

describe('unknown rows on the PartiQL path', () => {
  it('are guessed stored or new per row kind, from how the guesses turned out', async () => {
    const table = uniqueTableName('guesses');
    await createAggregateTable(clients.ddb, table);
    const applier = () => new Applier({ client: clients.ddb, table, rollups: [rollup], now: () => NOW });
    // shard A creates the rows of 60 groups
    await applier().apply({ records: groups('g', 0, 60), shardId: 'shardId-a' });
    // shard B's applier knows none of them
    const b = applier();
    const batch = async (records: DynamoDBRecord[]) => {
      refused.reset();
      const { report } = await b.apply({ records, shardId: 'shardId-b' });
      return {
        duplicate: refused.duplicate,
        missing: refused.missing,
        units: report.writeUnits,
        rows: report.rowsWritten,
      };
    };
    // nothing learnt yet: INSERTs, refused for every stored row (a unit each, on top of the write)
    expect(await batch(groups('g', 0, 20))).toEqual({ duplicate: 20, missing: 0, units: 40, rows: 20 });
    // stored rows of the same kind are now sent as UPDATEs: no refusal
    expect(await batch(groups('g', 20, 40))).toEqual({ duplicate: 0, missing: 0, units: 20, rows: 20 });
    // new rows: the UPDATEs find no row (40 stored against 20 new so far), then 40 against 40: INSERTs again
    expect(await batch(groups('n', 0, 20))).toEqual({ duplicate: 0, missing: 20, units: 40, rows: 20 });
    expect(await batch(groups('n', 20, 40))).toEqual({ duplicate: 0, missing: 20, units: 40, rows: 20 });
    expect(await batch(groups('n', 40, 60))).toEqual({ duplicate: 0, missing: 0, units: 20, rows: 20 });
    // every group counted exactly: two records for g0–g39, one for the rest
    const counts = Object.fromEntries(
      (await scanTable(clients.ddb, table)).map((it) => [it.pk?.S?.split('#s')[1], Number(it.n?.N)]),
    );
    const expected: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      expected[`g${i}`] = i < 40 ? 2 : 1;
      expected[`n${i}`] = 1;
    }
    expect(counts).toEqual(expected);
  });
});
