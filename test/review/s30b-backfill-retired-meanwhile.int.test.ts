// Review s30b: a version retired while its backfill runs (`dynotally rollups retire` to roll a changed definition
// back, or a repair that retires the unfinished versions it does not build) is no longer written by the stream side,
// and `deleteRetiredVersion` deletes its rows. runBackfill read the version's state once, at its start: it went on
// scanning the whole table, claiming every item and writing the retired version's rows (on a large table hours of
// reads and writes for a version never read, and rows written behind a deletion's pass stay for good), and failed
// only when it recorded its end. Now it reads the state again before each chunk and stops (BACKFILL_REFUSED) once
// the version is no longer building.
import { type AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { retireVersion } from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { scanTable, testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
const runner = testClients();
afterAll(() => {
  clients.destroy();
  runner.destroy();
});

const rollup = storeCountRollup;
const ITEMS = 30;
const T0 = Date.UTC(2026, 11, 1);

describe('a version retired while its backfill runs', () => {
  it('stops the backfill at its next chunk: no more scans, claims or rows of the retired version', async () => {
    const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: 's-0' },
      t: { N: String(T0 + i) },
    }));
    const t = await buildingTables(clients.ddb, 's30b-retired', items, rollup.compiled);
    // the operator retires version 1 as the backfill's second scan is about to go out
    let scans = 0;
    runner.ddb.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          context.commandName === 'ScanCommand' &&
          (args.input as { TableName?: string }).TableName === t.source
        ) {
          scans++;
          if (scans === 2) await retireVersion(clients.ddb, t.table, rollup.name, 1);
        }
        return next(args);
      },
      { step: 'initialize', name: 'retireMidway' },
    );
    const run = runBackfill({
      client: runner.ddb,
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      rollup,
      segments: 1,
      chunkItems: 5,
      settleMs: 0,
    });
    expect(await codeOf(run)).toBe('BACKFILL_REFUSED');
    // before the fix: all 6 scans, 30 claims and a row counting 30, then BACKFILL_REFUSED at the end
    expect(scans).toBeLessThanOrEqual(2);
    const claims = await clients.ddb.send(new ScanCommand({ TableName: t.claimTable, ConsistentRead: true }));
    const scanClaims = (claims.Items ?? []).filter((i) => i.pk?.S?.startsWith('store#'));
    expect(scanClaims.length).toBeLessThanOrEqual(10);
    const n = (await scanTable(clients.ddb, t.table)).find((i) => i.pk?.S === 'store#ss-0')?.n?.N;
    expect(Number(n ?? 0)).toBeLessThanOrEqual(10);
  });
});
