// Review s36q (the known-groups hints, HINTS_SCRIPT, asked of e8581e2e: a group read, `h:<pk>` lost in its window).
// e8581e2e versions a removal so that a stale read's *wide* value cannot come back after `h:<pk>` is lost. The mirror
// case is open: a stale read's *narrow* value. Read B of a group reads ALL total = 5 (narrow: a read records wide
// values only); a flush then writes 1e22 + 5 to that cell, in a group not known (no `*`), and records its hint in
// `h:<pk>`; then `h:<pk>` alone is lost (an eviction under maxmemory, a failover to a replica that had not got it:
// the window docs/redis-buffer.md names for e8581e2e). B's call finds the group not known, records nothing for the
// cell (5 is narrow; and a wide value of B's would be skipped, `hv:<pk>` holding the newer version, with nothing put
// in its place) and marks the group known: `*` with no hint, while DynamoDB holds 1e22 + 5.
// Why it matters: "known" is the promise that every wide value DynamoDB holds has its hint. Now the write script
// takes the cell for narrow: a record that cannot be added (1e-16 onto 1e22 + 5: 39 digits) is buffered instead of
// refused, and at the flush DynamoDB refuses the whole row of that bucket: a ROW_REJECTED letter holding every
// record's deltas of the row, innocent ones too, whose replay is refused the same way — what known groups exist to
// prevent (docs, *A group's hints known*). It lasts until the cell's next flush records its hint again.
// Expected: a read that is older than what `hv:<pk>` says of a cell (a version newer than the read's marker, whose hint
// is not in `h:<pk>`) does not mark the group known (its next batch reads again), or the learning call compares the
// group's versions, not only `*`; then the tiny record is refused at apply time (NUMBER_UNREPRESENTABLE, its own
// letter) and no row is rejected at the flush.
// Severity: low (two things at once — a group read racing a flush of it — and the loss of exactly `h:<pk>` in the
// window; the effect is a ROW_REJECTED letter of the row's bucket: counts missing until an operator acts, never a
// double count).
//
// Fixed (s36v) by a count of the group's hints kept beside their versions: HINTS_SCRIPT adds one to `hv:<pk>` field
// `#` (HINTS_CHANGED_FIELD, known-groups.ts) with every hint of a wide value it records, a group read takes the count
// before its `Query`, and its call marks the group known only if the count has not moved: else the call records
// its cells as before (versioned) but not `*`, the write script answers `unknown` again and the applier reads the
// group again, now past the flush. Comparing the versions of cells with the read's row markers was not taken: a row
// the read did not find (deleted by its TTL) has no marker, and a version of it would keep the group unknown for
// good. Still open, as for s34r: `h:<pk>` and `hv:<pk>` both lost in the window.
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter, DeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
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
  granularities: ['all'],
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

function collector(): DeadLetterSink & { letters: DeadLetter[] } {
  const letters: DeadLetter[] = [];
  return {
    letters,
    retentionDays: 14,
    async send(batch) {
      letters.push(...batch);
    },
  };
}

async function scenario(evict: boolean) {
  const f = await env.fixture(`s36q-stale-narrow-${evict}`, [money], START);
  const insert = streamInserts({ from: 1000 });
  const keys = bufferKeys(f.keyPrefix);
  const pk = 'money#sg';
  const plain = createBufferedApplier(f.common);
  // DynamoDB holds ALL total 5 (bucket 1, flushed); 1e22 buffered in bucket 2 (closed, not flushed yet)
  await plain.apply({ records: [insert({ g: { S: 'g' }, amount: { N: '5' } }, START)], shardId: 's-1' });
  f.clock.advance(2 * MINUTE);
  await createFlusher(f.common).flushClosed();
  await plain.apply({ records: [insert({ g: { S: 'g' }, amount: { N: '1e22' } }, START)], shardId: 's-1' });
  f.clock.advance(2 * MINUTE);
  // the group's keys are lost: the next batch reads its rows
  await env.redis.del(keys.hints(pk), keys.hintVersions(pk));

  const steps: string[] = [];
  // read B's Query returns ALL total 5; the flush of bucket 2 (1e22 + 5, its hint recorded) runs; h:<pk> is lost
  const client = afterQueries(f, async () => {
    if (steps.length > 0) return;
    steps.push('B read');
    await createFlusher(f.common).flushClosed();
    expect(await env.redis.hget(keys.hints(pk), 'ALL|total')).toBe('10000000000000000000005');
    if (!evict) return;
    await env.redis.del(keys.hints(pk));
    steps.push('h evicted');
  });
  const b = await createBufferedApplier({ ...f.common, client }).apply({
    records: [
      insert({ g: { S: 'g' }, amount: { N: TINY } }, START),
      insert({ g: { S: 'g' }, amount: { N: '1' } }, START),
    ],
    shardId: 's-2',
  });
  const hints = await env.redis.hgetall(keys.hints(pk));
  f.clock.advance(2 * MINUTE);
  const sink = collector();
  await createFlusher({ ...f.common, deadLetter: sink }).flushClosed();
  return {
    steps,
    poison: b.poison.map((p) => p.error.code),
    known: hints[KNOWN_FIELD] === undefined ? 'not known' : (hints['ALL|total'] ?? 'known, no hint'),
    flushLetters: sink.letters.map((l) => l.code),
  };
}

describe('review s36q: a group read older than a flush that made a cell wide, h:<pk> lost before its call', () => {
  it("control: h:<pk> kept, the read makes the group known with the flush's hint; the tiny record is refused", async () => {
    expect(await scenario(false)).toEqual({
      steps: ['B read'],
      poison: ['NUMBER_UNREPRESENTABLE'],
      known: '10000000000000000000005',
      flushLetters: [],
    });
  });

  it('does not make the group known without the wide hint (before: known, no hint; the row rejected at the flush)', async () => {
    expect(await scenario(true)).toEqual({
      steps: ['B read', 'h evicted'],
      // observed: [] (buffered), 'known, no hint', ['ROW_REJECTED'] (the 1 of the second record in it too)
      poison: ['NUMBER_UNREPRESENTABLE'],
      // the read declined, the group read again: known, with the flush's hint
      known: '10000000000000000000005',
      flushLetters: [],
    });
  });
});
