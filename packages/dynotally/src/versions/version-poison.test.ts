import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { splitPoison } from './version-poison.ts';
import { asVersion } from './version-prefix.ts';

const v1 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
}).compiled;
const v2 = asVersion(v1, 2);

const record = (seq: number, storeId: string): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:local:1:table/src/stream/x',
  dynamodb: {
    SequenceNumber: String(seq),
    ApproximateCreationDateTime: 1_763_800_000,
    NewImage: { id: { S: `o${seq}` }, storeId: { S: storeId }, t: { N: '1763800000000' } },
  },
});
// `store#s` + 2,041 = 2,048 bytes: fits version 1; `store.v2#s` + 2,041 = 2,051: over DynamoDB's 2,048
const fitsV1 = 'x'.repeat(2041);
const records = [record(101, 's-1'), record(102, fitsV1), record(103, `${fitsV1}yy`)];

describe('splitPoison', () => {
  it('a record only a version that does not serve refuses is left out of that version alone, with a letter of no rows', () => {
    const split = splitPoison(
      [
        { compiled: v1, primary: true },
        { compiled: v2, primary: false },
      ],
      records,
      'shard-1',
    );
    expect(split.whole.map((p) => p.index)).toEqual([2]);
    expect([...split.refusedBy]).toEqual([['store.v2', new Set([1])]]);
    expect(split.letters.map((l) => [l.index, l.error.code, l.pendingRows])).toEqual([
      [1, 'KEY_TOO_LARGE', []],
    ]);
    expect(split.letters[0]?.error.message).toMatch(/refused by rollup version 'store\.v2' only/);
    expect(split.letters[0]?.error.details).toMatchObject({ versions: ['store.v2'] });
  });

  it('when every version is primary (none serves), a refusal is poison for all, as without versions', () => {
    const split = splitPoison(
      [
        { compiled: v1, primary: true },
        { compiled: v2, primary: true },
      ],
      records,
      'shard-1',
    );
    expect(split.whole.map((p) => p.index)).toEqual([1, 2]);
    expect(split.refusedBy.size).toBe(0);
    expect(split.letters).toEqual([]);
  });

  it('a record that does not decode is poison for every version', () => {
    const broken = { ...record(104, 's-1'), dynamodb: { SequenceNumber: 'x' } } as DynamoDBRecord;
    const split = splitPoison(
      [
        { compiled: v1, primary: true },
        { compiled: v2, primary: false },
      ],
      [broken],
      'shard-1',
    );
    expect(split.whole.map((p) => p.error.code)).toEqual(['RECORD_MALFORMED']);
    expect(split.letters).toEqual([]);
  });
});
