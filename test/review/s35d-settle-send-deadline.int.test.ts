// Review s35d (exactly-once write path, late settles): a late delivery settles a record an earlier delivery refused
// for 38 digits (its exclusion carried) while the record is at most the redelivery horizon (25 h) old by the clock
// the call started with (`lateToSettle`): it takes the record back from the rows it reached, each take-back guarded
// by the marker `x_…` holding the record's time, which writers drop once it is the horizon plus its margin (26 h)
// old (`staleStatesOf`). The batch's send deadline (`sendDeadline`) left the settled records out: only the on-time
// records' deadline (creation + 24 h 40 min) held the call, and a batch whose on-time records are over an hour newer
// than the settled one (or a batch of settled records only: no deadline at all) could send the take-back after the
// marker was dropped. The row still holds the shard's state for the batch's newer record, so the take-back's
// condition (state at or past the record, no marker) holds again and the record is taken back a second time.
// Scenario: shard-1's batch [b (refused on amounts), g (2 h newer)] is delivered at 24 h 20 min: b is taken back from
// kinds (marker set), then the letter fails and so does the batch. Again at 24 h 55 min: b is late and settled, but
// the call stalls on its first request (a throttled read under a stream worker's long applyTimeoutMs) until 26 h 20
// min; meanwhile another shard writes kinds twice (pruneSampleEvery 1) and drops b's marker (26 h 20 min old). Then
// the call goes on, g's deadline (26 h 40 min) not passed.
// Observed (before the fix): kinds counts 3 (a, g, c, d less b a second time); b's letter is NUMBER_UNREPRESENTABLE.
// Expected: b is taken back once: the settle's requests stop at b's creation + 25 h 40 min (the marker's lifetime
// less the writers' clock skew and a request in flight), the call fails with RECORD_TOO_OLD, and its redelivery
// finds b past the horizon and dead-letters it as RECORD_TOO_OLD. kinds counts 4.
// Fixed: `sendDeadline` holds a settled record's requests to its creation + 25 h 40 min (`SETTLE_AFTER_LATE_SECONDS`
// in apply/send-deadline.ts); with the settled records left out again, this probe counts 3.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import type { DeadLetter } from '../../packages/dynotally/src/dead-letter/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { amounts, kinds } from '../apply/digits-rollups.ts';
import { insertRecords } from '../apply/insert-record.ts';
import { scanTable, testClients, uniqueTableName } from '../support/ddb.ts';
import { heldClient } from '../support/held-client.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = 1_763_800_000_000; // b's stream time
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function kindsRow(table: string) {
  const row = (await scanTable(clients.ddb, table)).find((i) => i.pk?.S === 'kinds#sk');
  if (row === undefined) throw new Error('no kinds row');
  return { n: row.n?.N, markers: Object.keys(row).filter((a) => /^x_[0-9a-f]{12}$/.test(a)).length };
}

describe('review s35d: a late settle held past its take-back marker', () => {
  it('takes the record back from each row once: no settle request goes out once the marker may be gone', async () => {
    const table = uniqueTableName('s35d-settle');
    await createAggregateTable(clients.ddb, table);
    const letters: DeadLetter[] = [];
    let failLetters = 0;
    let now = T + HOUR;
    /** Armed: the next request of shard-1's applier runs `stall` first (a stalled call), once. */
    let stall: (() => Promise<void>) | undefined;
    const held = heldClient(clients.ddb as DynamoDBClient, async () => {
      const s = stall;
      stall = undefined;
      await s?.();
    });
    const applier = (shardId: string, client: DynamoDBClient) => {
      const a = new Applier({
        client,
        table,
        rollups: [amounts, kinds],
        write: { api: 'update-item' },
        now: () => now,
        pruneSampleEvery: 1,
        lateRecords: 'dead-letter',
        deadLetter: {
          send: async (l) => {
            if (failLetters-- > 0) throw new Error('injected: the dead-letter sink is down');
            letters.push(...l);
          },
        },
      });
      return (records: DynamoDBRecord[]) => a.apply({ records, shardId });
    };
    const next = insertRecords();
    /** An INSERT written at stream time `at` (its event time stays T). */
    const insert = (id: string, g: string, amount: string, at = T): DynamoDBRecord => {
      const r = next(id, { g: { S: g }, kind: { S: 'k' }, amount: { N: amount } });
      return { ...r, dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: at / 1000 } };
    };

    const one = applier('shard-1', held);
    await one([insert('a', 'big', '1e20')]);
    // b is taken back from kinds (a marker there; the shard's state on kinds is g's), then the letter fails
    const batch = [insert('b', 'big', '1e-19'), insert('g', 'other', '1', T + 2 * HOUR)];
    now = T + 24 * HOUR + 20 * MINUTE;
    failLetters = 1;
    await expect(one(batch)).rejects.toThrow('injected');
    expect(await kindsRow(table)).toEqual({ n: '2', markers: 1 }); // a, g

    // the batch again at 24 h 55 min: b is late and settled, and the call stalls on its first request until
    // 26 h 20 min, while another shard writes kinds twice and drops b's marker
    const two = applier('shard-2', clients.ddb as DynamoDBClient);
    stall = async () => {
      now = T + 26 * HOUR + 20 * MINUTE;
      await two([insert('c', 'small', '1', now)]);
      await two([insert('d', 'small', '1', now)]);
      expect(await kindsRow(table)).toEqual({ n: '4', markers: 0 }); // the marker is gone
    };
    now = T + 24 * HOUR + 55 * MINUTE;
    const settled = await one(batch).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stall).toBeUndefined(); // the stall ran
    if (settled !== undefined) {
      expect((settled as { code?: string }).code).toBe('RECORD_TOO_OLD');
      await one(batch); // redelivered: b is past the horizon now
    }
    expect(await kindsRow(table)).toEqual({ n: '4', markers: 0 }); // a, g, c, d: b taken back once (before the fix: 3, the marker set again)
    expect(letters.map((l) => l.code)).toEqual(['RECORD_TOO_OLD']);
  });
});
