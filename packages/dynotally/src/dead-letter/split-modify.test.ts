import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { amounts } from '../../../../test/apply/digits-rollups.ts';
import { foldBatch } from '../fold/index.ts';
import { planWrites, type RowWrite } from '../plan/index.ts';
import { splitModify } from './split-modify.ts';

const image = (amount: string) => ({
  id: { S: 'a' },
  g: { S: 'big' },
  amount: { N: amount },
  t: { N: '1763800000000' },
});
const record = (oldAmount: string | undefined, newAmount: string): DynamoDBRecord =>
  ({
    eventID: 'e1',
    eventName: oldAmount === undefined ? 'INSERT' : 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: { id: { S: 'a' } },
      ...(oldAmount === undefined ? {} : { OldImage: image(oldAmount) }),
      NewImage: image(newAmount),
      SequenceNumber: '100',
      ApproximateCreationDateTime: 1_763_800_000,
    },
  }) as DynamoDBRecord;
const rowOf = (r: DynamoDBRecord): RowWrite =>
  planWrites(foldBatch([amounts.compiled], [r], { shardId: 's' }).coalescer, {
    now: Number.NEGATIVE_INFINITY,
  }).rows[0] as RowWrite;

describe('splitModify', () => {
  it('sends a MODIFY whose delta needs 40 digits as the old image out, then the new one in', () => {
    const r = record('100000000000000000001', '0.0000000000000000001');
    expect(splitModify([amounts.compiled], r, 's', rowOf(r))).toEqual([
      expect.objectContaining({
        adds: [
          ['n', '-1'],
          ['total', '-100000000000000000001'],
        ],
      }),
      expect.objectContaining({
        adds: [
          ['n', '1'],
          ['total', '0.0000000000000000001'],
        ],
      }),
    ]);
  });

  it('leaves anything else as it is: an INSERT, or parts that do not add up to the row', () => {
    const insert = record(undefined, '5');
    expect(splitModify([amounts.compiled], insert, 's', rowOf(insert))).toBeUndefined();
    const r = record('100000000000000000001', '0.0000000000000000001');
    const row = rowOf(r);
    const other: RowWrite = { ...row, adds: row.adds.map(([a, v]) => [a, a === 'total' ? 5 : v] as const) };
    expect(splitModify([amounts.compiled], r, 's', other)).toBeUndefined();
  });
});
