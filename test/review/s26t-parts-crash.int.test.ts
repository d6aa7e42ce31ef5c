// Review s26t (the rebuilt `transaction` strategy): a record whose rows pass one transaction's 4 MB goes in parts
// of whole rollups (`wholeRollupsWithin`), each part moving only its own rollups' `~wt#` items. Hypothesis: a crash
// between two parts, then a redelivery cut differently (Lambda's bisection: the record alone, then the batch) or
// under the other strategy, counts the first part's rows twice or loses the second's. Not so: each rollup's rows
// start after that rollup's item, and the rows the first part wrote are marked, so `row-watermark` sends them the
// transactional way (plain tests, kept as a regression guard). Oracle: each rollup's count and latest label per
// group, recomputed from the records.
// Rows here may hold a 400 KB last() string (their kind's bound), so one record's 10 rows are two parts: 9 + 1.
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { Applier, type ExactlyOnceStrategy } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, last } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { scanTable, uniqueTableName } from '../support/ddb.ts';
import { faultyTestClients } from '../support/faults.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const { clients, faulty, faults } = faultyTestClients(); // destroyed after the file by the helper

const ROLLUPS = Array.from({ length: 10 }, (_, i) =>
  defineRollup({
    name: `r${i}`,
    groupBy: 'g',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['all'],
    measures: { n: count(), label: last('label') },
  }),
);
const NOW = 1_763_800_060_000;

function applier(client: typeof clients.ddb, table: string, strategy: ExactlyOnceStrategy) {
  return new Applier({
    client,
    table,
    rollups: ROLLUPS,
    strategy,
    write: { api: 'update-item' },
    concurrency: 1,
    retry: { maxAttempts: 1 },
    now: () => NOW,
  });
}

/** Each rollup's count and label per group, as stored. */
async function stored(table: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of await scanTable(clients.ddb, table)) {
    const pk = item.pk?.S as string;
    if (pk.startsWith('~')) continue;
    out[pk] = `${item.n?.N}:${item.label?.S}`;
  }
  return out;
}

/** The oracle: every record counted once in every rollup, the latest label kept. */
function oracle(records: readonly DynamoDBRecord[]): Record<string, string> {
  const out: Record<string, { n: number; label: string }> = {};
  for (const r of records) {
    const img = r.dynamodb?.NewImage as Record<string, { S?: string }>;
    for (const { name } of ROLLUPS) {
      const key = `${name}#s${img.g?.S}`;
      const o = out[key] ?? { n: 0, label: '' };
      out[key] = { n: o.n + 1, label: img.label?.S ?? '' };
    }
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, `${v.n}:${v.label}`]));
}

type Step = { strategy: ExactlyOnceStrategy; take: 'x' | 'xy' | 'y' };
const REDELIVERIES: Array<[string, Step[]]> = [
  [
    'the record alone (bisected), then the batch',
    [
      { strategy: 'transaction', take: 'x' },
      { strategy: 'transaction', take: 'xy' },
    ],
  ],
  ['the batch under row-watermark', [{ strategy: 'row-watermark', take: 'xy' }]],
  [
    'the record alone under row-watermark, then the batch under transaction, then y again',
    [
      { strategy: 'row-watermark', take: 'x' },
      { strategy: 'transaction', take: 'xy' },
      { strategy: 'transaction', take: 'y' },
    ],
  ],
];

describe('s26t: a crash between the parts of one record’s transactions', () => {
  it.each(REDELIVERIES)('then %s: every rollup counts each record once', async (_, steps) => {
    const table = uniqueTableName('s26t-parts');
    await createAggregateTable(clients.ddb, table);
    const insert = insertRecords();
    const x = insert('x', { g: { S: 'gx' }, label: { S: 'lx' } });
    const y = insert('y', { g: { S: 'gx' }, label: { S: 'ly' } });
    faults.crashFrom(2, 'fatal'); // x's first part (rollups r0–r8) commits, the process dies before r9's
    await expect(
      applier(faulty.ddb, table, 'transaction').apply({ records: [x, y], shardId: 'S1' }),
    ).rejects.toThrow();
    expect(faults.accepted).toEqual(['TransactWriteItemsCommand']);
    faults.heal();
    const half = await stored(table);
    expect(Object.keys(half)).toHaveLength(9); // the crash left a half-applied record
    for (const { strategy, take } of steps) {
      const records = take === 'x' ? [x] : take === 'y' ? [y] : [x, y];
      await applier(clients.ddb, table, strategy).apply({ records, shardId: 'S1' });
    }
    expect(await stored(table)).toEqual(oracle([x, y]));
  });
});
