import type { DynamoDBRecord } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { eventTime } from './event-time.ts';
import { foldBatch } from './fold-batch.ts';

const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 'createdAt', format: 'iso8601' },
  granularities: ['day'],
  measures: { orders: count() },
}).compiled;

const insert = (createdAt: string): DynamoDBRecord => ({
  eventID: '1',
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/orders/stream/s',
  dynamodb: {
    SequenceNumber: '1',
    ApproximateCreationDateTime: 1_796_320_620,
    NewImage: { storeId: { S: 's-1' }, createdAt: { S: createdAt } },
  },
});

describe('a time attribute that does not hold a time of its format', () => {
  it('is VALUE_INVALID saying what the format needs: an ISO time without a zone', () => {
    // the guide's dead letter for '2026-12-03T10:00:00' said only "which is not a iso8601 time"
    const { poison } = foldBatch([orders], [insert('2026-12-03T10:00:00')]);
    expect(poison).toHaveLength(1);
    expect(poison[0]?.error.code).toBe('VALUE_INVALID');
    expect(poison[0]?.error.message).toBe(
      `rollup 'orders': time attribute 'createdAt' holds {"S":"2026-12-03T10:00:00"}, which is not a time in its format, iso8601: it must hold an ISO-8601 date-time with its zone, e.g. '2026-11-22T10:00:00Z' or '2026-11-22T11:00:00+01:00' (a wall time without one is ambiguous), or a date alone, '2026-11-22' (the start of that day in the rollup's zone); a day its month has`,
    );
    expect(foldBatch([orders], [insert('2026-12-03T10:00:00+01:00')]).poison).toEqual([]);
  });

  it("names the hour 24 and the next day's start, as the query does", () => {
    // the letter for ISO 8601's end of a day said only what the format needs, which '…T24:00Z' seems to meet
    const { poison } = foldBatch([orders], [insert('2026-12-06T24:00:00Z')]);
    expect(poison[0]?.error.code).toBe('VALUE_INVALID');
    expect(poison[0]?.error.message).toBe(
      `rollup 'orders': time attribute 'createdAt' holds {"S":"2026-12-06T24:00:00Z"}, which writes the end of its day as hour 24, which is not read: hours are 00–23 (in event times and queries alike); write the next day's start, '2026-12-07T00:00:00Z'`,
    );
  });

  it('names a day its month does not have', () => {
    const { poison } = foldBatch([orders], [insert('2026-02-30T10:00:00Z')]);
    expect(poison[0]?.error.message).toContain(
      'is not a day of the calendar (month 2 of 2026 has 28 days): write a date that exists',
    );
  });
});

describe('a number time attribute', () => {
  const rollupOf = (format: 'epoch-millis' | 'epoch-seconds' | 'auto') =>
    defineRollup({
      name: 'r',
      groupBy: 'storeId',
      time: { attribute: 't', format },
      granularities: ['day'],
      measures: { n: count() },
    }).compiled;
  const change = { approximateTimeMs: 0 } as Parameters<typeof eventTime>[2];
  const timeOf = (format: 'epoch-millis' | 'epoch-seconds' | 'auto', n: string): number | string => {
    try {
      return eventTime(rollupOf(format), { t: { N: n } }, change);
    } catch (e) {
      return (e as { code: string }).code;
    }
  };
  const byNumber = (format: 'epoch-millis' | 'epoch-seconds' | 'auto', n: string): number | string => {
    const x = Number(n);
    const t =
      format === 'epoch-millis'
        ? Math.floor(x)
        : format === 'epoch-seconds' || Math.abs(x) < 1e11
          ? Math.floor(x * 1000)
          : Math.floor(x);
    return Number.isFinite(t) ? t : 'VALUE_INVALID';
  };

  it('is read as Number() reads it, for integer texts (the fast path) and any other text', () => {
    const texts = [
      '1761343200000',
      '0',
      '-0',
      '007',
      '-1761343200000',
      '999999999999999',
      '9999999999999999',
      '1e3',
      '12.75',
      '-',
      '+5',
      '0x10',
      '',
    ];
    for (const format of ['epoch-millis', 'epoch-seconds', 'auto'] as const)
      for (const n of texts)
        expect(Object.is(timeOf(format, n), byNumber(format, n)), `${format} ${n}`).toBe(true);
  });

  it('agrees with Number() on random texts of digits and signs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('epoch-millis' as const, 'epoch-seconds' as const, 'auto' as const),
        fc.array(fc.constantFrom(...'-0123456789.e'), { minLength: 1, maxLength: 18 }).map((c) => c.join('')),
        (format, n) => Object.is(timeOf(format, n), byNumber(format, n)),
      ),
    );
  });
});
