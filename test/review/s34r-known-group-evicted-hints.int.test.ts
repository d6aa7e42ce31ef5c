// Review s34r: the known-groups fix of review s34l (HINTS_SCRIPT: a group read whose group another read made known
// first records nothing) rests on `h:<pk>` still holding `*` when the slower read's call comes. The scenario it fixes
// (test/redis/known-groups.int.test.ts, "two reads at once"): read B reads the stored 1e22; a flush makes the cell
// narrow (5); read A reads 5 and makes the group known (no hint); the flush's hints call then finds a known group
// without the cell's hint and records nothing, not even the removal's version; B must not put 1e22 back.
//
// DEFECT: if `h:<pk>` is lost between A's call and B's call — an eviction (maxmemory: one key of the two, as
// docs/redis-buffer.md itself says, "an eviction takes one key") or a failover to a replica that had not got it —
// B's call finds the group not known, takes it for a fresh learn, and records its stale 1e22 (no version in
// `hv:<pk>` is newer: the flush's removal left none), then marks the group known. The write script then adds every
// record of the group to 1e22 and refuses records that fit (NUMBER_UNREPRESENTABLE letters, to replay) until the
// cell's next flush. The `settled` test only asks "is `*` there now?", which says nothing about whether a flush
// changed the cell since B's read: the unversioned removal is the root cause, and it is still unversioned.
//
// Correct behaviour: B's stale value is kept out whatever became of `h:<pk>` between the calls: e.g. the flusher
// versions a hint-less removal in a known group too (one `hv:<pk>` field per narrowed cell that was wide: it was,
// the row's previous value is in the failed or returned item), or keeps a per-group "last flush" marker in
// `hv:<pk>` that a learning call's older marker cannot pass.
//
// Severity: low. It needs two reads of one group at once, a flush of the cell between them, and the loss of
// exactly `h:<pk>` in the window; the effect is false refusals (replayable letters), never a wrong count.
//
// Fixed (s36k) the first way: the flusher tells the hints script which narrow values its write made narrow (the
// value less the write's delta was wide: `StoredRow.narrowed`, stored-hints.ts), and the script versions their
// removal in a known group too (NARROWED_HINT, scripts.ts): one `hv:<pk>` field per such cell, nothing for a cell
// that was narrow before, so ordinary money sums still cost nothing. A per-group "last flush" marker was not taken:
// it would give every group of a rollup with a sum an `hv:<pk>` key, and one marker for a whole partition cannot
// tell a read that landed in the middle of a flush (some rows at the new marker, others still stale) from one after
// it, nor keep out only the rows the flush touched. The second test takes the flusher's other way of learning what a
// row holds, a re-run's ConditionalCheckFailed item (ALL_OLD): there `_fb` at the part's marker says the earlier run's
// write was the row's last, so the same difference applies (another write past it: every narrow value is versioned).
// Still open: both `h:<pk>` and `hv:<pk>` lost in the window (then nothing in Redis remembers the removal).
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { bufferKeys } from '../../packages/dynotally/src/redis/keys.ts';
import { KNOWN_FIELD } from '../../packages/dynotally/src/redis/known-groups.ts';
import { type BufferFixture, MINUTE } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

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

/** The applier's client; `before` runs after each `Query` returns, before the read is recorded. */
function afterQueries(f: BufferFixture, before: () => Promise<void>): DynamoDBClient {
  const send = f.common.client.send.bind(f.common.client) as (c: unknown) => Promise<unknown>;
  return new Proxy(f.common.client, {
    get(target, prop, receiver) {
      if (prop !== 'send') return Reflect.get(target, prop, receiver);
      return async (command: unknown) => {
        if (!(command instanceof QueryCommand)) return send(command);
        const out = await send(command);
        await before();
        return out;
      };
    },
  }) as DynamoDBClient;
}

/** Stored 1e22 (bucket 1, flushed), then -1e22 + 5 buffered in bucket 2 (closed, not flushed yet); the keys lost. */
async function setUp(f: BufferFixture, insert: ReturnType<typeof streamInserts>): Promise<void> {
  const keys = bufferKeys(f.keyPrefix);
  const plain = createBufferedApplier(f.common);
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
}

