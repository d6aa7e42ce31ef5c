// Review s25d (Redis buffer, two buffers writing the same aggregate rows): the flush marker `_fb` is one attribute
// per row, shared by every buffer, and a bucket is named only by the instant it closes. Two buffers — two key
// prefixes on one Redis (e.g. one per worker group, to spread a Redis Cluster's load over several hash tags, which
// the one-slot `{buffer}` tag otherwise forbids), or two Redis instances (two regions, two source tables feeding one
// rollup) — each with its own flusher, both name their 12:15 bucket 12:15. The first flush marks the rows
// `_fb = 12:15`; the second flusher's condition `_fb < 12:15` fails on every row it shares, so it counted them as
// `rowsAlreadyApplied` and dropped its cells: lost counts, silently (no error, no dead letter).
// Observed before the fix: two orders of one store, one per buffer, in the same quarter hour: the all-time row held
// n = 1, the second flush reported 2 rows already applied.
// Fixed by a loud refusal (redis/buffer-owner.ts): the table names its one buffer (item `~rbo`/`owner`, its key
// prefix, written once, conditionally, by the first applier or flusher), and an applier or flusher of another key
// prefix fails with CONFIG_INVALID naming both before it writes anything. These tests were break-checked by removing
// each check (the applier's, the flusher's) and the claim's re-read after a conditional failure.
// Session 29: two Redis servers using ONE key prefix were still one buffer to the table (pinned here by an
// `it.fails`: the second server's flush dropped its counts). Fixed by the buffer's id (redis/buffer-id.ts): a random
// id kept in Redis under the prefix (`<prefix>id`), recorded in the owner item beside the prefix; a Redis holding
// another id, or none (a second server starts empty — as does a Redis that lost its data, which is refused too and
// handed over by releaseTableBuffer), is refused before anything is written. A promoted replica holds the
// replicated id and goes on. Break-checked: the id comparison removed (the servers and lost-data tests fail), the
// adoption's condition removed (the concurrent adoption test fails), releaseTableBuffer made a no-op (the
// hand-over test fails).
import { DeleteItemCommand, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import {
  BUFFER_OWNER_KEY,
  claimTableBuffer,
  createBufferedApplier,
  createFlusher,
  releaseTableBuffer,
} from '../../packages/dynotally/src/redis/index.ts';
import { scanItems } from '../redis/harness.ts';
import { type LinkedReplica, linkedReplica } from '../redis/linked-replica.ts';
import { orderRecords, storeOrders } from '../redis/store-orders.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const orders = storeOrders({ granularities: ['day', 'all'] });
const env = useBufferEnv();

const START = Date.UTC(2026, 10, 22, 12, 1, 0);
const QUARTER = 15 * 60_000;

async function setup(name: string) {
  const { table, clock, common } = await env.fixture(name, [orders], START);
  const first = { ...common, bucketMs: QUARTER, keyPrefix: `${common.keyPrefix}a:{g1}:` };
  const second = { ...common, bucketMs: QUARTER, keyPrefix: `${common.keyPrefix}b:{g2}:` };
  const allRow = async () => (await scanItems(env.ddb, table)).find((i) => i.sk?.S === 'ALL');
  const ownerItem = async () => {
    const item = (await scanItems(env.ddb, table)).find((i) => i.pk?.S === BUFFER_OWNER_KEY.pk?.S);
    return item === undefined ? undefined : { prefix: item.prefix?.S, id: item.id?.S };
  };
  const owner = async () => (await ownerItem())?.prefix;
  const forget = () => env.ddb.send(new DeleteItemCommand({ TableName: table, Key: BUFFER_OWNER_KEY }));
  return { table, clock, first, second, allRow, owner, ownerItem, forget };
}

describe('review s25d: two buffers (key prefixes) flushing into one table', () => {
  it('a second buffer’s applier is refused, naming both prefixes, before it writes anything', async () => {
    const { clock, first, second, allRow, owner } = await setup('s25d2b');
    await createBufferedApplier(first).apply({
      records: [orderRecords(1000)('s-1', START)],
      shardId: 'shard-a',
    });
    expect(await owner()).toBe(first.keyPrefix);
    const refused = createBufferedApplier(second).apply({
      records: [orderRecords(5000)('s-1', START + 1_000)],
      shardId: 'shard-b',
    });
    await expect(refused).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: { tableBuffer: first.keyPrefix, keyPrefix: second.keyPrefix },
    });
    await expect(refused).rejects.toThrow(first.keyPrefix);
    expect(await env.redis.keys(`${second.keyPrefix}*`)).toEqual([]); // nothing buffered: the batch is retried
    clock.advance(QUARTER);
    expect((await createFlusher(first).flushClosed()).rowsWritten).toBe(2);
    await expect(createFlusher(second).flushClosed()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect((await allRow())?.n?.N).toBe('1');
  });

  it('a second buffer’s flusher holding cells buffered before the check refuses instead of dropping them', async () => {
    const { clock, first, second, allRow, owner, forget } = await setup('s25d2f');
    // the second buffer took its order while the table named no buffer (an older release), then the first claimed it
    await createBufferedApplier(second).apply({
      records: [orderRecords(5000)('s-1', START)],
      shardId: 'shard-b',
    });
    await forget();
    await createBufferedApplier(first).apply({
      records: [orderRecords(1000)('s-1', START + 1_000)],
      shardId: 'shard-a',
    });
    expect(await owner()).toBe(first.keyPrefix);
    clock.advance(QUARTER);
    const a = await createFlusher(first).flushClosed();
    await expect(createFlusher(second).flushClosed()).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: { tableBuffer: first.keyPrefix, keyPrefix: second.keyPrefix },
    });
    // refused before the lock and the seal: its bucket waits in Redis, whole, and no row was touched
    expect(await env.redis.zcard(`${second.keyPrefix}open`)).toBe(1);
    expect(await env.redis.exists(`${second.keyPrefix}lock`, `${second.keyPrefix}seal`)).toBe(0);
    expect({ n: (await allRow())?.n?.N, written: a.rowsWritten }).toEqual({ n: '1', written: 2 });
  });

  it('a table written before the check (no owner item) is claimed by its buffer, whose rows go on counting', async () => {
    const { clock, first, allRow, owner, forget } = await setup('s25d2l');
    await createBufferedApplier(first).apply({
      records: [orderRecords(1000)('s-1', START)],
      shardId: 'shard-a',
    });
    clock.advance(QUARTER);
    await createFlusher(first).flushClosed();
    await forget(); // rows flushed by an older release: `_fb` set, no owner item
    const applier = createBufferedApplier(first);
    await applier.apply({ records: [orderRecords(2000)('s-1', clock.now())], shardId: 'shard-a' });
    clock.advance(QUARTER);
    const r = await createFlusher(first).flushClosed();
    expect({ owner: await owner(), n: (await allRow())?.n?.N, written: r.rowsWritten }).toEqual({
      owner: first.keyPrefix,
      n: '2',
      written: 2,
    });
  });

  it('a second Redis server with the same key prefix is refused, naming both ids, before it writes anything', async () => {
    const { clock, first, allRow, ownerItem } = await setup('s25d2s');
    const other = new Redis(env.server.url, { db: 1 }); // another server to the buffer: its own keys
    try {
      await createBufferedApplier(first).apply({
        records: [orderRecords(1000)('s-1', START)],
        shardId: 'shard-a',
      });
      const id = await env.redis.get(`${first.keyPrefix}id`);
      expect(await ownerItem()).toEqual({ prefix: first.keyPrefix, id });
      const elsewhere = { ...first, redis: other };
      const refused = createBufferedApplier(elsewhere).apply({
        records: [orderRecords(5000)('s-1', START + 1_000)],
        shardId: 'shard-b',
      });
      await expect(refused).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        details: { tableBufferId: id, keyPrefix: first.keyPrefix, bufferId: null },
      });
      await expect(refused).rejects.toThrow(
        `holds no buffer id under that prefix (key '${first.keyPrefix}id')`,
      );
      expect(await other.keys(`${first.keyPrefix}*`)).toEqual([]); // nothing written there, not even an id
      clock.advance(QUARTER);
      await expect(createFlusher(elsewhere).flushClosed()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      expect((await createFlusher(first).flushClosed()).rowsWritten).toBe(2);
      // a second server holding a buffer id of its own under the prefix (it claimed another table) is named so
      const { table: another } = await env.fixture('s25d2s2', [orders], START);
      const otherId = await claimTableBuffer({
        client: env.ddb,
        table: another,
        redis: other,
        prefix: first.keyPrefix,
      });
      await expect(createFlusher(elsewhere).flushClosed()).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        details: { tableBufferId: id, bufferId: otherId },
      });
      expect(otherId).not.toBe(id);
      expect((await allRow())?.n?.N).toBe('1');
    } finally {
      other.disconnect();
    }
  });

  it('concurrent first claims settle on one buffer; claims of the same prefix all pass', async () => {
    for (let i = 0; i < 3; i++) {
      const { table, first, second, owner } = await setup(`s25d2c${i}`);
      const claims = await Promise.allSettled(
        [first, second, first, second].map((b) =>
          claimTableBuffer({ client: env.ddb, table, redis: env.redis, prefix: b.keyPrefix }),
        ),
      );
      const winner = await owner();
      expect(claims.map((c) => c.status)).toEqual(
        [first, second, first, second].map((b) => (b.keyPrefix === winner ? 'fulfilled' : 'rejected')),
      );
    }
  });

  it('a claim whose write DynamoDB applied but whose reply was lost is found as its own on the retry', async () => {
    const { table, first, owner } = await setup('s25d2r');
    let lost = 0;
    const lossy = {
      send: async (command: unknown) => {
        const out = await env.ddb.send(command as UpdateItemCommand);
        if (command instanceof UpdateItemCommand && lost++ === 0)
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        return out;
      },
    } as unknown as DynamoDBClient;
    await claimTableBuffer({
      client: lossy,
      table,
      redis: env.redis,
      prefix: first.keyPrefix,
      retry: { baseDelayMs: 1 },
    });
    expect({ owner: await owner(), lost }).toEqual({ owner: first.keyPrefix, lost: 1 });
  });
});

