// Review s42v (coverage, no finding): what the letter tie of an unplaced row (redis/held-cells.ts `letterTie`, review
// s42y) leaves for the buckets after it. The old configuration's flusher (no rollup `added`) flushes the bucket of two
// events to the end: `added`'s rows do not exist, so the tie creates them holding only `_fb` (`<bucket>|~`) and `_fr`.
// Then two more events of the group are buffered in a later bucket, which is flushed (a plain closed bucket, or one
// sealed by `flushClosed({ all: true })`, the seal-move form `<seal>^<move>@<epoch>`) by the new configuration or by
// the old one again, and the letters are replayed, before or after.
// Concerns: a later flush of the row refused or skipped by the tie (its marker compared at or past the later
// bucket's), the replay moving `_fb` or `_fr`, a marker-only row taken for lettered by a later run.
// Observed: sound in every order. The later bucket's write passes the tie (`_fb < :marker`), the replay adds with
// plain ADDs and leaves `_fb` / `_fr`, a re-tie by the old flusher moves `_fb` to the later bucket's final-part marker,
// and `added`'s ALL row ends at n = 4, lbv = 4, its day row at 4, for 4 events.
import { describe, expect, it, vi } from 'vitest';
import { DynamoDbDeadLetterSink, listDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { MINUTE } from '../redis/harness.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { kept, START, twoEventsBuffered } from './mixed-deploy-fixture.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();

type Later = 'new flusher' | 'old flusher';
const cases: Array<{ later: Later; seal: boolean; replayFirst: boolean }> = [];
for (const later of ['new flusher', 'old flusher'] as const)
  for (const seal of [false, true])
    for (const replayFirst of [false, true]) cases.push({ later, seal, replayFirst });

describe('a row tied to its letter by the old flusher, then later buckets', () => {
  it.each(cases)(
    'later bucket by the $later (seal $seal, replay first $replayFirst): counted once',
    async (c) => {
      const { common, dlq, replay, addedRow, insert, clock } = await twoEventsBuffered(env, 's42v-later');
      const deadLetter = new DynamoDbDeadLetterSink(env.ddb, dlq);
      const first = await createFlusher({ ...common, rollups: [kept], deadLetter }).flushClosed();
      expect({ buckets: first.buckets, lettered: first.rowsDeadLettered }).toEqual({
        buckets: 1,
        lettered: 2,
      });
      // the tie created added's rows: a flush marker and the refusal attribute, no counter
      const tied = await addedRow('ALL');
      expect(Object.keys(tied ?? {}).sort()).toEqual(['_fb', '_fr', 'pk', 'sk']);
      expect(tied?._fb?.S?.endsWith('|~')).toBe(true);
      if (c.replayFirst) await replay();
      // two more events of the group, in a later bucket
      await createBufferedApplier(common).apply({
        records: [
          insert({ g: { S: 'a' } }, START + 20 * MINUTE),
          insert({ g: { S: 'a' } }, START + 20 * MINUTE),
        ],
        shardId: 's-1',
      });
      if (!c.seal) clock.advance(20 * MINUTE);
      const flusher = createFlusher({
        ...common,
        deadLetter,
        ...(c.later === 'old flusher' ? { rollups: [kept] } : {}),
      });
      const report = await flusher.flushClosed(c.seal ? { all: true } : {});
      expect(report.buckets).toBe(1);
      // the later bucket's marker carries the seal move when it was sealed
      expect((await addedRow('ALL'))?._fb?.S?.includes('^')).toBe(c.seal);
      if (c.later === 'new flusher') {
        expect({ written: report.rowsWritten, lettered: report.rowsDeadLettered }).toEqual({
          written: 3,
          lettered: 0,
        });
        expect((await addedRow('ALL'))?._fb?.S?.endsWith('|~')).toBe(false);
      } else {
        expect(report.rowsDeadLettered).toBe(2);
        const fb = (await addedRow('ALL'))?._fb?.S ?? '';
        expect([fb > (tied?._fb?.S ?? ''), fb.endsWith('|~')]).toEqual([true, true]);
      }
      await replay();
      await replay(); // a second replay adds nothing
      const all = await addedRow('ALL');
      const day = await addedRow('D2026-11-22');
      expect({ n: all?.n?.N, lbv: all?.lbv?.N, day: day?.n_720?.N }).toEqual({ n: '4', lbv: '4', day: '4' });
      expect((await listDeadLetters({ client: env.ddb, table: dlq })).length).toBe(
        c.later === 'old flusher' ? 4 : 2,
      );
    },
  );
});
