// Replays every dead letter of a table with no rollups (letters carrying their rows' deltas, as the Redis flusher
// writes them), expecting the first to be replayed, for the tests of such letters' replay.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'vitest';
import { type ReplayResult, replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';

/**
 * Replays all letters of `deadLetterTable` into `table` and checks the first came out `replayed`, with no reason.
 *
 * @example
 * ```ts
 * await new DynamoDbDeadLetterSink(client, dlt).send([letter]);
 * await replayDeltaLetters(client, dlt, table);
 * ```
 */
export async function replayDeltaLetters(
  client: DynamoDBClient,
  deadLetterTable: string,
  table: string,
): Promise<ReplayResult | undefined> {
  const [result] = await replayDeadLetters({ client, deadLetterTable, table, rollups: [], all: true });
  expect(result?.reason).toBeUndefined();
  expect(result?.outcome).toBe('replayed');
  return result;
}
