// Review s44v, guard (the LATEST pin as `checkpoint(…, { onlyIfNone: true })`, worker/lease-params.ts, c5245ba8): the
// request is the one the removed `pinCheckpointParams` built — `SET #cp = :cp, #upd = :now` held by the holder AND
// `attribute_not_exists(#cp)`, no `ReturnValuesOnConditionCheckFailure` — and a plain checkpoint has no such condition.
// Break-check: the `also` condition left out of checkpointParams for `onlyIfNone` (fails).
import { describe, expect, it } from 'vitest';
import { checkpointParams } from '../../packages/dynotally/src/worker/lease-params.ts';

const STREAM = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-12-08T00:00:00.000';
const HOLDER = { workerId: 'w1', instance: 'i1' };

describe('review s44v: the LATEST pin request', () => {
  it('is the held checkpoint write, only where the lease has no checkpoint', () => {
    const pin = checkpointParams('leases', STREAM, 'shardId-1', HOLDER, '42', 1_000, { onlyIfNone: true });
    const plain = checkpointParams('leases', STREAM, 'shardId-1', HOLDER, '42', 1_000);
    expect(pin.UpdateExpression).toBe('SET #cp = :cp, #upd = :now');
    expect(pin.ConditionExpression).toBe(`${plain.ConditionExpression} AND attribute_not_exists(#cp)`);
    expect(pin.ExpressionAttributeNames).toEqual(plain.ExpressionAttributeNames);
    expect(pin.ExpressionAttributeValues).toEqual(plain.ExpressionAttributeValues);
    expect(pin.ReturnValuesOnConditionCheckFailure).toBeUndefined();
    expect(plain.ConditionExpression).not.toContain('attribute_not_exists(#cp)');
    expect(pin.ExpressionAttributeNames?.['#cp']).toBe('checkpoint');
  });
});
