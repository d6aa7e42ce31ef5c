// A group whose hints are lost while the buffer still takes its hints for known: what a write the flusher never saw
// leaves (a direct write of `onRedisDown: 'direct'` during an outage, a dead-letter replay): DynamoDB holds a wide
// value no hint says, and a record that cannot be added to it is buffered, to be refused with its row at the flush.
import type { Redis } from 'ioredis';
import { bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
import { KNOWN_FIELD } from '../../packages/dynotally/src/redis/known-groups.ts';

/**
 * Removes every hint of a group and their versions, keeping the field that says its hints are known (so the applier
 * does not read the group's rows again, as it would once the whole key is gone: test/redis/known-groups.int.test.ts).
 *
 * @example
 * ```ts
 * await loseHints(env.redis, keyPrefix, 'money#sg');
 * ```
 */
export async function loseHints(redis: Redis, prefix: string, pk: string): Promise<void> {
  const keys = bufferKeys(prefix);
  const fields = Object.keys(await redis.hgetall(keys.hints(pk))).filter((f) => f !== KNOWN_FIELD);
  if (fields.length > 0) await redis.hdel(keys.hints(pk), ...fields);
  await redis.del(keys.hintVersions(pk));
  if ((await redis.hexists(keys.hints(pk), KNOWN_FIELD)) !== 1) throw new Error(`group ${pk} is not known`);
}
