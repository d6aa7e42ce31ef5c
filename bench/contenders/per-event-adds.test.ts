import { describe, expect, it } from 'vitest';
import { bucketLabeler } from '../oracle/bucket-labels.ts';
import { generateWorkload, toStreamRecords } from '../workload/index.ts';
import { luxonBucketLabels } from './luxon-labels.ts';
import { perEventAdds } from './per-event-adds.ts';
import { runPool } from './pool.ts';

describe('luxonBucketLabels', () => {
  it('agrees with the Temporal oracle across BST ending, month end and year end', () => {
    const oracle = bucketLabeler('Europe/London');
    const ranges: Array<[string, string, number]> = [
      ['2026-10-24T22:00:00Z', '2026-10-25T03:00:00Z', 3 * 60_000],
      ['2026-10-31T23:00:00Z', '2026-11-01T01:00:00Z', 7 * 60_000],
      ['2026-03-29T00:00:00Z', '2026-03-29T02:00:00Z', 3 * 60_000],
      ['2026-12-31T23:00:00Z', '2027-01-01T01:00:00Z', 13 * 60_000],
    ];
    for (const [from, to, step] of ranges) {
      for (let ms = Date.parse(from) + 1_234; ms < Date.parse(to); ms += step) {
        expect(luxonBucketLabels(ms, 'Europe/London')).toEqual(oracle(ms));
      }
    }
  });
});

describe('perEventAdds', () => {
  const records = toStreamRecords(generateWorkload({ seed: 3, events: 400 }));

  it('writes one ADD per granularity for INSERT and REMOVE and two per granularity for MODIFY', () => {
    for (const record of records) {
      const updates = perEventAdds(record, { tableName: 'agg' });
      expect(updates).toHaveLength(record.eventName === 'MODIFY' ? 12 : 6);
      const deltas = updates.map((u) => u.ExpressionAttributeValues![':d']!.N);
      if (record.eventName === 'INSERT') expect(new Set(deltas)).toEqual(new Set(['1']));
      if (record.eventName === 'REMOVE') expect(new Set(deltas)).toEqual(new Set(['-1']));
      if (record.eventName === 'MODIFY')
        expect(deltas).toEqual([...Array(6).fill('-1'), ...Array(6).fill('1')]);
    }
    expect(new Set(records.map((r) => r.eventName))).toEqual(new Set(['INSERT', 'MODIFY', 'REMOVE']));
  });

  it('targets row (storeId, bucket label) and the measure of the event type', () => {
    const insert = records.find((r) => r.eventName === 'INSERT')!;
    const image = insert.dynamodb!.NewImage!;
    const updates = perEventAdds(insert, { tableName: 'agg' });
    const labels = luxonBucketLabels(Number(image.ts!.N), 'Europe/London');
    expect(updates.map((u) => u.Key)).toEqual(
      [labels.minute, labels.hour, labels.day, labels.month, labels.year, 'ALL'].map((sk) => ({
        pk: { S: image.storeId!.S },
        sk: { S: sk },
      })),
    );
    expect(updates[0]).toMatchObject({
      TableName: 'agg',
      UpdateExpression: 'ADD #c :d',
      ExpressionAttributeNames: { '#c': image.type!.S === 'order' ? 'orders' : 'views' },
    });
  });
});

describe('runPool', () => {
  it('keeps at most `concurrency` tasks in flight and runs every input', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await runPool(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        done.push(i);
      },
    );
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rejects with the first error', async () => {
    await expect(
      runPool([1, 2, 3], 2, async (i) => {
        if (i === 2) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});
