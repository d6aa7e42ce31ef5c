// Review s42v (probe, mixed deploy with a sink of one's own): a refused part tied apart from its letter, then the old
// configuration's flusher runs the bucket. The new configuration's flusher (knows rollup `wide`) runs with a sink that
// does not commit alongside (`commitsAlongside` unset: any sink but DynamoDbDeadLetterSink). It writes the hour row's
// first part, DynamoDB refuses the second (a ValidationException, simulated: as for a sum past 38 digits computed by
// the store), so it ties the part apart (`_fb` = `_fr` = the part's marker, refused-marker.ts) and then sends the
// part's letter, and stops before the letter is stored (the sink's first send throws). A re-run of that flusher would
// send the letter again (`refusalAt` 'tied'). But the old configuration's flusher (no `wide`) runs the bucket: it
// reads `_fb` at the refused part's marker and takes the refused part's cells for held by the row (held-cells.ts
// `unheldCells`, `flushedCell` reads `_fb` only, not `_fr`), letters the rest with a tie (overwriting `_fr`), and marks
// the bucket done. Nobody stores the refused part's letter.
// Observed (main at f296f11f): after the replay of every letter the hour row holds 100 of its 183 counters (the
// second part's 83 lost for good). Control: the new flusher re-running the bucket instead stores the letter (183).
// Not from today's tie: with flusher.ts and held-cells.ts of ebac410c^ both tests fail the same way (`unheldCells`,
// session 41, already took a part tied apart for held); the tie's `_fr` overwrite only hides it from a later re-run.
// Expected: every counter once (183, none wrong): a row whose `_fr` says a part was refused and tied apart holds
// not that part's cells; the old flusher letters them (the part's letter, same key as the new flusher's).
// The same with a narrow row refused whole (`_fb` = `_fr` = the bucket's marker; the row existing before): the old
// flusher counts it as already applied and sends nothing; `added`'s ALL row ends at n = 0 after the replay, for 2
// events (second test; control, the new flusher's own re-run: 2).
// Severity: low (a sink of one's own, a mixed deploy, a crash between the tie and the letter, a refusal that depends
// on the row). docs/redis-buffer.md already warns that a sink of one's own can count twice in a mixed deploy; this is
// the losing side. Not fixed: the old flusher would have to rebuild the part (rowParts of a rollup it lacks) or
// letter the cells under a key the new flusher's re-run also uses.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import {
  type DeadLetterSink,
  DynamoDbDeadLetterSink,
} from '../../packages/dynotally/src/dead-letter/index.ts';
import { createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';
import { heldClient } from '../support/held-client.ts';
import {
  kept,
  twoEventsBuffered,
  wideHourBuffered,
  wideRollup,
  wrongHourCounters,
} from './mixed-deploy-fixture.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const env = useBufferEnv();

describe('a part tied apart by the new flusher, its letter unsent, then the old flusher runs the bucket', () => {
  it.fails('the refused part’s cells are lettered, not taken for held', async () => {
    const { common, dlq, replay, hourRow } = await wideHourBuffered(env, 's42v-untied', wideRollup());
    const table = new DynamoDbDeadLetterSink(env.ddb, dlq);
    let parts = 0;
    const refusing = heldClient(env.ddb, async (c) => {
      if (
        c instanceof UpdateItemCommand &&
        c.input.Key?.sk?.S === 'H2026-11-22T08:00' &&
        c.input.ReturnValues === 'UPDATED_NEW' &&
        ++parts === 2
      )
        throw Object.assign(
          new Error(
            'Number overflow. Attempting to store a number with magnitude larger than supported range',
          ),
          {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          },
        );
    });
    let sends = 0;
    const own: DeadLetterSink = {
      retentionDays: table.retentionDays,
      async send(letters, options) {
        if (++sends === 1) throw new Error('the flusher stops before the letter is stored');
        await table.send(letters, options);
      },
    };
    await expect(
      createFlusher({ ...common, client: refusing, concurrency: 1, deadLetter: own }).flushClosed(),
    ).rejects.toThrow(/stops before the letter/);
    const row = await hourRow();
    expect(row?._fr?.S).toBe(row?._fb?.S); // the second part tied apart
    const report = await createFlusher({ ...common, rollups: [kept], deadLetter: table }).flushClosed();
    expect(report.buckets).toBe(1);
    await replay();
    expect(wrongHourCounters(await hourRow())).toEqual({ counters: 183, wrong: [] });
  });

  it.fails('a narrow row refused whole and tied apart: its cells are lettered, not taken for held', async () => {
    const {
      table: aggregates,
      common,
      dlq,
      replay,
      addedRow,
    } = await twoEventsBuffered(env, 's42v-untied-row');
    // the row exists (an earlier bucket wrote it; a row that does not exist is refused untied, and lettered again)
    await env.ddb.send(
      new UpdateItemCommand({
        TableName: aggregates,
        Key: { pk: { S: 'added#sa' }, sk: { S: 'ALL' } },
        UpdateExpression: 'SET #n = :z',
        ExpressionAttributeNames: { '#n': 'n' },
        ExpressionAttributeValues: { ':z': { N: '0' } },
      }),
    );
    const table = new DynamoDbDeadLetterSink(env.ddb, dlq);
    let refused = false;
    const refusing = heldClient(env.ddb, async (c) => {
      if (
        c instanceof UpdateItemCommand &&
        c.input.Key?.pk?.S === 'added#sa' &&
        c.input.Key?.sk?.S === 'ALL' &&
        c.input.ReturnValues === 'UPDATED_NEW' &&
        !refused
      ) {
        refused = true;
        throw Object.assign(
          new Error(
            'Number overflow. Attempting to store a number with magnitude larger than supported range',
          ),
          {
            name: 'ValidationException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          },
        );
      }
    });
    let sends = 0;
    const own: DeadLetterSink = {
      retentionDays: table.retentionDays,
      async send(letters, options) {
        if (++sends === 1) throw new Error('the flusher stops before the letter is stored');
        await table.send(letters, options);
      },
    };
    await expect(
      createFlusher({ ...common, client: refusing, concurrency: 1, deadLetter: own }).flushClosed(),
    ).rejects.toThrow(/stops before the letter/);
    const tied = await addedRow('ALL');
    expect([tied?._fr?.S !== undefined, tied?._fr?.S, tied?.n?.N]).toEqual([true, tied?._fb?.S, '0']); // tied apart
    await createFlusher({ ...common, rollups: [kept], deadLetter: table }).flushClosed();
    await replay();
    expect((await addedRow('ALL'))?.n?.N).toBe('2');
  });
});
