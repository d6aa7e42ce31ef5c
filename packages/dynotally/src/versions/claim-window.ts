import type { DynamoDBRecord } from 'aws-lambda';
import type { VersionEntry } from './control-item.ts';

/**
 * Whether a version's records go through the per-item claims of its backfill, and until when: a version that
 * needs a backfill takes its records through the claims while it is `building`, and afterwards those created up
 * to its backfill's end + `marginMs` (later ones count in full without a claim). `undefined`: the records count
 * in full (a first version that was already counting, or every record past the window). The one rule the stream
 * side (`createVersionedWriteSide`) and a dead letter's replay (`replayDeadLetters`) both follow, so a replayed
 * record is counted in a version as the stream would have counted it.
 *
 * @example
 * ```ts
 * const window = claimWindow(entry, 300_000, batch);
 * if (window !== undefined) records = await claimRecords(client, claims, { prefix, reads, ...window }, batch, { ttlSeconds });
 * ```
 */
export function claimWindow(
  entry: VersionEntry,
  marginMs: number,
  records: readonly DynamoDBRecord[],
): { windowEndMs: number | undefined } | undefined {
  if (!entry.needsBackfill) return undefined;
  const ended = entry.backfill?.endedAt;
  const windowEndMs = ended === undefined ? undefined : ended + marginMs;
  const inWindow =
    windowEndMs === undefined ||
    records.some((r) => (r.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000 <= windowEndMs);
  return entry.state === 'building' || inWindow ? { windowEndMs } : undefined;
}
