// Review s36s (backfill state slots, f40cf1d0/7bc4ea72). What: every process of a build takes its segments' state
// slots on one item (`~bf#<prefix>#slots`), the lowest free slot first, by a consistent read and a write conditioned
// on the slot's generation; a process whose write fails reads the item again and tries the same slot, then the next.
// Processes that start together (the documented fleet: `segments: 1000`, `onlySegments` spread over 40 workers or
// Lambda invocations, `segmentConcurrency` 8) all aim at the same lowest free slot, so each take costs about as many
// failed conditional writes (billed, on the whole item) and consistent reads as there are processes taking at once:
// quadratic in the fleet, on one partition key. docs/backfill.md ("Cost model") says one consistent read and one
// conditional write per take ("a few units per segment").
// Expected: about one read and one write per take, or the cost model saying what a fleet starting together pays
// (and the hot key it makes).
// Fixed (session 37): a build's first takes aim at the free slot of rank `segment mod 64`, and a take whose write
// failed reuses the item the failure returns and retries among the lowest 2, 4 … 64 free slots (state-slots.ts); 40
// takes at once now send 40 writes and 40 reads. A first attempt spreading every take (s37s) was reverted: it left
// twice the states on rows (test/review/s37t-slot-spread-states.int.test.ts guards that).
// Severity: low (cost and start-up latency, not counts; DynamoDB Local does not throttle, the service would on one
// key past ~1,000 write units a second).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { StateSlots } from '../../packages/dynotally/src/backfill/state-slots.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/**
 * A client of its own that counts the commands it sends, by name. The replies of its first `together` reads are held
 * until all of them came back (at most 20 s), so the processes start together even on a loaded machine. There, 40
 * takes begun in one tick read the item at different times, and those that read after the first writes take the
 * lowest free slot one after another, as processes starting apart do (load 19 here, other slot tests beside it: 70
 * writes in one run and more than 80 in another).
 */
function countingClient(counts: Map<string, number>, together: number): DynamoDBClient {
  const c = testClients();
  afterAll(() => c.destroy());
  let reads = 0;
  let release!: () => void;
  const allSent = new Promise<void>((resolve) => {
    release = resolve;
  });
  const timer = setTimeout(release, 20_000);
  c.ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (name === 'GetItemCommand' && reads < together) {
        const result = await next(args);
        if (++reads === together) {
          clearTimeout(timer);
          release();
        }
        await allSent; // every reply waits for the last: each process reads the item as it was before any write
        return result;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countingClient' },
  );
  return c.ddb;
}

describe('state slots taken by processes starting together', () => {
  it('cost about one read and one conditional write per take', async () => {
    const claimTable = uniqueTableName('s36s-slots-hot');
    await createClaimTable(clients.ddb, claimTable);
    const PROCESSES = 40;
    const counts = new Map<string, number>();
    const client = countingClient(counts, PROCESSES);
    // one process each (its own StateSlots), each taking one segment's slot, all at once
    const taken = await Promise.all(
      Array.from({ length: PROCESSES }, (_, segment) =>
        new StateSlots(client, claimTable, 'store.v2', Date.now).take(segment),
      ),
    );
    expect(new Set(taken.map((s) => s?.slot)).size).toBe(PROCESSES); // correct: one slot each
    const writes = counts.get('UpdateItemCommand') ?? 0;
    const reads = counts.get('GetItemCommand') ?? 0;
    console.log(`s36s: ${PROCESSES} takes sent ${writes} conditional writes and ${reads} consistent reads`);
    expect(writes).toBeLessThanOrEqual(2 * PROCESSES);
    expect(reads).toBeLessThanOrEqual(2 * PROCESSES);
  });
});
