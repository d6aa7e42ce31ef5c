// Review s34w (stream consumption): the stream worker dead-letters records older than `maxRecordAgeMs` before each
// handler call (`dropOld` in worker/batch-processor.ts) without `through`, so the letters are stored with no
// checkpoint past their records. Every other skip (RETRIES_EXHAUSTED) passes `through`, and the worker's sink then
// commits the checkpoint in the same transaction as the letters, "so a crash between the two never dead-letters a
// record that a redelivery then applies" (BatchProcessorDeps.deadLetter). Here the batch goes on to the handler with
// its young records; when that call fails and the batch is abandoned (a `stop()` during a deploy, the lease running
// out while the handler is throttled: the usual company of a lagging stream, which is when records get old), the
// letters are stored and the checkpoint stays before them. The next owner reads the records again. If it does not
// find them old (the operator did what the letter's reason says, "raise maxRecordAgeMs", and restarted; or the next
// worker's clock is a few seconds behind for a record at the boundary) it applies them, and the letters, whose
// probe found every row pending, stay replayable: `dead-letters replay` adds them a second time.
// Expected: letters of old records leave the batch only with a checkpoint through them, committed with them
// (`through` = the last old record when the old records are a prefix of the segment, as they are by time), so an
// abandoned batch never leaves a letter of a record it will redeliver.
// Observed: `deadLetter(old records, 'RECORD_TOO_OLD', reason, undefined)`, then no checkpoint at all.
// Severity: medium (a replay counts twice; needs an old record, an abandoned batch, and a later run that applies it).
// Suggested fix: in `dropOld`, when the old records form a prefix of the segment, pass `through` = the last of them
// (and advance the segment's start), so the sink commits the checkpoint with the letters; dead-letter old records
// that are not a prefix only once the records before them are checkpointed (or give each run of them `through`).
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { processBatch } from '../../packages/dynotally/src/worker/batch-processor.ts';

const NOW = 1_800_000_000_000;
const seq = (i: number) => String(100_000_000_000_000_000_000n + BigInt(i * 7));
const record = (i: number, ageMs: number): DynamoDBRecord => ({
  eventID: `e${i}`,
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: seq(i), ApproximateCreationDateTime: Math.floor((NOW - ageMs) / 1000) },
});

describe('s34w: letters of records too old, in a batch abandoned afterwards', () => {
  it('are stored only with a checkpoint through them', async () => {
    const records = [record(0, 120_000), record(1, 90_000), record(2, 1_000), record(3, 0)];
    let stopping = false;
    const stored: Array<{ seqs: string[]; through: string | undefined }> = [];
    const checkpoints: string[] = [];
    const outcome = await processBatch(
      records,
      { maxRetries: 3, bisectOnError: true, maxRecordAgeMs: 60_000, retryBaseMs: 1, retryMaxMs: 1 },
      {
        handle: async () => {
          stopping = true; // the worker is stopped (or its lease runs out) while the call fails
          throw new Error('ProvisionedThroughputExceededException');
        },
        deadLetter: async (rs, _code, _reason, through) => {
          stored.push({
            seqs: rs.map((r) => r.dynamodb?.SequenceNumber ?? ''),
            through: through?.dynamodb?.SequenceNumber,
          });
        },
        checkpoint: async (r) => {
          checkpoints.push(r.dynamodb?.SequenceNumber ?? '');
        },
        aborted: () => stopping,
        sleep: async () => {},
        now: () => NOW,
      },
    );
    expect(outcome.completed).toBe(false);
    expect(stored.map((s) => s.seqs)).toEqual([[seq(0), seq(1)]]);
    // each letter's record is covered: by the checkpoint committed with it, or by one made afterwards
    const covered = (s: string) =>
      stored.some((l) => l.seqs.includes(s) && l.through !== undefined && BigInt(l.through) >= BigInt(s)) ||
      checkpoints.some((c) => BigInt(c) >= BigInt(s));
    expect([seq(0), seq(1)].filter((s) => !covered(s))).toEqual([]);
  });
});
