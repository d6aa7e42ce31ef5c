import { Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { DynotallyError } from '../errors/index.ts';

/**
 * The table props of {@link DynotallyAggregates} compared by {@link checkDistinctTables}.
 *
 * @example
 * ```ts
 * const role: TableProp = 'claimTable';
 * ```
 */
export type TableProp = 'sourceTable' | 'aggregateTable' | 'deadLetterTable' | 'claimTable';

/**
 * True when `a` and `b` are provably one table: the same object, the same ARN (a literal, or one token), or the same
 * name (a literal, or one token) unless both ARNs are literals (then the ARNs, which differ, decide: one name in two
 * accounts or regions). Two distinct tokens cannot be proven equal, so they count as different tables.
 */
function sameTable(a: ITable, b: ITable): boolean {
  if (a === b || a.tableArn === b.tableArn) return true;
  if (!Token.isUnresolved(a.tableArn) && !Token.isUnresolved(b.tableArn)) return false;
  return a.tableName === b.tableName;
}

/** How the error shows a table: its literal name, or its construct path when the name is known only at deploy. */
function shown(table: ITable): string {
  return Token.isUnresolved(table.tableName) ? table.node.path : `'${table.tableName}'`;
}

/**
 * Refuses one table given for two of the roles of {@link DynotallyAggregates} (`sourceTable`, `aggregateTable`,
 * `deadLetterTable`, `claimTable`): each role has its own key schema and its own rows, so the handler would consume
 * its own writes (the source as the aggregate table), fail every claim (the aggregate table as the claim table), or
 * the dead-letter commands would read aggregate rows as letters. Tables are compared as far as synth can tell
 * (the same `ITable`, or the same literal or token name or ARN).
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming both props and the table.
 * @example
 * ```ts
 * checkDistinctTables({ sourceTable: orders, aggregateTable: orders });
 * // throws: DynotallyAggregates: sourceTable and aggregateTable are the same table ('orders'): they must be different tables …
 * ```
 */
export function checkDistinctTables(tables: Partial<Record<TableProp, ITable | undefined>>): void {
  const given = (Object.entries(tables) as [TableProp, ITable | undefined][]).filter(
    (e): e is [TableProp, ITable] => e[1] !== undefined,
  );
  for (const [i, [first, a]] of given.entries()) {
    for (const [second, b] of given.slice(i + 1)) {
      if (sameTable(a, b))
        throw new DynotallyError(
          'CONFIG_INVALID',
          `DynotallyAggregates: ${first} and ${second} are the same table (${shown(a)}): they must be different tables (each has its own key schema); give one of them another table, or leave ${second} out and the construct creates one${second === 'claimTable' ? ' (with versions: true)' : ''}`,
          { details: { option: second, options: [first, second], table: shown(a) } },
        );
    }
  }
}
