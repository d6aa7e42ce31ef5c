import { DynotallyError } from '../errors/index.ts';

// The refusals of buffer-owner.ts: what the table's owner item says against this buffer, and what to do.

/** How to hand a table over: remove the owner item's id (the next claim records the Redis' id). */
function handOver(table: string, prefix: string): string {
  return `dynotally buffer release --key-prefix '${prefix}' --table ${table} (releaseTableBuffer in code; or aws dynamodb update-item --table-name ${table} --key '{"pk":{"S":"~rbo"},"sk":{"S":"owner"}}' --update-expression 'REMOVE id')`;
}

/** How to move a table to another buffer, once the old one is flushed and stopped: forget the owner item. */
function forget(table: string, prefix: string): string {
  return `dynotally buffer forget --key-prefix '${prefix}' --table ${table} (forgetTableBuffer in code; the item pk = '~rbo', sk = 'owner')`;
}

/**
 * The table is written by a buffer with another key prefix.
 *
 * @example
 * ```ts
 * throw otherPrefix('aggregates', 'dynotally:{a}:', 'dynotally:{b}:');
 * ```
 */
export function otherPrefix(table: string, owner: string, prefix: string): DynotallyError {
  return new DynotallyError(
    'CONFIG_INVALID',
    `the aggregate table '${table}' is written by the Redis buffer with key prefix '${owner}', and this part uses key prefix '${prefix}': an aggregate table takes one buffer (rows carry one flush marker), so the two would drop each other's flushes. Use keyPrefix '${owner}' (--key-prefix) if this is the same buffer, or give this buffer its own table. To move the table to a new prefix, stop the old buffer's appliers, flush it (dynotally flush --all --key-prefix '${owner}'), stop its flushers, then ${forget(table, owner)}`,
    { details: { table, tableBuffer: owner, keyPrefix: prefix } },
  );
}

/**
 * The table is written by a buffer with this key prefix on another Redis server (`id`: this Redis' buffer id under
 * the prefix), or on a Redis that lost its data (`id` undefined).
 *
 * @example
 * ```ts
 * throw otherServer('aggregates', 'dynotally:{buffer}:', '5f0c…', undefined);
 * ```
 */
export function otherServer(
  table: string,
  prefix: string,
  ownerId: string,
  id: string | undefined,
): DynotallyError {
  const details = {
    table,
    tableBuffer: prefix,
    tableBufferId: ownerId,
    keyPrefix: prefix,
    bufferId: id ?? null,
  };
  const shared = `an aggregate table takes one buffer (rows carry one flush marker), so two servers would drop each other's flushes. Give every Redis server its own key prefix and its own table`;
  if (id !== undefined) {
    return new DynotallyError(
      'CONFIG_INVALID',
      `the aggregate table '${table}' is written by the Redis buffer '${ownerId}' (key prefix '${prefix}'), and this Redis holds another buffer under that prefix ('${id}'): it is another Redis server using the same key prefix; ${shared}. To move the table to this Redis, stop the old buffer's appliers, flush it (dynotally flush --all on it), stop its flushers, then ${forget(table, prefix)}`,
      { details },
    );
  }
  return new DynotallyError(
    'CONFIG_INVALID',
    `the aggregate table '${table}' is written by the Redis buffer '${ownerId}' (key prefix '${prefix}'), and this Redis holds no buffer id under that prefix (key '${prefix}id'): either it is another Redis server using the same key prefix (${shared}), or it is the buffer's Redis and lost its data (a restart without persistence, a replica that never received the id), and with it the counts it held. If no other Redis serves this prefix for the table, hand the table to this one: ${handOver(table, prefix)}`,
    { details },
  );
}

/**
 * The owner item changed under the claim again and again (deleted and written by hand in between).
 *
 * @example
 * ```ts
 * throw unsettled('aggregates', 'dynotally:{buffer}:');
 * ```
 */
export function unsettled(table: string, prefix: string): DynotallyError {
  return new DynotallyError(
    'CONFIG_INVALID',
    `the aggregate table '${table}' could not record its Redis buffer (key prefix '${prefix}'): its owner item changed under every attempt`,
    { details: { table, keyPrefix: prefix } },
  );
}
