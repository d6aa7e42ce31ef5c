// A poison record never half-applies: everything that can reject a record is checked before anything of it
// is accumulated (both images' shapes, every rollup's group key and its size, event time and its range,
// numbers, last() value sizes).
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { count, defineRollup, last, sum } from '../definition/index.ts';
import { foldBatch } from './fold-batch.ts';

const rollups = [
  // folded first: no time attribute (approximate creation time), so a bad `ts` only hurts the second rollup
  defineRollup({
    name: 'first',
    groupBy: 'g',
    granularities: ['day', 'all'],
    measures: { n: count(), amt: sum('amount') },
  }),
  defineRollup({
    name: 'second',
    groupBy: 'g',
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['hour', 'month'],
    measures: { n: count(), note: last('note') },
  }),
].map((r) => r.compiled);

type Img = Record<string, AttributeValue>;
const T = Date.UTC(2026, 2, 1, 12);
const good = (over: Img = {}): Img => ({ g: { S: 'x' }, ts: { N: String(T) }, amount: { N: '2' }, ...over });

function rec(
  seq: number,
  kind: 'INSERT' | 'MODIFY' | 'REMOVE',
  oldImage?: Img,
  newImage?: Img,
): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: kind,
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/s',
    dynamodb: {
      SequenceNumber: String(seq),
      ApproximateCreationDateTime: T / 1000,
      ...(oldImage ? { OldImage: oldImage } : {}),
      ...(newImage ? { NewImage: newImage } : {}),
    },
  };
}

const cases: Array<[string, DynamoDBRecord, string]> = [
  [
    'INSERT with ts = 1e15 (ms past year 9998)',
    rec(1, 'INSERT', undefined, good({ ts: { N: '1e15' } })),
    'VALUE_INVALID',
  ],
  [
    'MODIFY whose new time is in year 9999',
    rec(1, 'MODIFY', good(), good({ ts: { N: String(Date.UTC(9999, 5, 1)) } })),
    'VALUE_INVALID',
  ],
  [
    'INSERT with a negative year-0 time',
    rec(1, 'INSERT', undefined, good({ ts: { N: String(Date.parse('0000-06-01T00:00:00Z')) } })),
    'VALUE_INVALID',
  ],
  [
    'INSERT with {S: 5} as group',
    rec(1, 'INSERT', undefined, good({ g: { S: 5 } as never })),
    'VALUE_INVALID',
  ],
  [
    'INSERT with {N: 5} as amount',
    rec(1, 'INSERT', undefined, good({ amount: { N: 5 } as never })),
    'VALUE_INVALID',
  ],
  ['INSERT with NaN amount', rec(1, 'INSERT', undefined, good({ amount: { N: 'NaN' } })), 'VALUE_INVALID'],
  [
    'INSERT with 39-digit amount',
    rec(1, 'INSERT', undefined, good({ amount: { N: '1'.repeat(39) } })),
    'VALUE_INVALID',
  ],
  [
    'MODIFY with a bad old image only',
    rec(1, 'MODIFY', good({ amount: { N: '0x10' } }), good()),
    'VALUE_INVALID',
  ],
  [
    'INSERT with a 2,100-byte group',
    rec(1, 'INSERT', undefined, good({ g: { S: 'y'.repeat(2100) } })),
    'KEY_TOO_LARGE',
  ],
  [
    'INSERT with a 1,000-char 3-byte group',
    rec(1, 'INSERT', undefined, good({ g: { S: '€'.repeat(700) } })),
    'KEY_TOO_LARGE',
  ],
  [
    'INSERT with a 390 KB last() value',
    rec(1, 'INSERT', undefined, good({ note: { S: 'n'.repeat(390_000) } })),
    'ITEM_TOO_LARGE',
  ],
  ['MODIFY without its old image', rec(1, 'MODIFY', undefined, good()), 'IMAGE_MISSING'],
];

describe('a poison record leaves no trace in the batch', () => {
  it.each(cases)('%s', (_label, poison, code) => {
    const before = rec(1, 'INSERT', undefined, good({ g: { S: 'before' } }));
    const after = rec(3, 'INSERT', undefined, good({ g: { S: 'after' } }));
    (poison.dynamodb as { SequenceNumber: string }).SequenceNumber = '2';
    const withPoison = foldBatch(rollups, [before, poison, after]);
    const without = foldBatch(rollups, [before, after]);
    expect(withPoison.poison.map((p) => p.error.code)).toEqual([code]);
    const rows = (r: typeof without) =>
      r.coalescer
        .rowList()
        .map((a) => ({ pk: a.pk, sk: a.sk, attrs: a.attrs, deltas: a.deltas.map(String) }));
    expect(rows(withPoison)).toEqual(rows(without));
    expect(withPoison.changes.map((c) => c.sequenceNumber.slice(-1))).toEqual(['1', '3']);
  });

  it('takes a group key of exactly 2,048 bytes and a 1e38 amount', () => {
    // 'first#s' is 7 bytes
    const r = foldBatch(rollups.slice(0, 1), [
      rec(1, 'INSERT', undefined, good({ g: { S: 'z'.repeat(2048 - 7) }, amount: { N: '1e38' } })),
    ]);
    expect(r.poison).toEqual([]);
    expect(r.coalescer.size).toBe(2);
    const r2 = foldBatch(rollups.slice(0, 1), [
      rec(1, 'INSERT', undefined, good({ g: { S: 'z'.repeat(2049 - 7) } })),
    ]);
    expect(r2.poison.map((p) => p.error.code)).toEqual(['KEY_TOO_LARGE']);
  });
});
