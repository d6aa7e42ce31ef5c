import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../definition/index.ts';
import { planWrites } from '../plan/index.ts';
import { foldBatch } from './index.ts';

// Africa/Monrovia left −00:44:30 for GMT at 1972-01-07 00:44:30Z: the hour from then to 01:00Z starts 30 s into
// a UTC minute, and its minutes after the first (00:45Z …) lie 0.5, 1.5 … minutes into it. No attribute name can
// hold such a cell: the record is refused (poison, VALUE_INVALID) rather than written as `n_0.5`.
const liberia = defineRollup({
  name: 'lmt',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  timeZone: 'Africa/Monrovia',
  granularities: ['minute', 'hour'],
  measures: { n: count() },
}).compiled;
/** Folded first: its cells of the refused record must not be written either. */
const utc = defineRollup({
  name: 'utc',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour'],
  measures: { n: count() },
}).compiled;

const insert = (t: number, i: number): DynamoDBRecord => ({
  eventID: `e${i}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
  dynamodb: {
    SequenceNumber: String(i + 1).padStart(21, '0'),
    ApproximateCreationDateTime: Math.floor(t / 1000),
    NewImage: { id: { S: `i${i}` }, g: { S: 'x' }, t: { N: String(t) } },
  },
});

describe('a cell with no whole index in its row', () => {
  it('is refused (VALUE_INVALID) and nothing of the record is written; whole-index cells around it fold', () => {
    const times = [
      Date.UTC(1972, 0, 7, 0, 44, 40), // minute 00:44:30, index 0 of H1972-01-07T00:44:30
      Date.UTC(1972, 0, 7, 0, 45, 10), // minute 00:45, 0.5 minutes into that hour: refused
      Date.UTC(1972, 0, 7, 1, 0, 10), // minute 01:00, index 0 of H1972-01-07T01:00
    ];
    const { coalescer, poison } = foldBatch(
      [utc, liberia],
      times.map((t, i) => insert(t, i)),
    );
    expect(poison.map((p) => [p.record.eventID, p.error.code])).toEqual([['e1', 'VALUE_INVALID']]);
    const attrs = planWrites(coalescer, { now: Date.UTC(1972, 0, 7, 2) }).rows.flatMap((w) =>
      w.adds.map(([a, d]) => `${w.sk} ${a} ${String(d)}`),
    );
    expect(attrs.sort()).toEqual([
      'D1972-01-07 n_0 1', // the UTC rollup's hours, packed in its day row: e1 only
      'D1972-01-07 n_60 1',
      'H1972-01-07T00:44:30 n 1',
      'H1972-01-07T00:44:30 n_0 1',
      'H1972-01-07T01:00 n 1',
      'H1972-01-07T01:00 n_0 1',
    ]);
  });
});
