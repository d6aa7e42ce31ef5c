import { DynotallyError } from '../errors/index.ts';
import type { ExistenceGuesses } from './existence-guesses.ts';

/**
 * How row and min / max / last writes reach DynamoDB.
 *
 * - `partiql` (default): 25 statements a `BatchExecuteStatement` request, each billed and conditioned as a
 *   single write (`INSERT` for rows never seen, `UPDATE … SET a = a + ?` for known rows). Whatever the store
 *   rejects falls back to `UpdateItem` for that row, so a difference between stores costs speed, never a count.
 *   Needs the `dynamodb:PartiQLInsert` and `dynamodb:PartiQLUpdate` permissions (without them every row falls
 *   back to `UpdateItem`).
 * - `update-item`: one `UpdateItem` per row and per extremum.
 *
 * @example
 * ```ts
 * const write: WriteOptions = { api: 'update-item' };
 * new Applier({ client, table: 'aggregates', rollups: [jobs], write });
 * ```
 */
export interface WriteOptions {
  api?: WriteApi;
}

/** The write API of {@link WriteOptions}. */
export type WriteApi = 'partiql' | 'update-item';

const APIS: readonly string[] = ['partiql', 'update-item'];

/**
 * The write API to use, checked (a typo from plain JavaScript is `CONFIG_INVALID`, not a silent default).
 *
 * @example
 * ```ts
 * writeApi({ api: 'update-item' }); // 'update-item'
 * writeApi(undefined); // 'partiql'
 * ```
 */
export function writeApi(options: WriteOptions | undefined): WriteApi {
  const api = options?.api;
  if (api === undefined) return 'partiql';
  if (!APIS.includes(api))
    throw new DynotallyError(
      'CONFIG_INVALID',
      `write.api is ${JSON.stringify(api)}: expected 'partiql' (the default) or 'update-item'`,
      { details: { 'write.api': api } },
    );
  return api;
}

/**
 * What an applier has learnt at run time about the store's PartiQL: `ifNotExists` turns false once an
 * `if_not_exists(a, 0) + ?` statement was rejected and the same row then went through `UpdateItem` (the
 * service does not document that function for PartiQL); `enabled` turns false when PartiQL is not allowed
 * at all (no permission, unknown operation).
 *
 * @example
 * ```ts
 * const state: PartiqlState = { enabled: true, ifNotExists: true };
 * ```
 */
export interface PartiqlState {
  enabled: boolean;
  ifNotExists: boolean;
  /**
   * Whether requests still ask for `ReturnConsumedCapacity` (absent: yes). Turns false once the store answered
   * a request that asked without reporting capacity (DynamoDB Local, for PartiQL): the answer never comes, the
   * question costs the store CPU, and the write units are estimated from the rows' sizes either way.
   */
  askCapacity?: boolean;
  /**
   * Whether a sampled row is written by PartiQL and read back afterwards (absent: yes) rather than written by an
   * `UpdateItem` that returns the old row. Turns false when the read is refused (`AccessDeniedException`).
   */
  readBack?: boolean;
  /**
   * Whether a row this applier does not know is sent as an `INSERT` or an `UPDATE`, learnt per row kind (absent:
   * always an `INSERT`).
   */
  guesses?: ExistenceGuesses;
}
