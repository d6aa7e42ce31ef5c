// Review s19 (backfill beside the stream): a chunk resumed after a crash between its rows and its progress write
// claims the journaled items it did not claim the first time (those that were not members then: no time, outside
// `match`, no group) under the chunk's first sequence numbers. Their rows already carry the segment's watermark of
// that chunk, so the fresh claim's image is dropped as a redelivery, and the stream then skips the item's change up
// to the claimed image: the item is counted by nobody.
// Scenario: one segment, one chunk of 8 orders of store s-0; the first order in scan order (index 0 of the journal)
// has no time attribute when the chunk is scanned, so it is not claimed. The chunk's rows are written (watermark
// chunk 0, index 7) and the run dies before its progress write. The order then gets its time (a MODIFY, not yet
// applied by a lagging stream consumer); the resumed run finds no claim, reads it, claims it as a scan claim of
// (segment 0, chunk 0) and folds it as record index 0 — below the row's watermark, so the row does not take it.
// The stream's MODIFY (new image = the claimed image) is skipped by the claim.
// The second test runs the same through two processes on one segment (backfill.md: "Whatever the order, each
// item is counted once" for two repairs, or a backfill beside a repair): A scans and journals the chunk, B reads
// A's journal, A applies the chunk and ends the backfill (ready), the order gets its time, B goes on: it finds no
// claim for the order, claims it under (segment 0, chunk 0) and folds it below the rows' watermark.
// Observed: 7 orders counted for store s-0, 8 in the source; the backfill completes (ready), nothing reported.
// Expected: 8 (the same run without the crash, or with the MODIFY applied before the resume, counts 8).
// Fixed (session 19): the process that journals a chunk records in the journal which of its items it counts,
// decided once from the scanned page (`members`, backfill/chunk-members.ts); a resumed or second process claims
// only those, so an item uncountable when journaled is left to the stream (no claim: its MODIFY adds the new
// image), and a journaled member that is uncountable or gone when a later process claims it gets a claim of
// nothing, which every later process folds as nothing and the stream reads as no claim. Not the suggested claim
// for every non-member: that costs one claim write per item the version does not count (docs/backfill.md, "Which
// items the scan claims"). These were the review's it.fails.
// Suggested fix: make the chunk's first read of an item decide for every process: claim every journaled item the
// scan reads, non-members included (a scan claim marked as counting nothing, with the image it read: the stream
// skips records up to that image and adds only the new image of the next, as for no claim; an untimed image must
// not be subtracted at a record's time), so a resumed or second process finds its own claim and folds what it
// says (nothing), never the item's later state. Folding fresh claims of
// a resumed chunk under higher sequence numbers (chunk × 10⁶ + journal length + index) is not enough: a second
// process doing so before the first applies the chunk would put the first one's records below the watermark.
// Leaving unclaimed keys to the stream is right only once the chunk's claims are known complete (a chunk stopped
// in its claims must still claim the rest).
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { crashAfterRows } from '../backfill/crash-after-rows.ts';
import { tablesWithUntimedOrder } from '../backfill/untimed-order.ts';
import { testClients } from '../support/ddb.ts';
import { holdingClient } from '../support/holding-client.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { storeCount, streamModify } from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const ITEMS = 8;
const base = { rollup, segments: 1, chunkItems: 20, settleMs: 0 };

describe('a backfill chunk resumed after its rows were written', () => {
  it('counts every order when the stream applies the change before the resume (control)', async () => {
    const t = await tablesWithUntimedOrder(clients.ddb, 's19-resume-ok', ITEMS, rollup.compiled);
    await expect(runBackfill({ ...t, ...base, client: crashAfterRows() })).rejects.toThrow(/crash/);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS - 1));
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: t.timed }));
    await streamModify(clients.ddb, t, Date.now(), t.untimed, t.timed);
    const report = await runBackfill({ ...t, ...base, client: clients.ddb });
    expect(report.complete).toBe(true);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS));
  });

  it('counts an order that became a member between the crash and the resume once', async () => {
    const t = await tablesWithUntimedOrder(clients.ddb, 's19-resume', ITEMS, rollup.compiled);
    await expect(runBackfill({ ...t, ...base, client: crashAfterRows() })).rejects.toThrow(/crash/);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS - 1));
    // the order gets its time; the stream consumer lags and applies the MODIFY after the resume
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: t.timed }));
    const report = await runBackfill({ ...t, ...base, client: clients.ddb });
    expect(report.complete).toBe(true);
    await streamModify(clients.ddb, t, Date.now(), t.untimed, t.timed);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS));
  });
  it('two processes on one segment: counts an order that became a member meanwhile once', async () => {
    const t = await tablesWithUntimedOrder(clients.ddb, 's19-two-runs', ITEMS, rollup.compiled);
    // A journals the chunk (scanning the page itself) and is held there
    const a = holdingClient((command, input) => {
      const names = (input as { ExpressionAttributeNames?: Record<string, string> }).ExpressionAttributeNames;
      // (the write that sets it, not a segment's record of its state slot, whose condition names it)
      return (
        command === 'UpdateItemCommand' &&
        Object.entries(names ?? {}).some(([k, v]) => k.startsWith('#s') && v === 'journal')
      );
    });
    const runA = runBackfill({ ...t, ...base, client: a.client });
    await a.held;
    // B (a second backfill or repair of the version) reads A's journal and is held there
    const b = holdingClient(
      (command, _input, output) =>
        command === 'GetItemCommand' &&
        (output as { Item?: Record<string, unknown> }).Item?.journal !== undefined,
    );
    const runB = runBackfill({ ...t, ...base, client: b.client });
    await b.held;
    // A runs the chunk to its end: the untimed order is not claimed; the version is ready
    a.release();
    expect((await runA).complete).toBe(true);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS - 1));
    // the order gets its time (the stream consumer lags), then B goes on with the chunk
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: t.timed }));
    b.release();
    await runB;
    await streamModify(clients.ddb, t, Date.now(), t.untimed, t.timed);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS));
  });
});
