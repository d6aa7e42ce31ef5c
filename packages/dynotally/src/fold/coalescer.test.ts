import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { storeCountRollup } from '../../../../test/support/store-count-rollup.ts';
import { DynotallyError, isDynotallyError } from '../errors/index.ts';
import { Coalescer } from './coalescer.ts';
import { foldBatch } from './fold-batch.ts';
import { Folder } from './fold-changes.ts';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

// newGroup trusts its caller that a key is not in the coalescer yet; a broken promise must not let one group hide
// another (its rows would be written twice in a batch), so the look-up that indexes the second one throws.
describe('a partition key added twice with newGroup', () => {
  const claimant = {};

  it('throws INTERNAL_ERROR at the next group() instead of keeping one group', () => {
    const co = new Coalescer();
    co.newGroup('store#ss-1', 1, claimant);
    co.newGroup('store#ss-1', 1, claimant);
    const e = thrown(() => co.group('store#ss-2', 1));
    expect(isDynotallyError(e, 'INTERNAL_ERROR')).toBe(true);
    expect((e as DynotallyError).details).toEqual({ pk: 'store#ss-1' });
  });

  it('throws at get() too', () => {
    const co = new Coalescer();
    co.newGroup('store#ss-1', 1, claimant);
    co.newGroup('store#ss-1', 1, claimant);
    expect(
      isDynotallyError(
        thrown(() => co.get('store#ss-1', 'ALL')),
        'INTERNAL_ERROR',
      ),
    ).toBe(true);
  });

  it('distinct keys index without a throw', () => {
    const co = new Coalescer();
    const a = co.newGroup('store#ss-1', 1, claimant);
    const b = co.newGroup('store#ss-2', 1, claimant);
    expect(co.group('store#ss-1', 1)).toBe(a);
    expect(co.group('store#ss-2', 1)).toBe(b);
  });
});

describe('foldBatch and a bug inside the fold', () => {
  const rollup = storeCountRollup.compiled;
  const record: DynamoDBRecord = {
    eventID: 'e1',
    eventName: 'INSERT',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/s',
    dynamodb: {
      SequenceNumber: '1',
      ApproximateCreationDateTime: 1_800_000_000,
      NewImage: { storeId: { S: 's-1' }, t: { N: '1800000000000' } },
    },
  };

  it('throws an INTERNAL_ERROR instead of dead-lettering the record', () => {
    class Broken extends Folder {
      override fold(): void {
        throw new DynotallyError('INTERNAL_ERROR', 'two groups of one key');
      }
    }
    const e = thrown(() => foldBatch([rollup], [record], { folder: new Broken([rollup]) }));
    expect(isDynotallyError(e, 'INTERNAL_ERROR')).toBe(true);
  });

  it('still returns a poison record as poison', () => {
    const { poison } = foldBatch([rollup], [{ ...record, dynamodb: { SequenceNumber: '1' } }]);
    expect(poison.map((p) => p.error.code)).toEqual(['IMAGE_MISSING']);
  });
});
