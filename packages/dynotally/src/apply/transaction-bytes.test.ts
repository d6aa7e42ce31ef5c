// The `transaction` strategy's cutter (transactionChunk) bounds a chunk by bytes as well as by rows: DynamoDB refuses
// a TransactWriteItems over 4 MB of items on every retry, and DynamoDB Local does not, so the cut is what is
// asserted here. Rows are counted at the most their kind can hold (rowBytesBound): nothing on this path knows a
// row's size. Before, 30 rows of a rollup keeping a last() string (each up to ~400 KB) went in one transaction.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { type Change, decodeRecord } from '../decode/index.ts';
import { count, defineRollup, last } from '../definition/index.ts';
import { Folder } from '../fold/index.ts';
import { DYNAMO_LIMITS } from '../layout/dynamo-limits.ts';
import { Applier } from './applier.ts';
import { MAX_ROWS_PER_TRANSACTION, transactionChunk } from './apply-transactional.ts';
import {
  knownRowBytes,
  rowBytesBound,
  TRANSACTION_BYTES_BUDGET,
  WATERMARK_ITEM_BYTES,
} from './transaction-bytes.ts';

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

const ctx = (r: typeof labels) => ({
  table: 'aggregates',
  source: 'arn:stream',
  shardId: 'shard-0',
  now: 1_763_800_060_000,
  folder: new Folder([r.compiled]),
});

/** Every chunk the strategy would send for `changes`, as if each committed. */
function chunks(changes: readonly Change[], r: typeof labels) {
  const out: ReturnType<typeof transactionChunk>[] = [];
  let pending = changes;
  let watermark: string | undefined;
  while (pending.length > 0) {
    const next = transactionChunk(pending, watermark, ctx(r));
    out.push(next);
    pending = pending.slice(next.chunk.length);
    watermark = next.last;
  }
  return out;
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
    const bound = rowBytesBound(labels.compiled, kind);
    const all = chunks(inserts(30), labels);
    // was: one transaction of 30 rows (up to 12 MB): refused by DynamoDB on every retry
    expect(all.length).toBeGreaterThan(1);
    for (const { plan, input } of all) {
      expect(plan.rows.length * bound + WATERMARK_ITEM_BYTES).toBeLessThanOrEqual(TRANSACTION_BYTES_BUDGET);
      // the watermark item goes with its chunk: the last action moves it to the chunk's last record
      expect(JSON.stringify(input.TransactItems?.at(-1))).toContain('~wm#shard-0');
    }
    expect(all[0]?.plan.rows.length).toBe(
      Math.floor((TRANSACTION_BYTES_BUDGET - WATERMARK_ITEM_BYTES) / bound),
    );
    // every record in exactly one chunk, in order
    expect(all.flatMap((c) => c.chunk.map((ch) => ch.sequenceNumber))).toEqual(
      inserts(30).map((ch) => ch.sequenceNumber),
    );
  });

  it('still puts 99 small rows in one transaction', () => {
    const all = chunks(inserts(120), counts);
    expect(all.map((c) => c.plan.rows.length)).toEqual([
      MAX_ROWS_PER_TRANSACTION,
      120 - MAX_ROWS_PER_TRANSACTION,
    ]);
  });

  it('sizes a known row from its item, with the cells the write adds and a margin', () => {
    const item = { pk: { S: 'labels#sg1' }, sk: { S: 'ALL' }, label: { S: 'x'.repeat(100_000) } };
    const bytes = knownRowBytes(item, ['n', 'label']);
    expect(bytes).toBeGreaterThan(100_000 + 2 + 21);
    expect(bytes).toBeLessThan(115_000);
    expect(knownRowBytes({ ...item, label: { S: 'x'.repeat(399_000) } }, [])).toBe(DYNAMO_LIMITS.itemBytes);
  });
});

describe('one record that could pass 4 MB alone', () => {
  const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9' }); // never sent to
  afterAll(() => client.destroy());
  const make = (n: number) =>
    new Applier({
      client,
      table: 'aggregates',
      strategy: 'transaction',
      rollups: Array.from({ length: n }, (_, i) => rollup(`labels${i}`, true)),
    });

  it('is refused when the applier is made (CONFIG_INVALID), not by a shard retrying forever', () => {
    // a change of group touches each rollup's row twice: 5 rollups make 10 rows of up to ~400 KB each
    expect(() => make(5)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/4 MB of items/),
        details: expect.objectContaining({ limit: TRANSACTION_BYTES_BUDGET }),
      }),
    );
    expect(() => make(4)).not.toThrow();
  });
});
