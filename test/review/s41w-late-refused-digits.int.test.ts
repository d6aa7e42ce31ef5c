// Review s41w (of s41r's late-after-script change, 0ad0bc4d): a failure after the Redis script took a batch (its
// min / max / last writes, its dead-letter sink's send of the records Redis left out for 38 digits, or now the send
// deadline passing there) is BUFFERED_BATCH_UNFINISHED, waited out by the stream worker for as long as it lasts, and
// "the retry dead-letters the records late by then itself, with no pending row (the watermark in Redis holds
// them)". Not every one: a record the script LEFT OUT (a sum past 38 digits, in the shard's `px`) is at or below the
// watermark but counted nowhere, and its NUMBER_UNREPRESENTABLE letter was the step that failed. The late retry's
// `lateBufferedPoison` took it for held by Redis: a RECORD_TOO_OLD letter with no pending row, whose replay writes
// nothing: the record is counted nowhere and no letter says so (a lost count).
// Observed (main): the redelivery 25 h later dead-letters 1e-19 as `RECORD_TOO_OLD pending 0`.
// Expected: a late record Redis left out is not taken for held: its letter lists every row it touches (Redis
// never counted it), so its replay counts it or says why not.
// Severity: medium (a record lost from every count, its letter replaying nothing; reached when the dead-letter
// table fails until the batch's records turn late, which the worker now waits out).
// Fixed: redis/late-buffered.ts reads the shard's `px` with its watermark: a record left out there is probed
// (pendingRowsOf), never taken for held.
// Break-check: on main (no px read) the letter's pendingRows is [] and the test fails at the pending check. With the
// DynamoDB sink a record has one letter (keyed by its sequence number): a NUMBER_UNREPRESENTABLE letter already
// stored keeps this one out, so nothing is counted twice.
import { describe, expect, it, vi } from 'vitest';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier, createFlusher } from '../../packages/dynotally/src/redis/index.ts';
import { MINUTE } from '../redis/harness.ts';
import { streamInserts } from '../redis/stream-inserts.ts';
import { useBufferEnv } from '../redis/use-buffer-env.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const amounts = defineRollup({
  name: 'amounts',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount') },
});

const env = useBufferEnv();
const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const insert = streamInserts({ from: 7000, idPrefix: 'w' });
const rec = (g: string, amount: string) => insert({ g: { S: g }, amount: { N: amount } }, START);

describe('Redis buffer: a record left out for 38 digits, its letter failed, redelivered late (review s41w)', () => {
  it('is dead-lettered with its rows pending, not as held by Redis', async () => {
    const { clock, common } = await env.fixture('s41w-late-px', [amounts], START);
    let fail = true;
    const letters: DeadLetter[] = [];
    const applier = createBufferedApplier({
      ...common,
      deadLetter: {
        send: async (l) => {
          if (fail) throw new Error('dead-letter table unreachable');
          letters.push(...l);
        },
      },
    });
    const batch = [rec('b', '1e20'), rec('b', '1e-19'), rec('b', '2')];
    await expect(applier.apply({ records: batch, shardId: 's-1' })).rejects.toThrow(
      /BUFFERED_BATCH_UNFINISHED|unreachable/,
    );
    // the dead-letter table is back 25 hours later (the worker waited the batch out): every record is late now
    fail = false;
    clock.advance(25 * 60 * MINUTE);
    await applier.apply({ records: batch, shardId: 's-1' });
    await createFlusher(common).flushClosed({ all: true });
    const refused = batch[1]?.dynamodb?.SequenceNumber as string;
    const letter = letters.find((l) => l.sequenceNumber?.replace(/^0+/, '') === refused);
    // observed: RECORD_TOO_OLD with pendingRows [] (a replay writes nothing; the record is counted nowhere)
    expect(letter).toBeDefined();
    expect(letter?.pendingRows === undefined || letter.pendingRows.length > 0).toBe(true);
    expect(letter?.pendingRows?.map((r) => `${r.pk} ${r.sk}`)).toEqual(['amounts#sb ALL']);
    // the two records Redis counted are held: no pending row
    for (const i of [0, 2]) {
      const seq = batch[i]?.dynamodb?.SequenceNumber as string;
      const l = letters.find((x) => x.sequenceNumber?.replace(/^0+/, '') === seq);
      expect(l?.pendingRows).toEqual([]);
    }
  });
});
