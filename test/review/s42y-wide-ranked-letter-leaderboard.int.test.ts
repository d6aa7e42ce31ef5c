// Review s42y (Redis flusher + dead-letter replay, mixed deploy, a ranked wide row): a flusher on the NEW configuration
// (knows rollup `wide`, ranked by `energy` per hour) writes the first part of an hour row too wide for one write (183
// counters: row-parts.ts) and dies before the next; its leaderboard entry (`lbk`, `lbv`) goes with the LAST part, so
// the row holds the first part's cells and no entry for the bucket. A flusher on the OLD configuration (no `wide`)
// then runs the bucket: since s41y it letters only the cells the row does not hold (redis/held-cells.ts), which are
// the later parts; `energy`, the leaderboard measure, was in the written first part. Replayed with `wide`'s
// definition, the letter is placed (dead-letter/placed-delta.ts) but finds no `energy` delta in it: no leaderboard
// entry is written, and the hour is missing from the leaderboard for good (every later write of the row is that
// bucket's letter or a later bucket).
// Observed (main at 6cc8e842, with s42y's tie): after the replay the row's counters are all right (energy 120), but
// `lbk` and `lbv` are absent.
// Expected: `lbv` = 120 (the bucket's energy, as the flush's last part would have added), `lbk` set, once (a second
// replay adds nothing).
// Fixed (session 42, redis/held-cells.ts `unheldCells`, dead-letter/placed-delta.ts): a row written in part keeps the
// cells it holds in the letter's delta as `written` (never added by a replay); a replay that places the row takes the
// leaderboard delta from the measure's cell in `adds` or in `written`.
// Break-checked: placedDelta reading the measure from `adds` only fails it as observed (lbk false, lbv undefined), as
// does placed-delta.test.ts's `written` case.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { DynamoDbDeadLetterSink } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { heldClient } from '../support/held-client.ts';
import { kept, wideHourBuffered, wideRollup } from './mixed-deploy-fixture.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();

describe('Redis flusher: a ranked wide row a new-configuration flusher wrote in part, lettered by an old one', () => {
  it('the letter’s replay writes the bucket’s leaderboard entry', async () => {
    // records arrive after their hour (a catch-up): one flush bucket, an hour row of 183 counters, in parts
    const {
      common,
      dlq,
      replay,
      hourRow: row,
    } = await wideHourBuffered(env, 's42y-ranked', wideRollup(true));
    const deadLetter = new DynamoDbDeadLetterSink(env.ddb, dlq);
    let updates = 0;
    const dying = heldClient(env.ddb, async (c) => {
      if (c instanceof UpdateItemCommand && c.input.Key?.pk?.S === 'wide#sa' && ++updates === 2)
        throw new Error('the flusher dies after the first part of the row');
    });
    await expect(
      createFlusher({ ...common, client: dying, concurrency: 1, deadLetter }).flushClosed(),
    ).rejects.toThrow(/dies after the first part/);
    // the first part holds the measure, and no entry yet
    expect({ energy: (await row())?.energy?.N, lbv: (await row())?.lbv?.N }).toEqual({
      energy: '120',
      lbv: undefined,
    });
    const report = await createFlusher({ ...common, rollups: [kept], deadLetter }).flushClosed();
    expect(report.rowsDeadLettered).toBe(1);
    expect((await replay()).map((r) => r.outcome)).toEqual(['replayed']);
    await replay();
    const after = await row();
    expect({ energy: after?.energy?.N, power: after?.power?.N, readings: after?.readings?.N }).toEqual({
      energy: '120',
      power: '180',
      readings: '60',
    });
    expect({ lbk: after?.lbk?.S !== undefined, lbv: after?.lbv?.N }).toEqual({ lbk: true, lbv: '120' });
  });
});
