// fast-check generators for source items and operation sequences with tricky groups and times.

import type { AttributeValue } from 'aws-lambda';
import fc from 'fast-check';
import type { Img, Op } from './stream-sim.ts';

export const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu'] as const;

// DST changes, month/year ends and local midnights (± a few ms) in the test zones
const ANCHORS = [
  Date.UTC(2026, 2, 29, 1, 0, 0), // London spring forward
  Date.UTC(2026, 9, 25, 1, 0, 0), // London fall back
  Date.UTC(2026, 2, 8, 7, 0, 0), // New York spring forward
  Date.UTC(2026, 10, 1, 6, 0, 0), // New York fall back
  Date.UTC(2026, 11, 31, 23, 59, 59, 999), // year end UTC
  Date.UTC(2026, 0, 31, 18, 14, 59, 999), // Kathmandu midnight − 1 ms (+5:45)
  Date.UTC(2026, 4, 31, 18, 29, 59, 999), // Kolkata midnight − 1 ms (+5:30)
  Date.UTC(2026, 10, 22, 4, 59, 59, 999), // New York midnight − 1 ms
];

export const timeArb: fc.Arbitrary<number> = fc.oneof(
  fc
    .tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 }))
    .map(([a, d]) => a + d),
  fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: -2, max: 2 })).map(([a, d]) => a + d),
);

export const groupArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.constantFrom('', 'a', 'a#b', '%23', 'sa', 'ü', '1', 'x%y').map((s) => ({ S: s })),
  fc.constantFrom('1', '2', '1.5').map((n) => ({ N: n })),
);

const amountArb = fc.oneof(
  fc.integer({ min: -50, max: 500 }).map(String),
  fc
    .tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 99 }))
    .map(([a, b]) => `${a}.${String(b).padStart(2, '0')}`),
  fc.constant('12345678901234567890.123456789'),
);

/**
 * {@link amountArb} and sums that leave the fold's integer fast paths: integers next to 2^53 (a row's sum passes
 * Number.MAX_SAFE_INTEGER and must go on exactly as a decimal) and decimals of 15 significant digits (a fixed-scale
 * sum passes 15 digits). For the oracle of the fold (a lossy safe-integer path passes {@link amountArb}'s range).
 */
const wideAmountArb = fc.oneof(
  amountArb,
  fc.integer({ min: -3, max: 3 }).map((d) => String(2 ** 53 - 2 + d)),
  fc.constantFrom('999999999999.99', '-999999999999.99', '0.000000000000001', '4503599627370495.5'),
);

const itemOf = (amounts: fc.Arbitrary<string>): fc.Arbitrary<Img> =>
  fc.record({
    g: groupArb,
    t: timeArb.map((t) => ({ N: String(t) })),
    type: fc.constantFrom('order', 'view').map((s) => ({ S: s })),
    amount: amounts.map((n) => ({ N: n })),
  });

export const itemArb: fc.Arbitrary<Img> = itemOf(amountArb);

/** {@link itemArb} with amounts whose sums pass 2^53 and 15 significant digits ({@link wideAmountArb}). */
export const wideItemArb: fc.Arbitrary<Img> = itemOf(wideAmountArb);

export const opsArb = (keys = 8, maxLength = 60, items: fc.Arbitrary<Img> = itemArb): fc.Arbitrary<Op[]> => {
  const key = fc.integer({ min: 0, max: keys - 1 }).map((i) => `k${i}`);
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key, item: items }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key, ttl: fc.boolean() }) },
  );
  // size 'max': lengths spread over the whole 1..maxLength range (fast-check's default size caps them
  // near a dozen, too short to move one key through several groups and back).
  // identical re-writes: repeat a previous put verbatim
  return fc.array(op, { minLength: 1, maxLength, size: 'max' }).chain((ops) =>
    fc.array(fc.integer({ min: 0, max: ops.length - 1 }), { maxLength: 5 }).map((dups) => {
      const out = [...ops];
      for (const d of dups) {
        const o = ops[d]!;
        if (o.kind === 'put') out.splice(d + 1, 0, o);
      }
      return out;
    }),
  );
};

/** Random cut points turning `n` records into batches. */
export const cutsArb = (max: number) =>
  fc.array(fc.integer({ min: 1, max: Math.max(1, max) }), { maxLength: 6 });

export function cut<T>(items: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.filter((c) => c < items.length))].sort((a, b) => a - b);
  const out: T[][] = [];
  let prev = 0;
  for (const p of [...points, items.length]) {
    if (p > prev) out.push(items.slice(prev, p));
    prev = p;
  }
  return out;
}
