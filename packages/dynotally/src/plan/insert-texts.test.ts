import { describe, expect, it } from 'vitest';
import { InsertTexts, MAX_INSERT_TEXTS, MAX_REMEMBERED_FIELDS } from './insert-texts.ts';

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

  it(`remembers texts ${MAX_REMEMBERED_FIELDS} fields deep, and makes deeper ones anew, as the same text`, () => {
    const texts = new InsertTexts();
    const path = (names: string[]) => {
      let node = texts.root('agg', false, false);
      for (const n of names) node = texts.field(node, n);
      return node;
    };
    const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const expected = `INSERT INTO "agg" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?${names.map((n) => `, '${n}': ?`).join('')}}`;
    expect(texts.statement(path(names))).toBe(expected);
    expect(texts.statement(path(names))).toBe(expected);
    const shallow = names.slice(0, MAX_REMEMBERED_FIELDS);
    expect(path(shallow)).toBe(path(shallow)); // remembered: the same node
    const deep = names.slice(0, MAX_REMEMBERED_FIELDS + 1);
    expect(path(deep)).not.toBe(path(deep)); // not kept
    expect(path(deep).depth).toBe(MAX_REMEMBERED_FIELDS + 1);
  });
});
