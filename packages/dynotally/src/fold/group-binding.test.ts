import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../decode/index.ts';
import { count, defineRollup, sum } from '../definition/index.ts';
import { planWrites } from '../plan/index.ts';
import { Coalescer } from './coalescer.ts';
import { Folder } from './fold-changes.ts';
import { GroupKeyCache } from './group-key-cache.ts';

// Groups by attributes only, so the folder adds its groups to a coalescer without looking their keys up.
const rollups = [
  defineRollup({
    name: 'store',
    groupBy: 'storeId',
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['minute', 'hour', 'day'],
    measures: { orders: count({ where: { type: 'order' } }), revenue: sum('amount') },
  }),
  defineRollup({
    name: 'storeType',
    groupBy: ['storeId', 'type'],
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['hour', 'all'],
    measures: { events: count() },
  }),
].map((r) => r.compiled);

function records(n: number): DynamoDBRecord[] {
  const out: DynamoDBRecord[] = [];
  for (let i = 0; i < n; i++) {
    const ts = Date.UTC(2026, 9, 25) + ((i * 7919) % 7_200_000);
    const image = (store: number) => ({
      storeId: { S: `s${store}` },
      type: { S: i % 3 === 0 ? 'order' : 'view' },
      ts: { N: String(ts) },
      amount: { N: `${i % 7}.5` },
    });
    const modify = i % 5 === 4;
    out.push({
      eventID: `e${i}`,
      eventName: modify ? 'MODIFY' : 'INSERT',
      dynamodb: {
        SequenceNumber: String(100 + i),
        ...(modify ? { OldImage: image((i * 3) % 11) } : {}),
        NewImage: image((i * 7) % 11),
      },
    });
  }
  return out;
}

/** The same records, one fresh folder and coalescer: what every other way of folding must equal. */
function expected(recs: DynamoDBRecord[]) {
  const co = new Coalescer();
  const folder = new Folder(rollups);
  for (const r of recs) folder.fold(decodeRecord(r), co);
  return planWrites(co, { now: 0 });
}

describe('groups added to a coalescer without a look-up', () => {
  it('are never doubled when two folders fold into one coalescer', () => {
    const recs = records(300);
    const co = new Coalescer();
    const one = new Folder(rollups);
    const two = new Folder(rollups);
    for (let i = 0; i < recs.length; i++)
      (i % 2 === 0 ? one : two).fold(decodeRecord(recs[i] as DynamoDBRecord), co);
    expect(planWrites(co, { now: 0 })).toEqual(expected(recs));
    expect(co.size).toBe(new Set(co.rowList().map((a) => `${a.pk} ${a.sk}`)).size);
  });

  it('are never doubled when a group cache is emptied in the middle of a batch', () => {
    const recs = records(300);
    const co = new Coalescer();
    const folder = new Folder(rollups);
    // a cache of 4 groups is emptied again and again: a key comes back as a new leaf while its old one is bound
    const states = (folder as unknown as { states: { keys: GroupKeyCache }[] }).states;
    for (const s of states) s.keys = new GroupKeyCache(s === states[0] ? 'store' : 'storeType', 4);
    for (const r of recs) folder.fold(decodeRecord(r), co);
    expect(planWrites(co, { now: 0 })).toEqual(expected(recs));
    expect(co.size).toBe(new Set(co.rowList().map((a) => `${a.pk} ${a.sk}`)).size);
  });

  it('are found by key after a row was added through the look-up', () => {
    const recs = records(50);
    const co = new Coalescer();
    const folder = new Folder(rollups);
    for (const r of recs.slice(0, 25)) folder.fold(decodeRecord(r), co);
    const first = co.rowList()[0];
    expect(first && co.get(first.pk, first.sk)).toBe(first);
    // a row made by key (as the applier's re-fold does) joins the group the folder made
    if (first !== undefined) co.row(first.rollup, first.kind, first.pk, first.sk, first.bucketEnd, '1', 0);
    for (const r of recs.slice(25)) folder.fold(decodeRecord(r), co);
    expect(planWrites(co, { now: 0 }).rows.map((w) => [w.pk, w.sk])).toEqual(
      expected(recs).rows.map((w) => [w.pk, w.sk]),
    );
  });
});

const byNumber = defineRollup({
  name: 'byNum',
  groupBy: 'n',
  time: { attribute: 'ts', format: 'epoch-millis' },
  granularities: ['hour'],
  measures: { events: count() },
}).compiled;

function rec(seq: number, n: string): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: 'INSERT',
    dynamodb: {
      SequenceNumber: String(100 + seq),
      NewImage: { n: { N: n }, ts: { N: String(Date.UTC(2026, 9, 25)) } },
    },
  };
}

function distinctRows(co: Coalescer): number {
  return new Set(co.rowList().map((a) => `${a.pk} ${a.sk}`)).size;
}

/** A folder whose group cache holds 4 groups, filled by a first batch of groups 0-3 (released). */
function folderWithFullCache(): Folder {
  const folder = new Folder([byNumber]);
  const states = (folder as unknown as { states: { keys: GroupKeyCache }[] }).states;
  for (const s of states) s.keys = new GroupKeyCache('byNum', 4);
  const one = new Coalescer();
  for (let i = 0; i < 4; i++) folder.fold(decodeRecord(rec(i, String(i))), one);
  folder.release();
  return folder;
}

describe('groups added without a look-up, keys interned as more than one leaf', () => {
  it('one key written as two number texts is one group', () => {
    const co = new Coalescer();
    const folder = new Folder([byNumber]);
    for (const [i, n] of ['1', '1.0', '1e0', '01'].entries()) folder.fold(decodeRecord(rec(i, n)), co);
    expect(co.size).toBe(distinctRows(co));
    expect(co.size).toBe(1);
  });

  it('a cache emptied by the first record of a batch does not double its group', () => {
    const folder = folderWithFullCache();
    // batch 2: its first record's group empties the cache (its leaf is not kept), then comes again
    const two = new Coalescer();
    folder.fold(decodeRecord(rec(10, '9')), two);
    folder.fold(decodeRecord(rec(11, '9')), two);
    folder.release();
    expect(two.size).toBe(distinctRows(two));
    expect(two.size).toBe(1);
  });

  it("a cache emptied by a batch's first record keeps its other side's key one group", () => {
    const folder = folderWithFullCache();
    // batch 2 opens with a MODIFY of group 0 to group 9: 0's leaf is found, then interning 9 empties the cache
    const modify = rec(10, '9');
    if (modify.dynamodb !== undefined) modify.dynamodb.OldImage = { ...rec(10, '0').dynamodb?.NewImage };
    modify.eventName = 'MODIFY';
    const two = new Coalescer();
    folder.fold(decodeRecord(modify), two);
    folder.fold(decodeRecord(rec(11, '0')), two); // group 0 again, as a new leaf
    folder.release();
    expect(two.size).toBe(distinctRows(two));
    expect(two.size).toBe(2);
  });
});
