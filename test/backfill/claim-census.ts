// What a run of the property of a backfill under a live stream left in the claim table, by kind: which sides of
// the hand-off it reached (the test prints the totals over its runs, to show the schedules hit them).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { scanTable } from '../support/ddb.ts';

/** Claims by kind: a scan claim untouched by the stream, converted by a record that counts in full from the
 * scanned image (its old image) or that is skipped (its new image), a claim of nothing, and a stream claim; and the
 * scan claims that hold their image's digest, the image in parts beside them (spilled). */
export interface ClaimCensus {
  scan: number;
  spilled: number;
  scanFromOld: number;
  scanFromNew: number;
  scanNothing: number;
  stream: number;
}

/** An empty census. */
export const emptyCensus = (): ClaimCensus => ({
  scan: 0,
  spilled: 0,
  scanFromOld: 0,
  scanFromNew: 0,
  scanNothing: 0,
  stream: 0,
});

/**
 * Adds the claims of `claimTable` (progress items left out) to `census`.
 *
 * @example
 * ```ts
 * const total = emptyCensus();
 * await countClaims(clients.ddb, claimTable, total);
 * ```
 */
export async function countClaims(
  client: DynamoDBClient,
  claimTable: string,
  census: ClaimCensus,
): Promise<void> {
  for (const item of await scanTable(client, claimTable)) {
    if (item.pk?.S?.startsWith('~') === true || item.by === undefined) continue;
    if (item.dg !== undefined) census.spilled++;
    if (item.by.S === 'stream') census.stream++;
    else if (item.none?.BOOL === true) census.scanNothing++;
    else if (item.lfirst?.S === 'full') census.scanFromOld++;
    else if (item.lfirst?.S === 'skip') census.scanFromNew++;
    else census.scan++;
  }
}
