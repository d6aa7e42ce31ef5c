import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { orderBatch } from './order-batch.ts';

const r = (seq: string | undefined, id = seq): DynamoDBRecord =>
  ({ eventID: id, dynamodb: seq === undefined ? {} : { SequenceNumber: seq } }) as DynamoDBRecord;
const seqs = (rs: readonly DynamoDBRecord[]) => rs.map((x) => x.eventID);

describe('orderBatch', () => {
  it('returns an ordered batch without duplicates as it is', () => {
    const batch = [r('1'), r('2'), r('10')];
    expect(orderBatch(batch)).toBe(batch);
  });

  it('orders by sequence number numerically, not as text', () => {
    expect(seqs(orderBatch([r('200'), r('100'), r('99'), r('1000')]))).toEqual(['99', '100', '200', '1000']);
    const big = '9'.repeat(40);
    const big2 = `1${'0'.repeat(39)}`;
    expect(seqs(orderBatch([r(big), r(big2), r('5')]))).toEqual(['5', big2, big]);
  });

  it('drops duplicates within the batch, keeping the first delivered', () => {
    expect(seqs(orderBatch([r('5', 'a'), r('3'), r('5', 'b'), r('3', 'c')]))).toEqual(['3', 'a']);
    expect(seqs(orderBatch([r('7', 'x'), r('07', 'y')]))).toEqual(['x']);
  });

  it('keeps records without a valid sequence number after the others, in their order', () => {
    const out = orderBatch([r('x1'), r('2'), r(undefined, 'none'), r(''), r('1')]);
    expect(seqs(out)).toEqual(['1', '2', 'x1', 'none', '']);
  });
});