describe('review s34r: two reads of one group at once, the hints key lost between their calls', () => {
  it('the later read does not put back a wide value a flush removed after it read', async () => {
    const f = await env.fixture('s34r-evicted', [money], START);
    const insert = streamInserts({ from: 1000 });
    const keys = bufferKeys(f.keyPrefix);
    await setUp(f, insert);
    const steps: string[] = [];
    const readerA = createBufferedApplier(f.common);
    // the flusher writes bucket 2's rows (ALL total 5); before its hints call, read A runs whole
    const flusher = createFlusher({
      ...f.common,
      onStep: async (s) => {
        if (s.step !== 'row-written' || s.written !== 2) return;
        const a = await readerA.apply({
          records: [insert({ g: { S: 'g' }, amount: { N: '1' } }, START)],
          shardId: 's-3',
        });
        steps.push(`A read ${a.report.readRequests}, poison ${a.poison.length}`);
      },
    });
    // read B: its Query returns the stored 1e22; the flush (with read A inside it) runs; then h:<pk> is evicted
    const client = afterQueries(f, async () => {
      if (steps.length > 0) return;
      steps.push('B read');
      await flusher.flushClosed();
      expect(await env.redis.hgetall(keys.hints('money#sg'))).toEqual({ [KNOWN_FIELD]: '1' });
      // maxmemory eviction (or a failover) takes h:<pk>, the one key; hv:<pk> stays as it is
      await env.redis.del(keys.hints('money#sg'));
      steps.push('h evicted');
    });
    const readerB = createBufferedApplier({ ...f.common, client });
    // 5 + 1 + 1e-16 fits 38 digits; only a stale 1e22 hint refuses it
    const b = await readerB.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: TINY } }, START)],
      shardId: 's-2',
    });
    expect(await rows(f.table)).toMatchObject({ 'ALL|total': '5' });
    expect({
      steps,
      poison: b.poison.map((p) => p.error.code),
      hints: await env.redis.hgetall(keys.hints('money#sg')),
    }).toEqual({
      steps: ['B read', 'A read 1, poison 0', 'h evicted'],
      // observed: ['NUMBER_UNREPRESENTABLE']; h:<pk> holds 1e22 for ALL|total and M2026-11|total_22 (DynamoDB: 5)
      poison: [],
      hints: { [KNOWN_FIELD]: '1' },
    });
  });

  // The same race through the flusher's other way of learning what a row holds: the flush that made the cell
  // narrow stops after its row writes, before its hints call; its re-run finds the rows applied (ConditionalCheck-
  // Failed) and records the values of the returned item (ALL_OLD), not from the write's own reply.
  it('the same after a re-run of a flush that stopped before its hints call', async () => {
    const f = await env.fixture('s34r-rerun', [money], START);
    const insert = streamInserts({ from: 1000 });
    const keys = bufferKeys(f.keyPrefix);
    await setUp(f, insert);
    const steps: string[] = [];
    const readerA = createBufferedApplier(f.common);
    // the flusher writes bucket 2's rows (ALL total 5); read A runs whole; the flusher stops before its hints call
    const dying = createFlusher({
      ...f.common,
      onStep: async (s) => {
        if (s.step !== 'row-written' || s.written !== 2) return;
        const a = await readerA.apply({
          records: [insert({ g: { S: 'g' }, amount: { N: '1' } }, START)],
          shardId: 's-3',
        });
        steps.push(`A read ${a.report.readRequests}, poison ${a.poison.length}`);
        throw new Error('stopped');
      },
    });
    // read B: its Query returns the stored 1e22; the flush stops, its re-run ends it; then h:<pk> is evicted
    const client = afterQueries(f, async () => {
      if (steps.length > 0) return;
      steps.push('B read');
      await expect(dying.flushClosed()).rejects.toThrow('stopped');
      const r = await createFlusher(f.common).flushClosed();
      steps.push(`re-run: ${r.rowsWritten} written, ${r.rowsAlreadyApplied} applied`);
      expect(await env.redis.hgetall(keys.hints('money#sg'))).toEqual({ [KNOWN_FIELD]: '1' });
      await env.redis.del(keys.hints('money#sg'));
      steps.push('h evicted');
    });
    const readerB = createBufferedApplier({ ...f.common, client });
    const b = await readerB.apply({
      records: [insert({ g: { S: 'g' }, amount: { N: TINY } }, START)],
      shardId: 's-2',
    });
    expect(await rows(f.table)).toMatchObject({ 'ALL|total': '5' });
    expect({
      steps,
      poison: b.poison.map((p) => p.error.code),
      hints: await env.redis.hgetall(keys.hints('money#sg')),
    }).toEqual({
      steps: ['B read', 'A read 1, poison 0', 're-run: 0 written, 2 applied', 'h evicted'],
      // observed: ['NUMBER_UNREPRESENTABLE']; h:<pk> holds 1e22 for ALL|total and M2026-11|total_22 (DynamoDB: 5)
      poison: [],
      hints: { [KNOWN_FIELD]: '1' },
    });
  });
});

/** Group g's rows: `<sk>|<attr>` → value. */
async function rows(table: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const r = await env.ddb.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': { S: 'money#sg' } },
      ConsistentRead: true,
    }),
  );
  for (const item of r.Items ?? [])
    for (const [a, v] of Object.entries(item))
      if (v.N !== undefined && a !== 'ttl') out[`${item.sk?.S}|${a}`] = v.N;
  return out;
}
