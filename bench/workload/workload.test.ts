import { describe, expect, it } from 'vitest';
import {
  DEFAULT_START_MS,
  finalItems,
  generateWorkload,
  type Operation,
  recordBatches,
  type SourceItem,
  streamRecords,
  toImage,
  toStreamRecords,
  workloadStreamRecords,
} from './index.ts';

describe('generateWorkload', () => {
  const ops = generateWorkload({ seed: 42, events: 20_000 });

  it('is deterministic per seed and differs across seeds', () => {
    expect(generateWorkload({ seed: 42, events: 20_000 })).toEqual(ops);
    expect(generateWorkload({ seed: 43, events: 500 })).not.toEqual(ops.slice(0, 500));
  });

  it('mixes about 90 % new events, 5 % modifies and 5 % removes', () => {
    const seen = new Set<string>();
    let inserts = 0;
    let modifies = 0;
    let removes = 0;
    for (const op of ops) {
      if (op.op === 'delete') {
        expect(seen.has(op.key.pk)).toBe(true);
        removes++;
      } else if (seen.has(op.item.pk)) modifies++;
      else {
        seen.add(op.item.pk);
        inserts++;
      }
    }
    expect(ops).toHaveLength(20_000);
    expect(modifies / ops.length).toBeGreaterThan(0.04);
    expect(modifies / ops.length).toBeLessThan(0.06);
    expect(removes / ops.length).toBeGreaterThan(0.04);
    expect(removes / ops.length).toBeLessThan(0.06);
    expect(inserts + modifies + removes).toBe(ops.length);
  });

  it('draws stores from a Zipf distribution and about one order per nine views', () => {
    const items = finalItems(ops);
    const perStore = new Map<string, number>();
    for (const item of items) perStore.set(item.storeId, (perStore.get(item.storeId) ?? 0) + 1);
    const top = perStore.get('store-0001') ?? 0;
    const tenth = perStore.get('store-0010') ?? 0;
    // Zipf(1.1): rank 1 / rank 10 ≈ 10^1.1 ≈ 12.6
    expect(top / tenth).toBeGreaterThan(8);
    expect(top / tenth).toBeLessThan(20);
    expect([...perStore.keys()].every((s) => /^store-\d{4}$/.test(s))).toBe(true);
    const orders = items.filter((i) => i.type === 'order');
    expect(orders.length / items.length).toBeGreaterThan(0.08);
    expect(orders.length / items.length).toBeLessThan(0.12);
    expect(orders.every((o) => /^\d+\.\d\d$/.test(o.amount!))).toBe(true);
    expect(items.filter((i) => i.type === 'view').every((v) => v.amount === undefined)).toBe(true);
  });

  it('moves forward through the end of BST and the October month end, with some late events', () => {
    const puts = ops.filter((op): op is Extract<Operation, { op: 'put' }> => op.op === 'put');
    const at = ops.map((op) => op.at!);
    expect(at.every((t, i) => i === 0 || t >= at[i - 1]!)).toBe(true);
    expect(at[0]).toBe(DEFAULT_START_MS);
    expect(Math.max(...at)).toBeGreaterThan(Date.UTC(2026, 10, 1, 0, 0));
    expect(
      puts.some((op) => op.item.ts < Date.UTC(2026, 9, 25, 1) && op.item.ts >= Date.UTC(2026, 9, 25, 0)),
    ).toBe(true);
    expect(
      puts.some((op) => op.item.ts >= Date.UTC(2026, 9, 25, 1) && op.item.ts < Date.UTC(2026, 9, 25, 2)),
    ).toBe(true);
    const late = puts.filter((op) => op.at! - op.item.ts > 60_000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.length / puts.length).toBeLessThan(0.1);
  });
});

