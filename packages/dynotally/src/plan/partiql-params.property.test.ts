// The PartiQL row statements equal, byte for byte, the reference spelled out as first written (fields joined,
// identifiers quoted on each use), whatever the names (quotes included), the row's parts and the watermark.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  referenceInsertStatement,
  referenceUpdateStatement,
} from '../../../../test/oracle/partiql-statements.ts';
import { Dec } from '../numbers/index.ts';
import { rowInsertStatement, rowUpdateStatement } from './partiql-params.ts';
import type { RowWrite } from './row-write.ts';
import type { RowWatermark } from './update-params.ts';

// few names, so that caches are hit as well as filled; quotes of both kinds and an empty name included
const nameArb = fc.constantFrom(
  'orders',
  'orders_22',
  'revenue',
  'a"b',
  "it's",
  '',
  '~Xx3f_Q2a',
  'w_5d41402abc4b',
);
const seqArb = fc.bigInt({ min: 0n, max: 10n ** 40n - 1n }).map((n) => n.toString().padStart(40, '0'));
const numArb = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(new Dec('12.5'), new Dec('-0.001'), new Dec('123456789012345678901234567890')),
);
const avArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  seqArb.map((S): AttributeValue => ({ S })),
  fc.bigInt({ min: 0n, max: 10n ** 38n - 1n }).map((n): AttributeValue => ({ N: n.toString() })),
);
const valueArb: fc.Arbitrary<string | AttributeValue> = fc.oneof(seqArb, avArb);

const rowArb: fc.Arbitrary<RowWrite> = fc.record({
  rollup: fc.constant('r'),
  pk: fc.constantFrom('store#s1', 'p"q', "x'y"),
  sk: fc.constantFrom('M2026-11', 'ALL'),
  adds: fc.uniqueArray(fc.tuple(nameArb, numArb), { minLength: 1, maxLength: 6, selector: (a) => a[0] }),
  ttl: fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: undefined }),
  leaderboard: fc.option(fc.record({ key: fc.constantFrom('r#M#0', 'r#ALL#3'), delta: numArb }), {
    nil: undefined,
  }),
  firstSeq: seqArb,
  lastSeq: seqArb,
  lastApproxMs: fc.integer({ min: 0, max: 2_000_000_000_000 }),
});

const watermarkArb: fc.Arbitrary<RowWatermark | undefined> = fc.option(
  fc.record(
    {
      attr: nameArb,
      value: valueArb,
      first: valueArb,
      also: fc.record({ attr: nameArb, first: avArb }),
      remove: nameArb,
      drop: fc.array(nameArb, { maxLength: 4 }),
      refusedBy: nameArb,
    },
    { requiredKeys: ['attr', 'value', 'first'] },
  ),
  { nil: undefined },
);

const tableArb = fc.constantFrom('aggregates', 'a"b', 'agg');
const nowArb = fc.constantFrom(5, 1_764_000_000_000, 1_764_000_000_001);
const absentArb = fc.oneof(
  fc.constant(undefined),
  fc.constant('all' as const),
  fc.uniqueArray(nameArb, { maxLength: 4 }).map((a) => new Set(a)),
);

describe('PartiQL row statements equal the reference', () => {
  it('INSERT', () => {
    fc.assert(
      fc.property(tableArb, rowArb, nowArb, watermarkArb, (table, row, now, watermark) => {
        const options = { now, watermark };
        expect(rowInsertStatement(table, row, options)).toStrictEqual(
          referenceInsertStatement(table, row, options),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('UPDATE', () => {
    fc.assert(
      fc.property(tableArb, rowArb, nowArb, watermarkArb, absentArb, (table, row, now, watermark, absent) => {
        const options = { now, watermark, absent };
        expect(rowUpdateStatement(table, row, options)).toStrictEqual(
          referenceUpdateStatement(table, row, options),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
