// A group's hints known (known-groups.ts): before the first batch buffers into a group of a rollup with a sum whose
// `h:<pk>` lacks the field `*` — new, quiet for keyTtlMs, its keys lost, or written before the buffer — the applier
// reads the group's stored rows (one strongly consistent Query) and records their wide values as hints, so a record
// that cannot be added to a stored sum is refused at apply time (NUMBER_UNREPRESENTABLE) instead of taking its whole
// row into a ROW_REJECTED letter at the flush. The cost: one read per group, then none while the group keeps being
// flushed; a count-only rollup never reads. (The expired hint itself: test/review/h136-hint-lost.int.test.ts.)
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
import { KNOWN_FIELD } from '../../packages/dynotally/src/redis/known-groups.ts';
import { type BufferFixture, MINUTE } from './harness.ts';
import { streamInserts } from './stream-inserts.ts';
import { useBufferEnv } from './use-buffer-env.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const TINY = '0.0000000000000001';

const money = defineRollup({
  name: 'money',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count(), total: sum('amount') },
});

const jobs = defineRollup({
  name: 'jobs',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['day', 'all'],
  measures: { n: count() },
});

/** Group g's rows: `<sk>|<attr>` → value. */
async function rows(table: string, pk = 'money#sg'): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const r = await env.ddb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: pk } },
      ConsistentRead: true,
    }),
  );
  for (const item of r.Items ?? [])
    for (const [a, v] of Object.entries(item))
      if (v.N !== undefined && a !== 'ttl') out[`${item.sk?.S}|${a}`] = v.N;
  return out;
}

/** The applier's client, counting its `Query` requests (the group reads). */
function countingQueries(
  f: BufferFixture,
  before?: () => Promise<void>,
): { client: DynamoDBClient; queries: () => number } {
  let queries = 0;
  const send = f.common.client.send.bind(f.common.client) as (c: unknown) => Promise<unknown>;
  const client = new Proxy(f.common.client, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: unknown) => {
        if (!(command instanceof QueryCommand)) return send(command);
        queries++;
        const out = await send(command);
        await before?.();
        return out;
      };
    },
  }) as DynamoDBClient;
  return { client, queries: () => queries };
}

/** A Redis client of the test's server that records every command it sends (name and first argument). */
function countingRedis(): { redis: Redis; sent: string[] } {
  const redis = new Redis(env.server.url);
  const sent: string[] = [];
  const sendCommand = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    sent.push(`${command.name} ${String(command.args[0] ?? '')}`);
    return sendCommand(command, stream);
  };
  return { redis, sent };
}

