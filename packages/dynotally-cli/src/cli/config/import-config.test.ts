import { describe, expect, it } from 'vitest';
import { esModuleOf } from './import-config.ts';

describe('esModuleOf', () => {
  it('unwraps a CommonJS module compiled from ES syntax', () => {
    const config = { rollups: [] };
    const exports = { __esModule: true, default: config };
    expect(esModuleOf({ default: exports })).toBe(exports);
  });

  it('keeps an ES module namespace, and a plain CommonJS module as its default', () => {
    const esm = { default: { rollups: [] }, config: undefined };
    expect(esModuleOf(esm)).toBe(esm);
    const cjs = { default: { rollups: [] } };
    expect(esModuleOf(cjs)).toBe(cjs);
    expect(esModuleOf({ default: null })).toEqual({ default: null });
  });
});