describe('review s25d: the buffer’s id (one table, one Redis server)', () => {
  it('a promoted replica holds the buffer’s id: its parts go on counting', async () => {
    const { clock, first, allRow, ownerItem } = await setup('s25d2p');
    const replica: LinkedReplica = await linkedReplica(env.server.port);
    try {
      await createBufferedApplier(first).apply({
        records: [orderRecords(1000)('s-1', START)],
        shardId: 'shard-a',
      });
      expect(await env.redis.wait(1, 5_000)).toBe(1); // the batch and the id reached the replica
      replica.cut();
      await replica.client.replicaof('NO', 'ONE'); // the failover
      const promoted = { ...first, redis: replica.client };
      await createBufferedApplier(promoted).apply({
        records: [orderRecords(2000)('s-1', START + 1_000)],
        shardId: 'shard-b',
      });
      clock.advance(QUARTER);
      expect((await createFlusher(promoted).flushClosed()).rowsWritten).toBe(2);
      expect({ owner: (await ownerItem())?.id, n: (await allRow())?.n?.N }).toEqual({
        owner: await replica.client.get(`${first.keyPrefix}id`),
        n: '2',
      });
    } finally {
      await replica.stop();
    }
  });

  it('a Redis that lost its data is refused until handed the table; then it counts on under a new id', async () => {
    const { table, clock, first, allRow, ownerItem } = await setup('s25d2d');
    const running = createBufferedApplier(first);
    await running.apply({ records: [orderRecords(1000)('s-1', START)], shardId: 'shard-a' });
    clock.advance(QUARTER);
    await createFlusher(first).flushClosed();
    const before = await ownerItem();
    // a restart without persistence: every key gone, the id with them
    for (const key of await env.redis.keys(`${first.keyPrefix}*`)) await env.redis.del(key);
    const refused = createBufferedApplier(first).apply({
      records: [orderRecords(2000)('s-1', clock.now())],
      shardId: 'shard-a',
    });
    await expect(refused).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      details: { tableBufferId: before?.id, bufferId: null },
    });
    await expect(refused).rejects.toThrow('lost its data');
    await expect(createFlusher(first).flushClosed()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await env.redis.keys(`${first.keyPrefix}*`)).toEqual([]);
    // the hand-over: the owner item keeps the prefix, loses the id; the next claim records this Redis' new one
    expect(await releaseTableBuffer({ client: env.ddb, table: table, prefix: first.keyPrefix })).toBe(true);
    await createBufferedApplier(first).apply({
      records: [orderRecords(2000)('s-1', clock.now())],
      shardId: 'shard-a',
    });
    const after = await ownerItem();
    expect(after).toEqual({ prefix: first.keyPrefix, id: await env.redis.get(`${first.keyPrefix}id`) });
    expect(after?.id).not.toBe(before?.id);
    clock.advance(QUARTER);
    expect((await createFlusher(first).flushClosed()).rowsWritten).toBe(2);
    expect((await allRow())?.n?.N).toBe('2');
  });

  it('a table claimed before ids (prefix only) takes the first claimant’s id, once: a second server is refused', async () => {
    for (let i = 0; i < 3; i++) {
      const { table, first, ownerItem } = await setup(`s25d2o${i}`);
      await env.ddb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: BUFFER_OWNER_KEY,
          UpdateExpression: 'SET prefix = :p',
          ExpressionAttributeValues: { ':p': { S: first.keyPrefix } },
        }),
      );
      const other = new Redis(env.server.url, { db: 1 });
      try {
        const servers = [env.redis, other, env.redis, other];
        const claims = await Promise.allSettled(
          servers.map((redis) =>
            claimTableBuffer({ client: env.ddb, table, redis, prefix: first.keyPrefix }),
          ),
        );
        const owner = await ownerItem();
        const ids = await Promise.all(servers.map((r) => r.get(`${first.keyPrefix}id`)));
        expect(owner?.prefix).toBe(first.keyPrefix);
        expect(claims.map((c) => c.status)).toEqual(
          ids.map((id) => (id === owner?.id ? 'fulfilled' : 'rejected')),
        );
        expect(claims.filter((c) => c.status === 'fulfilled')).toHaveLength(2);
        await other.del(`${first.keyPrefix}id`);
      } finally {
        other.disconnect();
      }
    }
  });
});
