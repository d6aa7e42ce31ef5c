import { describe, expect, it } from 'vitest';
import { InsertTexts, MAX_INSERT_TEXTS } from './insert-texts.ts';

describe('InsertTexts', () => {
  it('builds each text once, per table and shape, and stays right when the tree is dropped at its bound', () => {
    const texts = new InsertTexts();
    const text = (table: string, ttl: boolean, names: string[]) => {
      let node = texts.root(table, ttl, false);
      for (const n of names) node = texts.field(node, n);
      return texts.statement(node);
    };
    const a = text('agg', true, ['orders', "it's"]);
    expect(a).toBe(
      `INSERT INTO "agg" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?, 'ttl': ?, 'orders': ?, 'it''s': ?}`,
    );
    expect(text('agg', true, ['orders', "it's"])).toBe(a);
    expect(text('a"b', false, [])).toBe(`INSERT INTO "a""b" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?}`);
    for (let i = 0; i < MAX_INSERT_TEXTS + 10; i++) {
      expect(text('agg', false, ['x', `n${i}`])).toBe(
        `INSERT INTO "agg" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?, 'x': ?, 'n${i}': ?}`,
      );
    }
    expect(text('agg', true, ['orders', "it's"])).toBe(a);
  });
});
