// A client that counts the Scans it has in flight: what a test of `segmentConcurrency` (a backfill's, verify's)
// checks against its limit.
import { type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';

/** Options for {@link scanCounting}. */
export interface ScanCountingOptions {
  /**
   * Keep the first Scan in flight until a second one is sent, for up to this many ms: on a loaded machine the
   * segments' other requests (their state slots) can space the Scans out so that none overlap although the limit
   * allows it, and a test that checks the Scans do run together would then fail by timing alone.
   */
  awaitPeerMs?: number;
}

/**
 * `base`, with the most Scans of `table` (of every table when not given) it had in flight at once.
 *
 * @example
 * ```ts
 * const { client, most } = scanCounting(clients.ddb, t.source, { awaitPeerMs: 10_000 });
 * await runBackfill({ ...t, client, segments: 12, segmentConcurrency: 3 });
 * expect(most()).toBeLessThanOrEqual(3);
 * ```
 */
export function scanCounting(
  base: DynamoDBClient,
  table?: string,
  options: ScanCountingOptions = {},
): { client: DynamoDBClient; most: () => number } {
  let now = 0;
  let most = 0;
  let first = true;
  let peerCame: () => void = () => {};
  const client = Object.create(base) as DynamoDBClient;
  const send = base.send.bind(base) as (c: unknown) => Promise<unknown>;
  client.send = (async (command: unknown) => {
    const scan = command instanceof ScanCommand && (table === undefined || command.input.TableName === table);
    if (scan) {
      most = Math.max(most, ++now);
      if (now > 1) peerCame();
    }
    try {
      const out = await send(command);
      if (scan && first && options.awaitPeerMs !== undefined) {
        first = false;
        if (now === 1)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, options.awaitPeerMs);
            peerCame = () => {
              clearTimeout(timer);
              resolve();
            };
          });
      }
      return out;
    } finally {
      if (scan) now--;
    }
  }) as DynamoDBClient['send'];
  return { client, most: () => most };
}
