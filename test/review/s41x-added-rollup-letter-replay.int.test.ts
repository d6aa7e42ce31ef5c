// Review s41x (Redis flusher, a rolling deploy that ADDS a rollup): appliers already on the new configuration buffer
// cells of the new rollup while a flusher still on the old one runs. Since s41r those cells become UNKNOWN_ROLLUP
// letters with their deltas (nothing lost, other rollups flushed), but the letters carried no TTL and no leaderboard
// entry, and their replay wrote the rows as named without them: a routine deploy order left the new rollup's rows
// without their TTL (they never expire) and its leaderboard missing those counts.
// Observed (before the fix): the replayed day row (its hours packed in it) has no `ttl`, the ranked ALL row no `lbk` / `lbv`.
// Expected: replayed with a configuration that has the rollup (and places the row: its kind, its calendar, its
// attributes), the letter writes what the flush would have written (TTL from retention, the leaderboard entry),
// exactly once (a second replay, and a second letter store of the same row, add nothing), and a later flush of the
// same rows adds on top.
// Fixed (session 41, dead-letter/placed-delta.ts, used by replay-plan.ts): a flusher's UNKNOWN_ROLLUP row that a
// given definition places gets its kind's TTL and leaderboard entry, sent in the transaction that marks the letter.
// Break-checked: with replay-plan.ts sending the letter's deltas as stored, the first expectation fails as observed.
import { describe, expect, it, vi } from 'vitest';
import { type DeadLetter, DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { rowTtl } from '../../packages/dynotally/src/plan/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { MINUTE } from '../redis/harness.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { added, kept, START, twoEventsBuffered } from './mixed-deploy-fixture.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();

describe('Redis flusher: a rollup added while an old flusher runs (rolling deploy)', () => {
  it('its letters replay with the TTL and leaderboard entry the flush would have written, once', async () => {
    // an applier already on the new configuration buffered two events
    const {
      clock,
      common,
      dlq,
      insert,
      replay: replayed,
      addedRow: item,
    } = await twoEventsBuffered(env, 's41x-added');
    const sink = new DynamoDbDeadLetterSink(env.ddb, dlq);
    const letters: DeadLetter[] = [];
    const deadLetter = {
      send: async (l: readonly DeadLetter[]) => {
        letters.push(...l);
        await sink.send(l);
      },
    };
    // the flusher still on the old one, twice (a re-run sends the same letters: stored once)
    const old = { ...common, rollups: [kept], deadLetter };
    expect((await createFlusher(old).flushClosed()).rowsDeadLettered).toBe(2);
    await sink.send(letters.splice(0)); // the same letters again, as a re-run of a failed flush sends them
    expect((await replayed()).map((r) => r.outcome)).toEqual(['replayed', 'replayed']);
    expect(await replayed()).toEqual([]); // nothing left unreplayed
    // the hours are packed in the day row (`n_720`: 12:00, by its minute of the day), which expires 400 days after the day ends
    const dayKind = added.compiled.rows.find((r) => r.row.id === 'day');
    if (dayKind === undefined) throw new Error('no day kind');
    const ttl = rowTtl({ kind: dayKind, bucketEnd: Date.UTC(2026, 10, 23) });
    const seen = async () => {
      const day = await item('D2026-11-22');
      const all = await item('ALL');
      return { day: [day?.n_720?.N, day?.ttl?.N], all: [all?.n?.N, all?.lbk?.S, all?.lbv?.N, all?.ttl?.N] };
    };
    // observed: { day: ['2', undefined], all: ['2', undefined, undefined, undefined] }
    expect(await seen()).toEqual({
      day: ['2', String(ttl)],
      all: ['2', expect.stringMatching(/^added#/), '2', undefined],
    });
    // the deploy done: a flusher with the rollup writes the later cells on top, the leaderboard too
    await createBufferedApplier(common).apply({
      records: [insert({ g: { S: 'a' } }, START + 20 * MINUTE)],
      shardId: 's-1',
    });
    clock.advance(20 * MINUTE);
    await createFlusher({ ...common, deadLetter }).flushClosed();
    expect(await seen()).toEqual({
      day: ['3', String(ttl)],
      all: ['3', expect.stringMatching(/^added#/), '3', undefined],
    });
  });
});
