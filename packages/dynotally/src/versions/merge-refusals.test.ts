import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { DynotallyError } from '../errors/index.ts';
import type { PoisonRecord } from '../fold/index.ts';
import { mergeRefusals } from './merge-refusals.ts';
import { asVersion } from './version-prefix.ts';

const rollup = (name: string) =>
  defineRollup({
    name,
    groupBy: 'store',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['day', 'all'],
    measures: { n: count() },
  }).compiled;
const serving = rollup('orders');
const building = asVersion(serving, 2);

const record: DynamoDBRecord = {
  eventID: '1',
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:local:1:table/src/stream/x',
  dynamodb: {
    SequenceNumber: '101',
    ApproximateCreationDateTime: 1_763_800_000,
    NewImage: { id: { S: 'o1' }, store: { S: 's1' }, t: { N: '1763800000000' } },
  },
};
const poison = (
  code: 'NUMBER_UNREPRESENTABLE' | 'ITEM_TOO_LARGE',
  pendingRows?: PoisonRecord['pendingRows'],
) => ({
  record,
  index: 0,
  sequenceNumber: '101',
  error: new DynotallyError(code, code),
  ...(pendingRows === undefined ? {} : { pendingRows }),
});
const keys = (p: PoisonRecord) => (p.pendingRows ?? []).map((r) => `${r.pk} ${r.sk}`).sort();

describe('mergeRefusals', () => {
  it('one refusal listing its rows is the letter as it is', () => {
    const only = poison('NUMBER_UNREPRESENTABLE', [{ pk: 'orders#ss1', sk: 'ALL' }]);
    expect(mergeRefusals([{ poison: only, rollups: [serving] }])).toBe(only);
  });

  it("one refusal listing none names every row of its applier's rollups, not every version's", () => {
    const merged = mergeRefusals([{ poison: poison('ITEM_TOO_LARGE'), rollups: [building] }]);
    expect(merged.error.code).toBe('ITEM_TOO_LARGE');
    expect(keys(merged)).toEqual(['orders.v2#ss1 ALL', 'orders.v2#ss1 M2025-11']);
  });

  it("an applier listing no rows stands for every row of its rollups; the other's listed rows are added", () => {
    const merged = mergeRefusals([
      { poison: poison('NUMBER_UNREPRESENTABLE'), rollups: [serving] },
      { poison: poison('ITEM_TOO_LARGE', [{ pk: 'orders.v2#ss1', sk: 'ALL' }]), rollups: [building] },
    ]);
    expect(merged.error.code).toBe('NUMBER_UNREPRESENTABLE');
    expect(keys(merged)).toEqual(['orders#ss1 ALL', 'orders#ss1 M2025-11', 'orders.v2#ss1 ALL']);
  });

  it("keeps the first applier's listed rows when a later one lists none", () => {
    const merged = mergeRefusals([
      { poison: poison('NUMBER_UNREPRESENTABLE', []), rollups: [serving] },
      { poison: poison('NUMBER_UNREPRESENTABLE'), rollups: [building] },
    ]);
    expect(keys(merged)).toEqual(['orders.v2#ss1 ALL', 'orders.v2#ss1 M2025-11']);
  });
});