describe('stream records', () => {
  const ops = generateWorkload({ seed: 7, events: 1_200 });
  const records = toStreamRecords(ops);

  it('matches the lean generator record for record', () => {
    expect(Array.from(workloadStreamRecords({ seed: 7, events: 1_200 }))).toEqual(records);
  });

  it('has Lambda shape, increasing 21-digit sequence numbers and unique event ids', () => {
    expect(records).toHaveLength(1_200);
    const ids = new Set(records.map((r) => r.eventID));
    expect(ids.size).toBe(records.length);
    for (const [i, r] of records.entries()) {
      expect(r.eventSource).toBe('aws:dynamodb');
      expect(r.eventSourceARN).toMatch(/^arn:aws:dynamodb:us-east-1:\d{12}:table\/.+\/stream\//);
      expect(r.eventID).toMatch(/^[0-9a-f]{32}$/);
      const seq = r.dynamodb!.SequenceNumber!;
      expect(seq).toMatch(/^\d{21}$/);
      if (i > 0) expect(BigInt(seq)).toBe(BigInt(records[i - 1]!.dynamodb!.SequenceNumber!) + 1n);
      expect(r.dynamodb!.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
      expect(Number.isInteger(r.dynamodb!.ApproximateCreationDateTime)).toBe(true);
      expect(r.dynamodb!.ApproximateCreationDateTime).toBe(Math.floor(ops[i]!.at! / 1000));
    }
  });

  it('emits INSERT, MODIFY and REMOVE with the right images', () => {
    const live = new Map<string, SourceItem>();
    for (const [i, r] of records.entries()) {
      const op = ops[i]!;
      const pk = op.op === 'put' ? op.item.pk : op.key.pk;
      expect(r.dynamodb!.Keys).toEqual({ pk: { S: pk } });
      const old = live.get(pk);
      if (op.op === 'put') {
        expect(r.eventName).toBe(old === undefined ? 'INSERT' : 'MODIFY');
        expect(r.dynamodb!.NewImage).toEqual(toImage(op.item));
        live.set(pk, op.item);
      } else {
        expect(r.eventName).toBe('REMOVE');
        expect(r.dynamodb!.NewImage).toBeUndefined();
        live.delete(pk);
      }
      if (old === undefined) expect(r.dynamodb!.OldImage).toBeUndefined();
      else expect(r.dynamodb!.OldImage).toEqual(toImage(old));
    }
  });

  it('writes amounts and times as DynamoDB numbers', () => {
    expect(
      toImage({ pk: 'evt#1', storeId: 'store-0001', type: 'order', ts: 1_792_000_000_123, amount: '9.90' }),
    ).toEqual({
      pk: { S: 'evt#1' },
      storeId: { S: 'store-0001' },
      type: { S: 'order' },
      ts: { N: '1792000000123' },
      amount: { N: '9.90' },
    });
  });

  it('emits nothing for a put that changes nothing or a delete of a missing key, like DynamoDB', () => {
    const item: SourceItem = { pk: 'evt#1', storeId: 'store-0001', type: 'view', ts: 1 };
    const out = toStreamRecords([
      { op: 'delete', key: { pk: 'evt#9' } },
      { op: 'put', item },
      { op: 'put', item: { ...item } },
      { op: 'put', item: { ...item, type: 'order', amount: '1.00' } },
      { op: 'delete', key: { pk: 'evt#1' } },
    ]);
    expect(out.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    expect(out.map((r) => r.dynamodb!.SequenceNumber)).toEqual([
      '000000000000000000001',
      '000000000000000000002',
      '000000000000000000003',
    ]);
  });

  it('is lazy and cuts into Lambda-sized batches', () => {
    const lazy = streamRecords(ops);
    const first = lazy.next();
    expect(first.done).toBe(false);
    const batches = Array.from(recordBatches(records, 500, 'shard-1'));
    expect(batches.map((b) => b.records.length)).toEqual([500, 500, 200]);
    expect(batches.every((b) => b.shardId === 'shard-1')).toBe(true);
  });
});
