import { isDynotallyError } from 'dynotally';
import { describe, expect, it } from 'vitest';
import { checkDistinctTables } from './distinct-tables.ts';
import { DEFAULT_TABLES } from './settings.ts';

const tables = { ...DEFAULT_TABLES };

describe('checkDistinctTables', () => {
  it('accepts the default names, with the default claim table, for every role', () => {
    expect(() =>
      checkDistinctTables(tables, {
        tables: ['source', 'aggregate', 'deadLetter', 'leases'],
        claimTable: 'dynotally-claims',
      }),
    ).not.toThrow();
  });

  it('refuses one name for two used roles, naming both flags', () => {
    let thrown: unknown;
    try {
      checkDistinctTables(
        { ...tables, leases: 'dynotally-dead-letters' },
        { tables: ['deadLetter', 'leases'] },
      );
    } catch (e) {
      thrown = e;
    }
    expect(isDynotallyError(thrown) && thrown.code).toBe('CONFIG_INVALID');
    expect((thrown as Error).message).toMatch(
      /--dead-letter-table .* and --lease-table .* both name 'dynotally-dead-letters'/,
    );
  });

  it('refuses a claim table named as a used role', () => {
    expect(() =>
      checkDistinctTables(tables, { tables: ['aggregate'], claimTable: 'dynotally-aggregates' }),
    ).toThrow(/--table .* and --claim-table both name 'dynotally-aggregates'/);
  });

  it('ignores a clash between tables the command does not use', () => {
    expect(() =>
      checkDistinctTables({ ...tables, source: 'dynotally-leases' }, { tables: ['aggregate', 'deadLetter'] }),
    ).not.toThrow();
  });
});
