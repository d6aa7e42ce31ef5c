import { describe, expect, it } from 'vitest';
import { packStatements } from '../apply/batch-statements.ts';
import { extremumUpdateStatement, rowInsertStatement, rowUpdateStatement } from './partiql-params.ts';
import type { ExtremumWrite, RowWrite } from './row-write.ts';

const row: RowWrite = {
  rollup: 'store',
  pk: 'store#sstore-1',
  sk: 'M2026-11',
  adds: [
    ['orders', 3],
    ['orders_22', 3],
  ],
  ttl: 1_800_000_000,
  leaderboard: { key: 'store#M2026-11#0', delta: 3 },
  firstSeq: `${'0'.repeat(39)}1`,
  lastSeq: `${'0'.repeat(39)}9`,
  lastApproxMs: 1_763_800_000_000,
};
const watermark = { attr: 'w_abc', value: `${'0'.repeat(39)}9|1763800000`, first: `${'0'.repeat(39)}1` };

describe('PartiQL statements (exact output)', () => {
  it('INSERT carries every value, the watermark and the bookkeeping', () => {
    expect(rowInsertStatement('agg', row, { now: 5, watermark })).toEqual({
      Statement: `INSERT INTO "agg" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?, 'ttl': ?, 'lbk': ?, 'lbv': ?, 'w_abc': ?, 'orders': ?, 'orders_22': ?}`,
      Parameters: [
        { S: 'store#sstore-1' },
        { S: 'M2026-11' },
        { N: '5' },
        { N: '1800000000' },
        { S: 'store#M2026-11#0' },
        { N: '3' },
        { S: watermark.value },
        { N: '3' },
        { N: '3' },
      ],
    });
  });

  it('UPDATE adds with a + ?, if_not_exists only for the attributes the row may lack, conditioned on the watermark', () => {
    const s = rowUpdateStatement('agg', row, { now: 5, watermark, absent: new Set(['orders_22']) });
    expect(s.Statement).toBe(
      'UPDATE "agg" SET "updatedAt" = ? SET "ttl" = ? SET "lbk" = ? SET "lbv" = "lbv" + ? SET "w_abc" = ? SET "orders" = "orders" + ? ' +
        'SET "orders_22" = if_not_exists("orders_22", 0) + ? WHERE "pk" = ? AND "sk" = ? AND ("w_abc" IS MISSING OR "w_abc" < ?)',
    );
    expect(s.Parameters).toEqual([
      { N: '5' },
      { N: '1800000000' },
      { S: 'store#M2026-11#0' },
      { N: '3' },
      { S: watermark.value },
      { N: '3' },
      { N: '3' },
      { S: 'store#sstore-1' },
      { S: 'M2026-11' },
      { S: watermark.first },
    ]);
    expect(s.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
    const plain = rowUpdateStatement(
      'agg',
      { ...row, leaderboard: undefined, ttl: undefined },
      { now: 5, absent: 'all' },
    );
    expect(plain.Statement).toBe(
      'UPDATE "agg" SET "updatedAt" = ? SET "orders" = if_not_exists("orders", 0) + ? SET "orders_22" = if_not_exists("orders_22", 0) + ? WHERE "pk" = ? AND "sk" = ?',
    );
    expect(plain.ReturnValuesOnConditionCheckFailure).toBeUndefined();
  });

  it('quotes identifiers', () => {
    expect(
      rowUpdateStatement(
        'a"b',
        { ...row, adds: [['x', 1]], leaderboard: undefined, ttl: undefined },
        { now: 1 },
      ).Statement,
    ).toBe('UPDATE "a""b" SET "updatedAt" = ? SET "x" = "x" + ? WHERE "pk" = ? AND "sk" = ?');
  });

  it('extremum UPDATEs are conditioned like UpdateItem and ask for the old item', () => {
    const max: ExtremumWrite = {
      rollup: 'e',
      pk: 'p',
      sk: 'D1',
      attr: 'peak',
      op: 'max',
      value: 7,
      time: 10,
      ttl: undefined,
    };
    expect(extremumUpdateStatement('agg', max, { now: 1 })).toEqual({
      Statement:
        'UPDATE "agg" SET "peak" = ? SET "updatedAt" = ? WHERE "pk" = ? AND "sk" = ? AND ("peak" IS MISSING OR "peak" < ?)',
      Parameters: [{ N: '7' }, { N: '1' }, { S: 'p' }, { S: 'D1' }, { N: '7' }],
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    const last = extremumUpdateStatement('agg', { ...max, op: 'last', attr: 'power', ttl: 99 }, { now: 1 });
    expect(last.Statement).toBe(
      `UPDATE "agg" SET "power" = ? SET "updatedAt" = ? SET "power_t" = ? SET "ttl" = ? WHERE "pk" = ? AND "sk" = ? AND ("power_t" IS MISSING OR "power_t" < ? OR ("power_t" = ? AND (attribute_type("power", 'BOOL') OR "power" < ?)))`,
    );
    const word = extremumUpdateStatement('agg', { ...max, op: 'last', attr: 's', value: 'on' }, { now: 1 });
    expect(word.Statement).toBe(
      `UPDATE "agg" SET "s" = ? SET "updatedAt" = ? SET "s_t" = ? WHERE "pk" = ? AND "sk" = ? AND ("s_t" IS MISSING OR "s_t" < ? OR ("s_t" = ? AND (attribute_type("s", 'BOOL') OR attribute_type("s", 'N') OR "s" < ?)))`,
    );
    expect(word.Parameters?.slice(-3)).toEqual([{ N: '10' }, { N: '10' }, { S: 'on' }]);
    const yes = extremumUpdateStatement('agg', { ...max, op: 'last', attr: 's', value: true }, { now: 1 });
    expect(yes.Statement).toBe(
      'UPDATE "agg" SET "s" = ? SET "updatedAt" = ? SET "s_t" = ? WHERE "pk" = ? AND "sk" = ? AND ("s_t" IS MISSING OR "s_t" < ? OR ("s_t" = ? AND ("s" = false)))',
    );
    expect(yes.Parameters?.slice(-2)).toEqual([{ N: '10' }, { N: '10' }]);
    const no = extremumUpdateStatement('agg', { ...max, op: 'last', attr: 's', value: false }, { now: 1 });
    expect(no.Statement).toBe(
      'UPDATE "agg" SET "s" = ? SET "updatedAt" = ? SET "s_t" = ? WHERE "pk" = ? AND "sk" = ? AND ("s_t" IS MISSING OR "s_t" < ?)',
    );
  });
});

describe('packStatements', () => {
  it('puts at most 25 statements in a request and never two on one key', () => {
    const s = { Statement: 'x' };
    const items = [
      ...Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, statement: s })),
      { key: 'k0', statement: s },
      { key: 'k0', statement: s },
    ];
    const packed = packStatements(items);
    for (const req of packed) {
      expect(req.length).toBeLessThanOrEqual(25);
      expect(new Set(req.map((i) => items[i]?.key)).size).toBe(req.length);
    }
    expect(packed.flat().sort((a, b) => a - b)).toEqual(items.map((_, i) => i));
    expect(packed).toHaveLength(3);
  });
});