describe('Redis buffer: a group whose hints are not known is read before it is buffered into', () => {
  it("a cold batch's group reads cost no Redis round trip per group before their Query (the script answers the count)", async () => {
    const f = await env.fixture('known-trips', [money], START);
    const { redis, sent } = countingRedis();
    try {
      const insert = streamInserts({ from: 1000 });
      const groups = 40;
      const r = await createBufferedApplier({ ...f.common, redis }).apply({
        records: Array.from({ length: groups }, (_, i) =>
          insert({ g: { S: `g${i}` }, amount: { N: '1' } }, START),
        ),
        shardId: 's-1',
      });
      expect(r.report.readRequests).toBe(groups);
      const keys = bufferKeys(f.keyPrefix);
      for (let i = 0; i < groups; i++)
        expect(await env.redis.hget(keys.hints(`money#sg${i}`), KNOWN_FIELD)).toBe('1');
      // before: one HGET of hv:<pk> field '#' per group read (40 here), each before its Query (59 commands in all,
      // against 22 now)
      expect(sent.filter((c) => c.includes(':hv:'))).toEqual([]);
      // the batch's Redis commands do not grow with its groups: two write-script calls (`unknown`, then `ok`), the
      // recording calls (chained: at most one a group, as their reads end), the watermark and connection commands
      const scripts = sent.filter((c) => c.startsWith('evalsha') || c.startsWith('eval '));
      expect(sent.length - scripts.length).toBeLessThan(8);
    } finally {
      redis.disconnect();
    }
  });

  it('a new group costs one read that finds nothing, then none; a count-only rollup never reads', async () => {
    const f = await env.fixture('known-new', [money, jobs], START);
    const { client, queries } = countingQueries(f);
    const applier = createBufferedApplier({ ...f.common, client });
    const insert = streamInserts({ from: 1000 });
    const batch = (t: number) => [
      insert({ g: { S: 'g' }, amount: { N: '12.5' } }, t),
      insert({ g: { S: 'g' }, amount: { N: '7' } }, t),
    ];
    const reads: number[] = [];
    const units: number[] = [];
    const first = await applier.apply({ records: batch(START), shardId: 's-1' });
    reads.push(first.report.readRequests);
    units.push(first.report.readUnits);
    const keys = bufferKeys(f.keyPrefix);
    // known: the field alone (no hint: nothing wide is stored), expiring with the buffer's keys
    expect(await env.redis.hgetall(keys.hints('money#sg'))).toEqual({ [KNOWN_FIELD]: '1' });
    // a count-only rollup's group has no hints key at all
    expect(await env.redis.exists(keys.hints('jobs#sg'))).toBe(0);
    for (let i = 1; i <= 3; i++) {
      f.clock.advance(MINUTE);
      const r = await applier.apply({ records: batch(START + i * MINUTE), shardId: 's-1' });
      reads.push(r.report.readRequests);
      f.clock.advance(MINUTE);
      await createFlusher(f.common).flushClosed();
    }
    f.clock.advance(2 * MINUTE);
    await createFlusher(f.common).flushClosed();
    expect({ reads, queries: queries() }).toEqual({ reads: [1, 0, 0, 0], queries: 1 });
    // narrow cells of a known group cost nothing: no hint, no version (only a value a write made narrow from wide is
    // versioned, test/review/s34r-known-group-evicted-hints.int.test.ts)
    expect(await env.redis.hgetall(keys.hints('money#sg'))).toEqual({ [KNOWN_FIELD]: '1' });
    expect(await env.redis.exists(keys.hintVersions('money#sg'))).toBe(0);
    // DynamoDB bills a strongly consistent read that finds nothing at least 1 unit; DynamoDB Local may report none
    expect(units[0]).toBeLessThanOrEqual(1);
    const stored = await rows(f.table);
    expect({ n: stored['ALL|n'], total: Number(stored['ALL|total']) }).toEqual({ n: '8', total: 78 });
    expect(await rows(f.table, 'jobs#sg')).toMatchObject({ 'ALL|n': '8' });
  });

  it('a wide sum written before the buffer (no flush marker, no hint): the record that cannot be added is refused', async () => {
    const f = await env.fixture('known-direct', [money], START);
    const insert = streamInserts({ from: 1000 });
    // the table was written by the direct applier before the buffer took over
    const direct = new Applier({
      client: f.common.client,
      table: f.table,
      rollups: [money],
      now: f.common.now,
    });
    await direct.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)],
      shardId: 's-0',
    });
    const applier = createBufferedApplier(f.common);
    f.clock.advance(MINUTE);
    const r = await applier.apply({
      records: [
        insert({ g: { S: 'g' }, amount: { N: TINY } }, START),
        insert({ g: { S: 'g' }, amount: { N: '5' } }, START),
      ],
      shardId: 's-1',
    });
    expect({ poison: r.poison.map((p) => p.error.code), reads: r.report.readRequests }).toEqual({
      poison: ['NUMBER_UNREPRESENTABLE'],
      reads: 1,
    });
    const keys = bufferKeys(f.keyPrefix);
    expect(await env.redis.hgetall(keys.hints('money#sg'))).toEqual({
      [KNOWN_FIELD]: '1',
      'ALL|total': '10000000000000000000000',
      'M2026-11|total_22': '10000000000000000000000',
    });
    f.clock.advance(2 * MINUTE);
    const letters: string[] = [];
    await createFlusher({
      ...f.common,
      deadLetter: { send: async (l) => void letters.push(...l.map((x) => x.code)) },
    }).flushClosed();
    expect(letters).toEqual([]);
    expect(await rows(f.table)).toMatchObject({ 'ALL|n': '2', 'ALL|total': '10000000000000000000005' });
  });

  it('the known field expires with the hints; every flush of the group renews both', async () => {
    const f = await env.fixture('known-ttl', [money], START);
    const { client, queries } = countingQueries(f);
    const applier = createBufferedApplier({ ...f.common, client });
    const insert = streamInserts({ from: 1000 });
    const keys = bufferKeys(f.keyPrefix);
    const h = keys.hints('money#sg');
    const hv = keys.hintVersions('money#sg');
    await applier.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)],
      shardId: 's-1',
    });
    f.clock.advance(2 * MINUTE);
    await createFlusher(f.common).flushClosed();
    expect(await env.redis.hget(h, 'ALL|total')).toBe('10000000000000000000000');
    expect(queries()).toBe(1);
    // a week later but for a minute: a flush of the group gives its hints, versions and known field a new week,
    // also when nothing it writes is wide (group n: the known field alone)
    const hn = keys.hints('money#sn');
    await applier.apply({
      records: [insert({ g: { S: 'n' }, amount: { N: '2.5' } }, START)],
      shardId: 's-1',
    });
    expect(await env.redis.hgetall(hn)).toEqual({ [KNOWN_FIELD]: '1' });
    expect(queries()).toBe(2);
    await env.redis.pexpire(h, 60_000);
    await env.redis.pexpire(hv, 60_000);
    await env.redis.pexpire(hn, 60_000);
    f.clock.advance(MINUTE);
    await applier.apply({
      records: [
        insert({ g: { S: 'g' }, amount: { N: '1' } }, START),
        insert({ g: { S: 'n' }, amount: { N: '1' } }, START),
      ],
      shardId: 's-1',
    });
    f.clock.advance(2 * MINUTE);
    await createFlusher(f.common).flushClosed();
    const week = 7 * 24 * 3_600_000;
    expect(await env.redis.pttl(h)).toBeGreaterThan(week - 60_000);
    expect(await env.redis.pttl(hv)).toBeGreaterThan(week - 60_000);
    expect(await env.redis.pttl(hn)).toBeGreaterThan(week - 60_000);
    expect(queries()).toBe(2);
    // quiet for the key's life: the hash expires, hints and known field together (one key)
    await env.redis.pexpire(h, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(await env.redis.exists(h)).toBe(0);
    f.clock.advance(MINUTE);
    const r = await applier.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: TINY } }, START)],
      shardId: 's-1',
    });
    // read again, the stored 1e22 + 1 known again: 1e-16 cannot be added
    expect({ poison: r.poison.map((p) => p.error.code), reads: r.report.readRequests }).toEqual({
      poison: ['NUMBER_UNREPRESENTABLE'],
      reads: 1,
    });
    expect(await env.redis.hget(h, KNOWN_FIELD)).toBe('1');
    expect(await env.redis.hget(h, 'ALL|total')).toBe('10000000000000000000001');
  });

  it('a flush between the read and its hints: the flusher’s newer hint stands, the record is refused', async () => {
    const f = await env.fixture('known-race', [money], START);
    const insert = streamInserts({ from: 1000 });
    const keys = bufferKeys(f.keyPrefix);
    const plain = createBufferedApplier(f.common);
    // stored 1e20 (a hint of it), then 1e22 buffered in the next bucket, not flushed yet
    await plain.apply({ records: [insert({ g: { S: 'g' }, amount: { N: '1e20' } }, START)], shardId: 's-1' });
    f.clock.advance(2 * MINUTE);
    await createFlusher(f.common).flushClosed();
    await plain.apply({ records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)], shardId: 's-1' });
    f.clock.advance(2 * MINUTE);
    // the group's keys are lost (expired, evicted): the next batch reads the rows, which say 1e20; before the
    // applier records that, a flusher writes the 1e22 bucket (ALL total 1.01e22) and records its hint
    await env.redis.del(keys.hints('money#sg'), keys.hintVersions('money#sg'));
    let flushed = false;
    const { client } = countingQueries(f, async () => {
      if (flushed) return;
      flushed = true;
      const r = await createFlusher(f.common).flushClosed();
      expect(r.rowsWritten).toBe(2);
    });
    const applier = createBufferedApplier({ ...f.common, client });
    // 1.01e22 + 1e-16 is 39 digits; 1e20 + 1e-16 would fit (37)
    const r = await applier.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: TINY } }, START)],
      shardId: 's-1',
    });
    expect({ flushed, poison: r.poison.map((p) => p.error.code) }).toEqual({
      flushed: true,
      poison: ['NUMBER_UNREPRESENTABLE'],
    });
    expect(await env.redis.hgetall(keys.hints('money#sg'))).toEqual({
      [KNOWN_FIELD]: '1',
      'ALL|total': '10100000000000000000000',
      'M2026-11|total_22': '10100000000000000000000',
    });
    f.clock.advance(2 * MINUTE);
    const letters: string[] = [];
    await createFlusher({
      ...f.common,
      deadLetter: { send: async (l) => void letters.push(...l.map((x) => x.code)) },
    }).flushClosed();
    expect(letters).toEqual([]);
    expect(await rows(f.table)).toMatchObject({ 'ALL|n': '2', 'ALL|total': '10100000000000000000000' });
  });

  // Review s34l: two reads of one group at once. Read B reads the stored 1e22; a flusher then makes the cell narrow
  // (5) in DynamoDB; read A reads 5 and marks the group known (no hint: nothing wide); the flusher's hints call then
  // finds a known group without the cell's hint and records nothing, not even the removal's version (narrow cells of
  // known groups cost nothing); B, recording last, put its stale 1e22 back and refused a record that fits. A read
  // that finds its group made known by another read since now records nothing of its own.
  it('two reads at once: the later-recording read leaves a group another read made known as it is', async () => {
    const f = await env.fixture('known-two-reads', [money], START);
    const insert = streamInserts({ from: 1000 });
    const keys = bufferKeys(f.keyPrefix);
    const plain = createBufferedApplier(f.common);
    // stored 1e22 (bucket 1, flushed); then -1e22 + 5 buffered in bucket 2 (closed, not flushed yet)
    await plain.apply({ records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)], shardId: 's-1' });
    f.clock.advance(2 * MINUTE);
    await createFlusher(f.common).flushClosed();
    await plain.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: '-9999999999999999999995' } }, START)],
      shardId: 's-1',
    });
    f.clock.advance(2 * MINUTE);
    // the group's keys are lost: the next batches read its rows
    await env.redis.del(keys.hints('money#sg'), keys.hintVersions('money#sg'));
    const steps: string[] = [];
    const readerA = createBufferedApplier(f.common);
    // the flusher writes bucket 2's rows to DynamoDB (ALL total 5); before its hints call, read A runs whole
    const flusher = createFlusher({
      ...f.common,
      onStep: async (s) => {
        if (s.step !== 'row-written' || s.written !== 2) return;
        const a = await readerA.apply({
          records: [insert({ g: { S: 'g' }, amount: { N: '1' } }, START)],
          shardId: 's-3',
        });
        steps.push(`A read ${a.report.readRequests}, poison ${a.poison.length}`);
        expect(await env.redis.hgetall(keys.hints('money#sg'))).toEqual({ [KNOWN_FIELD]: '1' });
      },
    });
    // read B: its Query returns the stored 1e22; then the flush (with read A inside it) runs before B records
    const { client } = countingQueries(f, async () => {
      if (steps.length > 0) return;
      steps.push('B read');
      const r = await flusher.flushClosed();
      steps.push(`flushed ${r.rowsWritten}`);
    });
    const readerB = createBufferedApplier({ ...f.common, client });
    // 5 + 1 + 1e-16 fits 38 digits; only a stale 1e22 hint refuses it
    const b = await readerB.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: TINY } }, START)],
      shardId: 's-2',
    });
    expect({ steps, poison: b.poison.map((p) => p.error.code) }).toEqual({
      steps: ['B read', 'A read 1, poison 0', 'flushed 2'],
      poison: [],
    });
    expect(await rows(f.table)).toMatchObject({ 'ALL|total': '5' });
    // no hint says 1e22: DynamoDB holds 5
    expect(await env.redis.hgetall(keys.hints('money#sg'))).toEqual({ [KNOWN_FIELD]: '1' });
    f.clock.advance(2 * MINUTE);
    const letters: string[] = [];
    await createFlusher({
      ...f.common,
      deadLetter: { send: async (l) => void letters.push(...l.map((x) => x.code)) },
    }).flushClosed();
    expect(letters).toEqual([]);
    expect(await rows(f.table)).toMatchObject({ 'ALL|n': '4', 'ALL|total': '6.0000000000000001' });
  });
});
