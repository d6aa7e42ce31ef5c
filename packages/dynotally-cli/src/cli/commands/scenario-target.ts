import { DynotallyError } from 'dynotally';
import { shownText } from 'dynotally/local';
import { isLoopbackEndpoint } from '../config/clients.ts';

/**
 * Where `scenario run` is about to write: the source table and the endpoint (`AWS` when none is set).
 *
 * @example
 * ```ts
 * scenarioTargetLine('dynotally-source', 'http://127.0.0.1:8000');
 * // "scenario run: writing generated events to table 'dynotally-source' at http://127.0.0.1:8000\n"
 * ```
 */
export function scenarioTargetLine(table: string, endpoint: string | undefined): string {
  return `scenario run: writing generated events to table '${table}' at ${endpoint ?? 'AWS (no --endpoint set)'}\n`;
}

/**
 * Refuses to write generated events to a table that is not on this machine unless `--yes-write-to` names that very
 * table. A loopback endpoint (DynamoDB Local) needs no confirmation; a remote endpoint, or none (AWS), does. The
 * confirmation names the table rather than being a bare `--yes`, so it cannot be typed from habit or carried over
 * from another command line: it only passes when it repeats the table the settings resolved to.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the table, the endpoint and the flag to add.
 * @example
 * ```ts
 * checkScenarioTarget('orders', 'http://127.0.0.1:8000', undefined); // loopback: fine
 * checkScenarioTarget('orders', undefined, 'orders'); // AWS, confirmed: fine
 * checkScenarioTarget('orders', undefined, undefined); // throws CONFIG_INVALID
 * ```
 */
export function checkScenarioTarget(
  table: string,
  endpoint: string | undefined,
  confirmed: string | undefined,
): void {
  if (endpoint !== undefined && isLoopbackEndpoint(endpoint)) return;
  if (confirmed === table) return;
  const where = endpoint === undefined ? 'AWS (no --endpoint set)' : endpoint;
  const given =
    confirmed === undefined
      ? ''
      : ` (--yes-write-to names '${shownText(confirmed)}', not the source table '${table}')`;
  throw new DynotallyError(
    'CONFIG_INVALID',
    `scenario run writes generated demo items (keys pk/sk) into the source table '${table}' at ${where}, which is not on this machine${given}: add --yes-write-to ${table} if that table is meant for demo data, or give a local --endpoint such as http://127.0.0.1:8000`,
    { details: { table, endpoint: endpoint ?? null } },
  );
}
