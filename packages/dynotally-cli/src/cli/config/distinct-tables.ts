import { DynotallyError } from 'dynotally';
import type { Settings } from './settings.ts';

/**
 * One of the tables the settings name: `source`, `aggregate`, `deadLetter` or `leases`.
 *
 * @example
 * ```ts
 * const role: TableRole = 'deadLetter';
 * ```
 */
export type TableRole = keyof Settings['tables'];

/**
 * The tables a command uses: the settings' roles it reads or writes, and its claim table (`--claim-table`) when it
 * has one. {@link checkDistinctTables} compares only these, so a command is not refused for a clash between
 * tables it never touches.
 *
 * @example
 * ```ts
 * const uses: TableUse = { tables: ['source', 'aggregate', 'deadLetter'], claimTable: 'dynotally-claims' };
 * ```
 */
export interface TableUse {
  readonly tables: readonly TableRole[];
  readonly claimTable?: string | undefined;
}

/** How a role's name is given: the flag, its environment variable and the config file's key. */
const GIVEN_AS: Record<TableRole, string> = {
  aggregate: '--table (DYNOTALLY_TABLE, tables.aggregate)',
  source: '--source-table (DYNOTALLY_SOURCE_TABLE, tables.source)',
  deadLetter: '--dead-letter-table (DYNOTALLY_DEAD_LETTER_TABLE, tables.deadLetter)',
  leases: '--lease-table (DYNOTALLY_LEASE_TABLE, tables.leases)',
};

/**
 * Refuses one table name given for two of the roles a command uses (aggregate, source, dead-letter, lease, claim):
 * each role has its own key schema, so the command would create or write one as the other (`tables create --table X
 * --source-table X` made X a source table, then failed advising to delete it).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the two flags (with their variables and config keys) and the name.
 * @example
 * ```ts
 * checkDistinctTables({ source: 'orders', aggregate: 'orders', deadLetter: 'dl', leases: 'l' }, { tables: ['source', 'aggregate'] });
 * // throws: --table (…) and --source-table (…) both name 'orders': they must be different tables
 * ```
 */
export function checkDistinctTables(tables: Settings['tables'], uses: TableUse): void {
  const named: { as: string; name: string }[] = uses.tables.map((role) => ({
    as: GIVEN_AS[role],
    name: tables[role],
  }));
  if (uses.claimTable !== undefined) named.push({ as: '--claim-table', name: uses.claimTable });
  const seen = new Map<string, string>();
  for (const { as, name } of named) {
    const first = seen.get(name);
    if (first !== undefined)
      throw new DynotallyError(
        'CONFIG_INVALID',
        `${first} and ${as} both name '${name}': they must be different tables (each has its own key schema); give one of them another name`,
        { details: { table: name, settings: [first, as] } },
      );
    seen.set(name, as);
  }
}
