// Review s23b (stream worker, LATEST pinned at hand-over): a consumer giving up a LATEST lease before its first
// checkpoint pins it (latest-pin.ts findLatestPin): it skims the shard from TRIM_HORIZON and stops at the first empty
// page, taking that for the shard's tip. When the skim found no record (and the LATEST iterator none either) the pin
// is `horizon`: startAtHorizonParams sets startAt TRIM_HORIZON and REMOVES latestFrom. But an empty GetRecords page is
// not the tip: the Streams API documents that GetRecords may return an empty list even though records follow ("it
// might take multiple calls to get to a portion of the shard that contains stream records"), and the consumer's own
// constructor says so ("on AWS an empty page is not always the tip") — which is why a `checkpoint` pin keeps
// latestFrom as a guard. The `horizon` pin drops that guard, so the next owner reads the whole shard from TRIM_HORIZON
// and counts all of its history (up to 24 hours of changes from before the workers met the stream at LATEST).
// Scenario: a simulated shard holding 2 orders created five minutes ago; its first GetRecords after each
// TRIM_HORIZON GetShardIterator answers an empty page with a next iterator (as the API may); worker A (LATEST) takes
// the shard, polls, and stops; worker B (LATEST, same lease table) takes it; 1 order is written.
// Observed: the lease is pinned startAt TRIM_HORIZON without latestFrom, and B counts 3 orders (the 2 old ones too).
// Expected: 1 order (the history stays uncounted: LATEST).
// Suggested fix: do not take an empty page for the tip (skim until NextShardIterator stops moving past records, or
// compare with the LATEST iterator's position / a GetRecords on the tail), or keep latestFrom with the horizon pin so
// the next owner still skips what was created over a minute before it (as after a checkpoint pin).
// Severity: wrong counts (history counted under LATEST; unbounded: the whole retained shard).
// Fixed in session 23: the horizon pin keeps latestFrom, and a TRIM_HORIZON lease with one skips records from over a
// minute before it until the first one it counts, as a checkpoint pin does.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, describe, expect, it } from 'vitest';
import { testClients } from '../support/ddb.ts';
import { latestWorkerFixture, latestOrder as order } from '../worker/latest-fixture.ts';
import { actualCells, expectedCells, waitFor } from '../worker/support.ts';

const clients = testClients();
afterAll(() => clients.destroy());

const SHARD = 'shardId-1';

describe('s23b: a LATEST lease pinned to TRIM_HORIZON after an empty first page', () => {
  it('does not count the shard history', { timeout: 600_000 }, async () => {
    const {
      stream,
      aggregates,
      make: makeWorker,
      lease: leaseOf,
    } = await latestWorkerFixture(clients.ddb, 's23b-hpin', [SHARD]);
    for (const id of ['old-1', 'old-2']) stream.append(SHARD, order(id), new Date(Date.now() - 300_000));
    // the first GetRecords of every TRIM_HORIZON iterator answers an empty page (records follow)
    const inner = stream.client();
    const fresh = new Set<string>();
    const streams = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        const out = (await inner.send(command as never)) as unknown as Record<string, unknown>;
        if (
          command.constructor.name === 'GetShardIteratorCommand' &&
          command.input.ShardIteratorType === 'TRIM_HORIZON'
        )
          fresh.add(out.ShardIterator as string);
        return out;
      },
    } as unknown as DynamoDBStreamsClient;
    const emptyFirst = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        if (command.constructor.name === 'GetRecordsCommand') {
          const it = command.input.ShardIterator as string;
          if (fresh.delete(it)) return { Records: [], NextShardIterator: it };
        }
        return streams.send(command as never);
      },
    } as unknown as DynamoDBStreamsClient;
    const make = (workerId: string) => makeWorker(workerId, { streamsClient: emptyFirst });
    const lease = () => leaseOf(SHARD);
    const a = make('s23b-hpin-a');
    try {
      await a.start();
      await waitFor(
        'A opened LATEST',
        async () => ((await lease())?.latestFrom?.N ? true : undefined),
        120_000,
      );
      await new Promise((r) => setTimeout(r, 300)); // A has polled
    } finally {
      await a.stop();
    }
    const pinned = await lease();
    expect(pinned?.startAt?.S).toBe('TRIM_HORIZON');
    expect(pinned?.latestFrom?.N).toBeDefined(); // kept with the horizon pin: the next owner still skips history
    const b = make('s23b-hpin-b');
    try {
      await b.start();
      await new Promise((r) => setTimeout(r, 300));
      const after = order('after-1');
      stream.append(SHARD, after);
      await waitFor(
        'the last order checkpointed',
        async () => ((await lease())?.checkpoint?.S === stream.lastSequence(SHARD) ? true : undefined),
        120_000,
      );
      expect(await actualCells(clients.ddb, aggregates)).toEqual(expectedCells([after]));
    } finally {
      await b.stop();
    }
  });
});
