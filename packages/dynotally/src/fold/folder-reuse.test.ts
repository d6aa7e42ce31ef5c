import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecord } from '../decode/index.ts';
import { count, defineRollup, sum } from '../definition/index.ts';
import { planWrites } from '../plan/index.ts';
import { Coalescer } from './coalescer.ts';
import { foldBatch } from './fold-batch.ts';
import { Folder } from './fold-changes.ts';
import { TimeCells } from './time-cells.ts';

const rollups = [
  defineRollup({
    name: 'store',
    groupBy: 'storeId',
    time: { attribute: 'ts', format: 'epoch-millis' },
    timeZone: 'Europe/London',
    granularities: ['minute', 'hour', 'day', 'month'],
    measures: { orders: count({ where: { type: 'order' } }), revenue: sum('amount') },
  }),
  defineRollup({
    name: 'byType',
    groupBy: (item) => ({ type: String(item.type) }),
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['hour', 'all'],
    measures: { events: count() },
  }),
].map((r) => r.compiled);

/** Deterministic records: stores s0..s4, times spread over three hours, some modifies and removes. */
function records(n: number, seqStart: number): DynamoDBRecord[] {
  const out: DynamoDBRecord[] = [];
  for (let i = 0; i < n; i++) {
    const store = `s${(i * 7) % 5}`;
    const ts = Date.UTC(2026, 9, 25, 0, 30) + ((i * 7919) % 10_800_000);
    const image = (st: string, type: string) => ({
      storeId: { S: st },
      type: { S: type },
      ts: { N: String(ts) },
      amount: { N: `${(i % 13) + 1}.25` },
    });
    const kind = i % 10 === 3 ? 'MODIFY' : i % 10 === 7 ? 'REMOVE' : 'INSERT';
    out.push({
      eventID: `e${seqStart + i}`,
      eventName: kind,
      eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/s',
      dynamodb: {
        SequenceNumber: String(seqStart + i),
        ApproximateCreationDateTime: Math.floor(ts / 1000),
        ...(kind === 'INSERT' ? {} : { OldImage: image(`s${(i * 3) % 5}`, 'view') }),
        ...(kind === 'REMOVE' ? {} : { NewImage: image(store, i % 2 === 0 ? 'order' : 'view') }),
      },
    });
  }
  return out;
}

const plan = (co: Coalescer) => planWrites(co, { now: 0 });

describe('Folder reused across coalescers', () => {
  it('folds interleaved coalescers exactly as a fresh folder per coalescer', () => {
    const a = records(300, 1);
    const b = records(200, 1000);
    const shared = new Folder(rollups);
    const coA = new Coalescer();
    const coB = new Coalescer();
    // interleave: A, B, A, B… with the same folder
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i < a.length) shared.fold(decodeRecord(a[i] as DynamoDBRecord), coA);
      if (i < b.length) shared.fold(decodeRecord(b[i] as DynamoDBRecord), coB);
    }
    const freshA = new Coalescer();
    const freshB = new Coalescer();
    for (const r of a) new Folder(rollups).fold(decodeRecord(r), freshA);
    for (const r of b) new Folder(rollups).fold(decodeRecord(r), freshB);
    expect(plan(coA)).toEqual(plan(freshA));
    expect(plan(coB)).toEqual(plan(freshB));
    expect(plan(coA).rows.length).toBeGreaterThan(10);
  });

  it('keeps batches apart when one folder folds batch after batch', () => {
    const folder = new Folder(rollups);
    const all = records(400, 1);
    const batches = [all.slice(0, 150), all.slice(150, 151), all.slice(151)];
    for (const batch of batches) {
      const reused = foldBatch(rollups, batch, { folder });
      const fresh = foldBatch(rollups, batch);
      expect(reused.poison).toEqual([]);
      expect(plan(reused.coalescer)).toEqual(plan(fresh.coalescer));
    }
    // folding more into a coalescer after its batch ended still lands in that coalescer's rows
    const first = foldBatch(rollups, batches[0] as DynamoDBRecord[], { folder });
    const extra = records(20, 5000);
    for (const r of extra) folder.fold(decodeRecord(r), first.coalescer);
    const expected = new Coalescer();
    const fresh = new Folder(rollups);
    for (const r of [...(batches[0] as DynamoDBRecord[]), ...extra]) fresh.fold(decodeRecord(r), expected);
    expect(plan(first.coalescer)).toEqual(plan(expected));
  });
});

describe("rows sharing a time entry's name array", () => {
  type Make = (t: number) => { cells: string[][] };
  const proto = TimeCells.prototype as unknown as { make: Make };
  const make = proto.make;
  afterEach(() => {
    proto.make = make;
  });

  it('never write into it: every entry frozen, the same plans as without', () => {
    // a row's first attribute list is the entry's own array (firstCells): a write into a row's attrs would
    // change every row of that span; frozen, any such write throws
    proto.make = function (this: TimeCells, t: number) {
      const at = make.call(this, t);
      for (const names of at.cells) Object.freeze(names);
      Object.freeze(at.cells);
      return at;
    };
    const folder = new Folder(rollups);
    const all = records(600, 1);
    const frozen = [all.slice(0, 200), all.slice(200, 400), all.slice(400)].map((batch) => {
      const f = foldBatch(rollups, batch, { folder });
      expect(f.poison).toEqual([]);
      return plan(f.coalescer);
    });
    proto.make = make;
    const plain = [all.slice(0, 200), all.slice(200, 400), all.slice(400)].map((batch) =>
      plan(foldBatch(rollups, batch).coalescer),
    );
    expect(frozen).toEqual(plain);
  });
});
