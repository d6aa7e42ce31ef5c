// Review s41r (stream worker, the reason of a wait for BUFFERED_BATCH_UNFINISHED): a batch the Redis buffer took but
// could not finish (its min / max / last writes to DynamoDB, or its own letters, failed) is waited out, never split
// or dead-lettered (s40w). The wait was reported as `waiting: 'redis'` (`stats().shards[].failing.waiting`), so the
// CLI's progress line said "waiting for Redis" and the worker logged "waiting for Redis: … until the Redis buffer
// answers" while Redis answered fine and DynamoDB was what failed: an operator looked at the wrong system.
// Observed (before the fix): `waiting: 'redis'`, "(1 waiting for Redis)".
// Expected: its own reason, `'dynamodb'`, and wording that names DynamoDB; still never dropped by `maxRecordAgeMs`
// (Redis holds the batch).
// Fixed (session 41, worker/batch-processor.ts `WAITED_OUT`, worker/stream-worker.ts, dynotally-cli
// commands/worker.ts `failingPart`).
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { DynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { type BatchFailure, processBatch } from '../../packages/dynotally/src/worker/batch-processor.ts';
import type { WorkerStats } from '../../packages/dynotally/src/worker/index.ts';
import { statsLine } from '../../packages/dynotally-cli/src/cli/commands/worker.ts';

const record = (seq: number, createdMs: number): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  dynamodb: { SequenceNumber: String(seq), ApproximateCreationDateTime: createdMs / 1000 },
});

describe('stream worker: a wait for BUFFERED_BATCH_UNFINISHED (review s41r)', () => {
  it('is reported as waiting for DynamoDB, not Redis, and never dropped by maxRecordAgeMs', async () => {
    let now = 1_000_000;
    let attempts = 0;
    const failures: BatchFailure[] = [];
    const dropped: string[] = [];
    const outcome = await processBatch(
      [record(1, now - 500)],
      { maxRetries: 0, bisectOnError: false, maxRecordAgeMs: 1_000, retryBaseMs: 1, retryMaxMs: 2 },
      {
        handle: async () => {
          attempts++;
          if (attempts < 3) {
            now += 5_000; // the record is past maxRecordAgeMs by the retry
            throw new DynotallyError('BUFFERED_BATCH_UNFINISHED', 'injected: the extrema writes failed');
          }
          return { batchItemFailures: [] };
        },
        deadLetter: async (rs, code) => {
          dropped.push(`${code} x${rs.length}`);
        },
        onFailure: (f) => failures.push(f),
        checkpoint: async () => {},
        aborted: () => false,
        sleep: async () => {},
        now: () => now,
      },
    );
    expect({ processed: outcome.processed, dropped, waiting: failures.map((f) => f.waiting) }).toEqual({
      processed: 1,
      dropped: [],
      waiting: ['dynamodb', 'dynamodb'],
    });
  });

  it('the progress line names DynamoDB', () => {
    const failing = {
      attempts: 4,
      records: 25,
      lastError: 'x',
      backoffMs: 100,
      stage: 'handler' as const,
      since: 0,
    };
    const line = statsLine({
      records: 9,
      recordsPerSecond: 0,
      iteratorAgeMs: 0,
      leasesHeld: 1,
      workers: 1,
      deadLettered: 0,
      errors: 0,
      failingShards: 3,
      failedAttempts: 7,
      lastError: 's1: DynotallyError [BUFFERED_BATCH_UNFINISHED]: …',
      apply: { poison: 0 },
      shards: [
        { failing: { ...failing, waiting: 'dynamodb' } },
        { failing: { ...failing, waiting: 'redis' } },
        { failing },
      ],
    } as unknown as WorkerStats);
    expect(line).toContain(
      'FAILING 3 shards (1 waiting for Redis, 1 waiting for DynamoDB to take a buffered batch)',
    );
  });
});
