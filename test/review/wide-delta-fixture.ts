// The set-up the s42r probes of sums past 38 digits share: a day + all-time rollup counting and summing `amount` per
// group `g`, the items they fold and the stream records carrying them.
import type { DynamoDBRecord } from 'aws-lambda';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { Decimal } from '../oracle/decimal.ts';

/** The stream the records come from. */
export const ARN = 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-06-01T00:00:00.000';
/** The records' creation time (noon, 1 June 2026). */
export const JUNE = Date.UTC(2026, 5, 1, 12);
/** An event time in another day (10 May 2026). */
export const MAY = Date.UTC(2026, 4, 10, 12);
/** An amount of 38 significant digits: X + 0.25 or X − (−X) needs 39. */
export const X = '1234567890123456789012345678901234567.8';

/**
 * Rollup `name`: count `n` and sum `amt` of `amount` per `g`, by day and all time, times in epoch ms `ts`.
 *
 * @example
 * ```ts
 * const rollup = wideRollup('tw');
 * ```
 */
export function wideRollup(name: string) {
  return defineRollup({
    name,
    groupBy: 'g',
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['day', 'all'],
    measures: { n: count(), amt: sum('amount') },
  });
}

/**
 * An item of group `g` at `ts` with `amount`, in DynamoDB JSON.
 *
 * @example
 * ```ts
 * image('a', JUNE, X);
 * ```
 */
export function image(id: string, ts: number, amount: string) {
  return { id: { S: id }, g: { S: 'g' }, ts: { N: String(ts) }, amount: { N: amount } };
}

/** An item of {@link image}. */
export type WideImage = ReturnType<typeof image>;

/**
 * The stream record of sequence number `seq` (21 digits) taking an item from `old` (undefined: an INSERT) to `neu`.
 *
 * @example
 * ```ts
 * const r = record(1, undefined, image('a', JUNE, X));
 * ```
 */
export function record(seq: number, old: WideImage | undefined, neu: WideImage): DynamoDBRecord {
  return {
    eventID: `e${seq}`,
    eventName: old === undefined ? 'INSERT' : 'MODIFY',
    eventSourceARN: ARN,
    dynamodb: {
      SequenceNumber: String(seq).padStart(21, '0'),
      ApproximateCreationDateTime: JUNE / 1000,
      Keys: { id: neu.id },
      ...(old === undefined ? {} : { OldImage: old }),
      NewImage: neu,
    } as never,
  };
}

/**
 * What the oracle says the month and all-time rows of {@link wideRollup} hold (`[n, amt]`, canonical decimals)
 * once `records` are applied in order, those of sequence numbers `lettered` left out (dead-lettered: no trace in
 * any aggregate): the items' final images, each counted once, all in June.
 *
 * @example
 * ```ts
 * oracleRows([record(10, undefined, image('i1', JUNE, X))], []); // ['1', X]
 * ```
 */
export function oracleRows(
  records: readonly DynamoDBRecord[],
  lettered: readonly number[],
): [string, string] {
  const items = new Map<string, string>();
  for (const r of records) {
    if (lettered.includes(Number(r.dynamodb?.SequenceNumber))) continue;
    const neu = r.dynamodb?.NewImage as WideImage;
    items.set(neu.id.S, neu.amount.N);
  }
  let sum = new Decimal(0);
  for (const amount of items.values()) sum = sum.plus(amount);
  return [String(items.size), sum.toString()];
}

/**
 * A stored row's `[n, amt]` as canonical decimals (DynamoDB Local pads fractions with zeros), for {@link oracleRows}.
 *
 * @example
 * ```ts
 * canonical(item.n_1?.N, item.amt_1?.N); // ['2', '7.25']
 * ```
 */
export function canonical(n: string | undefined, amt: string | undefined): [string, string] {
  return [
    n === undefined ? '0' : new Decimal(n).toString(),
    amt === undefined ? '0' : new Decimal(amt).toString(),
  ];
}
