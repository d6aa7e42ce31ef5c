// The `transaction` strategy's transactions (planned by plannedTransactions, as writeTransactionalRows cuts them) are
// bounded by bytes as well as by items: DynamoDB refuses a TransactWriteItems over 4 MB of items on every retry, and
// DynamoDB Local does not, so the cut is what is asserted here. Rows of unknown size count at the most their kind
// can hold with the state budget (rowBytesBound). Before, 30 rows of a rollup keeping a last() string (each up to
// ~400 KB) went in one transaction.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { type Change, decodeRecord } from '../decode/index.ts';
import { count, defineRollup, last } from '../definition/index.ts';
import { Coalescer, Folder } from '../fold/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { planWrites } from '../plan/index.ts';
import { Applier } from './applier.ts';
import { shardStateAttrs } from './shard-state.ts';
import {
  knownRowBytes,
  rowBytesBound,
  TRANSACTION_BYTES_BUDGET,
  WATERMARK_ITEM_BYTES,
} from './transaction-bytes.ts';
import { plannedTransactions } from './transaction-plan.ts';
import { DEFAULT_STATE_BUDGET_BYTES } from './transactional-rows.ts';

const rollup = (name: string, withLast: boolean) =>
  defineRollup({
    name,
    groupBy: 'g',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['all'],
    measures: withLast ? { n: count(), label: last('label') } : { n: count() },
  });
const labels = rollup('labels', true);
const counts = rollup('counts', false);

function inserts(n: number): Change[] {
  return Array.from({ length: n }, (_, i) => {
    const record: DynamoDBRecord = {
      eventID: `e${i}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventSourceARN: 'arn:aws:dynamodb:local:000000000000:table/src/stream/2026-01-01T00:00:00.000',
      dynamodb: {
        Keys: { id: { S: `id${i}` } },
        NewImage: { id: { S: `id${i}` }, g: { S: `g${i}` }, label: { S: 'x' }, t: { N: '1763800000000' } },
        SequenceNumber: String(1001 + i),
        ApproximateCreationDateTime: 1_763_800_000,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    return decodeRecord(record);
  });
}

/** Every transaction the strategy would send for `changes` on an empty table, as if each committed. */
function transactions(changes: readonly Change[], r: typeof labels) {
  const folder = new Folder([r.compiled]);
  const co = new Coalescer();
  for (const ch of changes) folder.fold(ch, co);
  folder.release();
  const rows = planWrites(co, { now: 0 }).rows.map((w) => ({ rollup: w.rollup, pk: w.pk, sk: w.sk }));
  const ctx = {
    table: 'aggregates',
    source: 'arn:stream',
    shardId: 'shard-0',
    now: 1_763_800_060_000,
    attrs: shardStateAttrs('arn:stream', 'shard-0'),
    folder,
  };
  return plannedTransactions(rows, changes, new Map(), ctx).map((input) => input.TransactItems ?? []);
}

describe('the transaction strategy cuts chunks by bytes', () => {
  it('counts a row of unknown size at the most its kind can hold, never above 400 KB', () => {
    const kind = labels.compiled.rows[0] as (typeof labels.compiled.rows)[number];
    const bound = rowBytesBound(labels.compiled, kind);
    // the last() string may fill what the other cells leave of 400 KB (lastValueMaxBytes)
    expect(bound).toBeGreaterThan(300_000);
    expect(bound).toBeLessThanOrEqual(DYNAMO_LIMITS.itemBytes);
    expect(rowBytesBound(labels.compiled, kind, 1_000_000)).toBe(DYNAMO_LIMITS.itemBytes);
    expect(TRANSACTION_BYTES_BUDGET).toBe(4 * 1024 * 1024 - 100 * 4096);
  });

  it('puts no more rows of a last() string in one transaction than 4 MB can hold', () => {
    const kind = labels.compiled.rows[0] as (typeof labels.compiled.rows)[number];
    const bound = rowBytesBound(labels.compiled, kind, DEFAULT_STATE_BUDGET_BYTES);
    const all = transactions(inserts(30), labels);
    // was: one transaction of 30 rows (up to 12 MB): refused by DynamoDB on every retry
    expect(all.length).toBeGreaterThan(1);
    for (const items of all) {
      expect((items.length - 1) * bound + WATERMARK_ITEM_BYTES).toBeLessThanOrEqual(TRANSACTION_BYTES_BUDGET);
      // the rollup's watermark item goes with its rows: the last action moves it to the transaction's last record
      expect(JSON.stringify(items.at(-1))).toContain('~wt#');
    }
    expect((all[0]?.length ?? 0) - 1).toBe(
      Math.floor((TRANSACTION_BYTES_BUDGET - WATERMARK_ITEM_BYTES) / bound),
    );
    // every row in exactly one transaction
    expect(all.reduce((n, items) => n + items.length - 1, 0)).toBe(30);
  });

  it('still puts 99 small rows in one transaction', () => {
    const all = transactions(inserts(120), counts);
    expect(all.map((items) => items.length - 1)).toEqual([99, 120 - 99]);
  });

  it('sizes a known row from its item, with the cells the write adds and a margin', () => {
    const item = { pk: { S: 'labels#sg1' }, sk: { S: 'ALL' }, label: { S: 'x'.repeat(100_000) } };
    const bytes = knownRowBytes(item, ['n', 'label']);
    expect(bytes).toBeGreaterThan(100_000 + 2 + 21);
    expect(bytes).toBeLessThan(115_000);
    expect(knownRowBytes({ ...item, label: { S: 'x'.repeat(399_000) } }, [])).toBe(DYNAMO_LIMITS.itemBytes);
  });
});

describe('one record whose rows of one rollup could pass 4 MB alone', () => {
  const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }); // never sent to
  afterAll(() => client.destroy());
  const SECOND_TO_ALL = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year', 'all'] as const;
  // a last() string, 5 row kinds (4 from minute up), and rows allowed 300 KB of exactly-once state: each kind may
  // hold 340–400 KB, and a change of group touches each twice
  const wide = (name: string, from: number) =>
    defineRollup({
      name,
      groupBy: 'g',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: SECOND_TO_ALL.slice(from),
      measures: { n: count(), label: last('label') },
    });
  const make = (rollups: ReturnType<typeof wide>[]) =>
    new Applier({ client, table: 'aggregates', strategy: 'transaction', stateBudgetBytes: 300_000, rollups });

  it('is refused when the applier is made (CONFIG_INVALID), not by a record dead-lettered each time', () => {
    expect(() => make([wide('wide', 0)])).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/rollup 'wide'.*4 MB of items/),
        details: expect.objectContaining({ limit: TRANSACTION_BYTES_BUDGET }),
      }),
    );
    // rollups whose rows pass 4 MB only together go in parts of whole rollups: accepted
    expect(() => make([wide('a', 1), wide('b', 1), wide('c', 1)])).not.toThrow();
  });
});
