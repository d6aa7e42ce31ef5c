// A late record (`lateRecords: 'dead-letter'`, RECORD_TOO_OLD) of a rollup version under backfill. The stream side
// writes the item's claim before the version's applier dead-letters the record (claims are durable before
// anything is folded), so the claim says the stream counts the item's change and the backfill's scan leaves the
// item out. Nothing is lost for it: the letter's replay (`replayLate`, `dead-letters replay --late`) goes through
// the same claim (`versionRecords`), which decides the same (the claim's live start is this record), and counts
// the record once in the version; a second replay changes nothing. Without `replayLate` the replay is refused and
// the version lacks the record, which `dynotally verify` shows. Checked with the scan before and after the replay.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { toDeadLetter } from '../../packages/dynotally/src/apply/index.ts';
import { claimKey } from '../../packages/dynotally/src/backfill/claim-item.ts';
import { readClaims } from '../../packages/dynotally/src/backfill/claim-store.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { DynamoDbDeadLetterSink, replayDeadLetters } from '../../packages/dynotally/src/dead-letter/index.ts';
import { defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createDeadLetterTable } from '../../packages/dynotally/src/tables/index.ts';
import { createVersionedWriteSide, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { claimsPrefixOf } from '../support/claims-prefix.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountRollup as rollup, storeCountConfig } from '../support/store-count-rollup.ts';
import { storeCount, storeInsertRecord, storeItem } from '../support/store-count-stream.ts';
import { backfillTables, buildingTables } from './backfill-tables.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const ITEMS = 4;
const DAY = 86_400_000;
/** Another definition of rollup `store`: its version 2, built by a backfill while version 1 serves. */
const monthly = defineRollup({ ...storeCountConfig, granularities: ['all', 'month'] });

describe('a late record of a version under backfill', () => {
  it.each([
    { versions: 'building only' as const, replay: 'after the scan' as const },
    { versions: 'building only' as const, replay: 'before the scan' as const },
    { versions: 'serving and building' as const, replay: 'after the scan' as const },
    { versions: 'serving and building' as const, replay: 'before the scan' as const },
  ])(
    'is counted once by its forced replay ($versions, replay $replay), never by the scan too',
    async ({ versions, replay }) => {
      const items = Array.from({ length: ITEMS }, (_, i) => storeItem(i));
      const name = `bf-late-${versions === 'building only' ? 'o' : 't'}${replay === 'after the scan' ? 'a' : 'b'}`;
      // 'building only': version 1 of `store` being built; else version 1 serving, version 2 (`monthly`) being built
      const t =
        versions === 'building only'
          ? await buildingTables(clients.ddb, name, items, rollup.compiled)
          : await backfillTables(clients.ddb, name, items);
      if (versions !== 'building only') {
        await registerVersions(clients.ddb, t.table, [rollup.compiled]);
        await registerVersions(clients.ddb, t.table, [monthly.compiled]);
      }
      const rollups = versions === 'building only' ? [rollup] : [rollup, monthly];
      const built =
        versions === 'building only'
          ? { def: rollup, prefix: 'store', version: 1 }
          : { def: monthly, prefix: 'store.v2', version: 2 };
      const dlt = uniqueTableName('bf-late-dl');
      await createDeadLetterTable(clients.ddb, dlt);
      const side = createVersionedWriteSide({
        client: clients.ddb,
        table: t.table,
        claimTable: t.claimTable,
        rollups,
        apply: { lateRecords: 'dead-letter' },
      });
      // item 3's INSERT, written two days ago, delivered now (a worker back after an outage)
      const late = storeInsertRecord(ITEMS - 1, Date.now() - 2 * DAY);
      const out = await side.apply({ records: [late], shardId: 'shard-1' });
      // one letter, with the rows of every version written
      expect(out.poison.map((p) => p.error.code)).toEqual(['RECORD_TOO_OLD']);
      expect(out.poison[0]?.pendingRows?.length).toBe(versions === 'building only' ? 1 : 3);
      await new DynamoDbDeadLetterSink(clients.ddb, dlt).send(
        out.poison.map((p) => toDeadLetter(p, late.eventSourceARN ?? '', 'shard-1', Date.now())),
      );
      expect(await storeCount(clients.ddb, t.table, built.prefix)).toBeUndefined();
      // the claim was written first: the stream counts the item from this record on
      const claims = await readClaims(clients.ddb, t.claimTable, [
        claimKey(await claimsPrefixOf(clients.ddb, t.table, 'store', built.version), {
          id: { S: `o-${ITEMS - 1}` },
        }),
      ]);
      expect([...claims.values()][0]).toMatchObject({ by: 'stream', live: { first: 'new' } });

      const options = {
        client: clients.ddb,
        deadLetterTable: dlt,
        table: t.table,
        rollups,
        claimTable: t.claimTable,
        all: true,
      };
      const scan = async () => {
        const report = await runBackfill({
          ...t,
          client: clients.ddb,
          rollup: built.def,
          segments: 1,
          chunkItems: 10,
          settleMs: 0,
        });
        expect(report.complete).toBe(true);
      };
      const forced = async () => {
        // refused without replayLate (its probe cannot tell a pruned state), counted once with it
        const refused = await replayDeadLetters({ ...options, replayLate: false });
        expect(refused.map((r) => r.outcome)).toEqual(['failed']);
        const [r] = await replayDeadLetters({ ...options, replayLate: true });
        expect(r).toMatchObject({ outcome: 'replayed', rows: versions === 'building only' ? 1 : 3 });
        expect(await replayDeadLetters({ ...options, replayLate: true })).toEqual([]);
      };
      if (replay === 'after the scan') {
        await scan();
        // the scan left the claimed item to the stream: the version lacks it until the letter is replayed
        expect(await storeCount(clients.ddb, t.table, built.prefix)).toBe(String(ITEMS - 1));
        await forced();
      } else {
        await forced();
        expect(await storeCount(clients.ddb, t.table, built.prefix)).toBe('1');
        await scan();
      }
      expect(await storeCount(clients.ddb, t.table, built.prefix)).toBe(String(ITEMS));
      // the serving version (nothing counted before in this test) holds the record once
      if (versions !== 'building only') expect(await storeCount(clients.ddb, t.table, 'store')).toBe('1');
    },
  );
});
