import { DynotallyError } from '../errors/index.ts';
import { shownValue } from '../strings/shown-value.ts';

/**
 * Checks the options of `createQueryClient` and `createServingQueryClient` that their own checks do not reach, so a
 * mistake is refused when the client is made instead of as a `TypeError` in every call: `rollups` must be a list
 * (`rollups: jobs` is the commonest slip), `now` a clock (a function), `liveSource` / `live` a live source (`read`,
 * `readRanked`, `markerAttribute`), and `client` a DynamoDB client (something with `send`). `call` names the factory
 * in messages.
 *
 * @throws {DynotallyError} `CONFIG_INVALID` naming the option and what it takes.
 * @example
 * ```ts
 * checkQueryClientOptions({ client, table: 'aggregates', rollups: jobs }, 'createQueryClient'); // throws CONFIG_INVALID
 * ```
 */
export function checkQueryClientOptions(options: unknown, call: string): void {
  if (options === null || typeof options !== 'object') {
    throw new DynotallyError('CONFIG_INVALID', `${call} takes { client | clientConfig, table, rollups }`, {
      details: { options: shownValue(options) },
    });
  }
  const o = options as Record<string, unknown>;
  if (!Array.isArray(o.rollups)) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `rollups must be a list of rollups made with defineRollup(...), not ${describe(o.rollups)}: ${call}({ …, rollups: [jobs, store] })`,
      { details: { option: 'rollups' } },
    );
  }
  if (o.now !== undefined && typeof o.now !== 'function') {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `now must be a function returning epoch milliseconds (the clock), not ${describe(o.now)}: now: () => Date.UTC(2026, 10, 22)`,
      { details: { option: 'now' } },
    );
  }
  for (const key of ['liveSource', 'live'] as const) {
    const v = o[key];
    if (v === undefined || v === null || isLiveSource(v)) continue;
    throw new DynotallyError(
      'CONFIG_INVALID',
      `${key} must be a live source (read, readRanked, markerAttribute), not ${describe(v)}: the Redis buffer's is createRedisLiveSource({ redis, rollups }) from 'dynotally/redis'`,
      { details: { option: key } },
    );
  }
  const client = o.client;
  if (
    client !== undefined &&
    (client === null || typeof (client as { send?: unknown }).send !== 'function')
  ) {
    throw new DynotallyError(
      'CONFIG_INVALID',
      `client must be a DynamoDBClient (from @aws-sdk/client-dynamodb), not ${describe(client)}: pass { client: new DynamoDBClient({...}) }, or its configuration as { clientConfig: {...} }`,
      { details: { option: 'client' } },
    );
  }
}

function isLiveSource(v: unknown): boolean {
  const s = v as { read?: unknown; readRanked?: unknown; markerAttribute?: unknown };
  return (
    typeof v === 'object' &&
    typeof s.read === 'function' &&
    typeof s.readRanked === 'function' &&
    typeof s.markerAttribute === 'string'
  );
}

/** A short description of a wrong value: its JSON when short, else its kind. */
function describe(v: unknown): string {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const name = (v as { name?: unknown }).name;
    if ('compiled' in v && typeof name === 'string') return `the rollup '${name}' alone`;
    return 'an object without them';
  }
  const text = shownValue(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
