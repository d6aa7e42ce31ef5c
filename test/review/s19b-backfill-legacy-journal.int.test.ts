// Review s19b (backfill beside the stream, journals of earlier builds): session 19 made the process that journals
// a chunk record which items it counts (`members`), so that no process claims an item that became countable after
// the chunk's rows were written (folded below the rows' watermark, then skipped by the stream: counted by nobody).
// A journal without bits keeps an old rule (`claimsItem`, backfill/chunk-members.ts): every unclaimed key is
// claimed while the progress item has no `applying`, none once it has — "that build stamps it after its claims,
// before its rows". That holds for the journals of the build just before (`stamped: true`), not for those of the
// build before that (no `stamped`, fa48e04): it never wrote `applying` at all, so its chunk may have been applied
// (run-backfill.ts itself says so: `unstampedFirstApplied`) and still has no `applying`. Resumed by this build,
// such a chunk claims every unclaimed key afresh — exactly the rule session 19 removed ("decide by the later
// read"): an item that became countable after the rows were written is claimed under (segment, chunk), folded as
// a record below the rows' watermark (dropped as a redelivery), and the stream's change to the claimed image is
// skipped. docs/backfill.md ("Which items the scan claims") states the same rule for every journal without bits.
// Scenario: as s19-backfill-resumed-chunk's second test (one segment, one chunk of 8 orders of store s-0, the
// first in scan order untimed when scanned; the run dies between the chunk's rows and its progress write), with
// the progress item as the unstamped build leaves it (journal without `stamped` and `members`, no `applying`).
// The order then gets its time; the stream consumer lags and applies that MODIFY after the resume.
// Observed: 7 orders counted for store s-0, 8 in the source; the resume completes (ready), nothing reported.
// Expected: 8, as for a journal of this build (s19-backfill-resumed-chunk passes) and with the MODIFY applied
// before the resume.
// Fixed (session 19): such a chunk, claimed at least in part, leaves unclaimed keys to the stream and is refused
// (BACKFILL_REFUSED: rebuild) when one of their items counts now, since nothing tells whether its rows were written
// (run-backfill.ts, legacyChunkRefused); this was the review's it.fails. The control passes as before: the stream
// claimed the item when it applied the change, so no unclaimed item counts at the resume.
// Suggested fix: for a journal without bits and without `stamped`, do not claim afresh once the chunk may have
// been applied: e.g. take it as applied when one of the version's rows carries the segment's watermark at or past
// the chunk's first sequence number (the earlier build wrote every claim before any row), and claim afresh only
// when none does; or refuse to resume such a chunk (BACKFILL_REFUSED: rebuild the version) rather than guess.
// `claimsItem` should take the journal's `stamped`, and docs/backfill.md say which rule unstamped journals get.
import { PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { progressKey } from '../../packages/dynotally/src/backfill/progress-item.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { readControl } from '../../packages/dynotally/src/versions/control-store.ts';
import { crashAfterRows } from '../backfill/crash-after-rows.ts';
import { tablesWithUntimedOrder } from '../backfill/untimed-order.ts';
import { claimsPrefixOf } from '../support/claims-prefix.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';
import { storeCount, streamModify } from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const rollup = storeCountRollup;
const ITEMS = 8;
const base = { rollup, segments: 1, chunkItems: 20, settleMs: 0 };

/** Rewrites segment 0's progress item as the build before `stamped` leaves it: no stamp, no bits, no `applying`. */
async function asUnstampedBuildLeftIt(t: { table: string; claimTable: string }): Promise<void> {
  const control = await readControl(clients.ddb, t.table, rollup.compiled.name);
  const version = control?.versions.at(-1)?.version ?? 1;
  const prefix = await claimsPrefixOf(clients.ddb, t.table, rollup.compiled.name, version);
  await clients.ddb.send(
    new UpdateItemCommand({
      TableName: t.claimTable,
      Key: progressKey(prefix, 0, 1),
      UpdateExpression: 'REMOVE #a, #j.#s, #j.#m',
      ConditionExpression: 'attribute_exists(#j.#m) AND attribute_exists(#a)',
      ExpressionAttributeNames: { '#a': 'applying', '#j': 'journal', '#s': 'stamped', '#m': 'members' },
    }),
  );
}

describe('a chunk journaled by the build before stamps, resumed by this one after its rows were written', () => {
  it('counts every order when the stream applies the change before the resume (control)', async () => {
    const t = await tablesWithUntimedOrder(clients.ddb, 's19b-legacy-ok', ITEMS, rollup.compiled);
    await expect(runBackfill({ ...t, ...base, client: crashAfterRows() })).rejects.toThrow(/crash/);
    await asUnstampedBuildLeftIt(t);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS - 1));
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: t.timed }));
    await streamModify(clients.ddb, t, Date.now(), t.untimed, t.timed);
    const report = await runBackfill({ ...t, ...base, client: clients.ddb });
    expect(report.complete).toBe(true);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS));
  });

  it('never counts an order that became a member between the crash and the resume by nobody', async () => {
    const t = await tablesWithUntimedOrder(clients.ddb, 's19b-legacy', ITEMS, rollup.compiled);
    await expect(runBackfill({ ...t, ...base, client: crashAfterRows() })).rejects.toThrow(/crash/);
    await asUnstampedBuildLeftIt(t);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS - 1));
    // the order gets its time; the stream consumer lags and applies the MODIFY after the resume
    await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: t.timed }));
    // refused before anything is claimed or folded (the version is rebuilt instead); then the stream counts the order
    await expect(runBackfill({ ...t, ...base, client: clients.ddb })).rejects.toMatchObject({
      code: 'BACKFILL_REFUSED',
    });
    await streamModify(clients.ddb, t, Date.now(), t.untimed, t.timed);
    expect(await storeCount(clients.ddb, t.table)).toBe(String(ITEMS));
  });
});
