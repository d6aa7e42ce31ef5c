// The set-up the mixed-deploy review tests share (s41x, s41y, s42y): a rollup `added` that an old flusher does not
// know beside one it does (`kept`), a buffer holding two events of group `a` in a closed bucket, a dead-letter table,
// a replay of its letters with both rollups, and a reader of `added`'s rows; and a wide rollup whose hour row is
// written in parts, with 60 records of one hour buffered after it.
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { RollupLike } from '../../packages/dynotally/src/apply/index.ts';
import { replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier } from '../../packages/dynotally/src/redis/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { type BufferEnv, MINUTE } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { uniqueTableName } from '../support/ddb.ts';

/** The instant the two events of {@link twoEventsBuffered} happen at (its bucket's start). */
export const START = Date.UTC(2026, 10, 22, 12, 0, 0);

/** The rollup the old configuration lacks: hours (packed in day rows) and all time, ranked over all time. */
export const added = defineRollup({
  name: 'added',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'all'],
  measures: { n: count() },
  leaderboard: { measure: 'n', granularities: ['all'] },
});

/** The rollup both configurations have. */
export const kept = defineRollup({
  name: 'kept',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count() },
});

/** An aggregate table of `rollups` with its buffer, a dead-letter table, a replay of every letter, a row reader. */
async function withLetters(env: BufferEnv, prefix: string, rollups: readonly RollupLike[], start: number) {
  const fixture = await env.fixture(prefix, rollups, start);
  const dlq = uniqueTableName(`${prefix}-dl`);
  await createDeadLetterTable(env.ddb, dlq);
  const replay = () =>
    replayDeadLetters({
      client: env.ddb,
      deadLetterTable: dlq,
      table: fixture.table,
      rollups,
      all: true,
      now: fixture.clock.now,
    });
  const row = async (pk: string, sk: string) =>
    (
      await env.ddb.send(
        new GetItemCommand({
          TableName: fixture.table,
          Key: { pk: { S: pk }, sk: { S: sk } },
          ConsistentRead: true,
        }),
      )
    ).Item;
  return { ...fixture, dlq, replay, row };
}

/**
 * `kept` and `added` on a fresh table and buffer: two events of group `a` buffered at {@link START}, the clock 20
 * minutes on (their bucket closed), a dead-letter table `dlq`, `replay()` (every letter, with both rollups),
 * `addedRow(sk)` (consistent read of `added#sa`), and `insert` to buffer more.
 */
export async function twoEventsBuffered(env: BufferEnv, prefix: string) {
  const f = await withLetters(env, prefix, [kept, added], START);
  const insert = streamInserts({ from: 1000 });
  await createBufferedApplier(f.common).apply({
    records: [insert({ g: { S: 'a' } }, START), insert({ g: { S: 'a' } }, START)],
    shardId: 's-1',
  });
  f.clock.advance(20 * MINUTE);
  return { ...f, insert, addedRow: (sk: string) => f.row('added#sa', sk) };
}

/** The hour the wide rollup's records of {@link wideHourBuffered} fall in. */
export const HOUR = Date.UTC(2026, 10, 22, 8);

/** A rollup whose hour row (its 60 minutes packed in it: 183 counters) is too wide for one write. */
export const wideRollup = (ranked = false) =>
  defineRollup({
    name: 'wide',
    groupBy: 'g',
    time: { attribute: 't', format: 'epoch-millis' },
    granularities: ['minute', 'hour'],
    measures: { readings: count(), energy: sum('v'), power: sum('w') },
    ...(ranked ? { leaderboard: { measure: 'energy', granularities: ['hour'] as ['hour'] } } : {}),
  });

/**
 * `kept` and `wide` on a fresh table and buffer: 60 records of group `a` (one a minute of {@link HOUR}: v 2, w 3)
 * buffered after their hour (a catch-up: one flush bucket), that bucket closed, a dead-letter table `dlq`,
 * `replay()` (with both rollups) and `hourRow()` (consistent read of the hour row).
 */
export async function wideHourBuffered(env: BufferEnv, prefix: string, wide: ReturnType<typeof wideRollup>) {
  const f = await withLetters(env, prefix, [kept, wide], HOUR + 60 * MINUTE);
  const insert = streamInserts({ from: 1000 });
  const records = Array.from({ length: 60 }, (_, i) =>
    insert({ g: { S: 'a' }, v: { N: '2' }, w: { N: '3' } }, HOUR + i * MINUTE),
  );
  await createBufferedApplier(f.common).apply({ records, shardId: 's-1' });
  f.clock.advance(2 * MINUTE);
  return { ...f, hourRow: () => f.row('wide#sa', 'H2026-11-22T08:00') };
}

/**
 * The hour row's counters that are not what 60 records once each make (1 reading, 2 energy, 3 power a minute; 60,
 * 120, 180 for the hour), and how many counters it has (183).
 */
export function wrongHourCounters(row: Record<string, { N?: string }> | undefined) {
  const counters = Object.entries(row ?? {}).filter(([a]) => /^(readings|energy|power)/.test(a));
  const wrong = counters.filter(([a, v]) => {
    const per = a.startsWith('readings') ? 1 : a.startsWith('energy') ? 2 : 3;
    return v.N !== String(a.includes('_') ? per : per * 60);
  });
  return { counters: counters.length, wrong };
}
