// Review s41b: two `deleteRetiredVersion` runs at once. Each run records its cursor in the control item after
// every page, unconditionally (only "the version is still retired" was checked): a run that started before
// another one ended, and finished a page after it, replaced the recorded end (`endedAt`) with its own cursor.
// Observed (main): the control item said "not ended, resume from this cursor" for a version whose rows were all
// gone; `deleteRetiredVersions` and `rollups status` showed the deletion as unfinished, and the next run rescanned
// the table from that cursor. (No interleaving records an end while rows remain: a run records an end only after
// it scanned to the table's end from a cursor recorded after every page before it was deleted.)
// Expected: an end, once recorded, is never replaced by a cursor; the late run sees the end and reports complete.
// Fixed: the progress write is conditional on no end being recorded (versions/deletion-params.ts), and a run whose
// write is refused because another run ended the deletion stops and reports it complete (versions/delete-retired.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { scanRecord } from '../../packages/dynotally/src/backfill/decided-records.ts';
import type { Image } from '../../packages/dynotally/src/decode/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  asVersion,
  deleteRetiredVersion,
  promoteVersion,
  readControl,
  recordBackfill,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { ddbReady, scanTable, testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const time = { attribute: 't', format: 'epoch-millis' } as const;
const v1 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time,
  granularities: ['day', 'all'],
  measures: { orders: count() },
});
const v2 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time,
  granularities: ['month', 'all'],
  measures: { orders: count() },
});
const BASE = Date.UTC(2026, 9, 1);
const image = (i: number): Image => ({
  id: { S: `o-${i}` },
  storeId: { S: `s-${i % 23}` },
  t: { N: String(BASE + (i % 40) * 86_400_000 + i) },
});

describe('two deletions of a retired version at once', () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('never replaces a recorded end with a cursor', async () => {
    const table = uniqueTableName('s41b-del');
    await createAggregateTable(clients.ddb, table);
    await registerVersions(clients.ddb, table, [v1.compiled, v2.compiled]);
    const records = Array.from({ length: 200 }, (_, i) =>
      scanRecord(image(i), { source: 'test', chunk: 0, index: i, timeSeconds: 1 }),
    );
    for (const rollup of [asVersion(v1.compiled, 1), asVersion(v2.compiled, 2)])
      await new Applier({ lateRecords: 'apply', client: clients.ddb, table, rollups: [rollup] }).apply({
        records,
        shardId: 's',
      });
    await recordBackfill(clients.ddb, table, 'store', 2, { startedAt: 1, segments: 1, endedAt: 2 });
    await promoteVersion(clients.ddb, table, 'store', 2);

    // run B reads the control item (nothing recorded yet), then its first Scan waits until run A has ended
    let aEnded!: () => void;
    const aDone = new Promise<void>((r) => {
      aEnded = r;
    });
    const late = new DynamoDBClient(localClientConfig(await ddbReady()));
    late.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ScanCommand') await aDone;
        return next(args);
      },
      { step: 'initialize', name: 'waitForRunA' },
    );
    const options = { table, rollup: 'store', version: 1, pageItems: 30, graceMs: 0 };
    // run B stops after its first page (killed, or stopped by an operator), as a run may anywhere
    const stopB = new AbortController();
    const runB = deleteRetiredVersion({
      ...options,
      client: late,
      signal: stopB.signal,
      onProgress: () => stopB.abort(),
    });
    await new Promise((r) => setTimeout(r, 300));
    const a = await deleteRetiredVersion({ ...options, client: clients.ddb });
    expect(a.complete).toBe(true);
    const ended = (await readControl(clients.ddb, table, 'store'))?.versions.find((v) => v.version === 1);
    expect(ended?.deletion?.endedAt).toBeTypeOf('number');
    aEnded();
    const b = await runB.catch((e: unknown) => e);
    late.destroy();

    const after = (await readControl(clients.ddb, table, 'store'))?.versions.find((v) => v.version === 1);
    expect(after?.deletion?.cursor).toBeUndefined();
    expect(after?.deletion).toEqual(ended?.deletion);
    expect(b).toMatchObject({ complete: true });
    const left = (await scanTable(clients.ddb, table)).filter((r) => /^store#/.test(r.pk?.S ?? ''));
    expect(left).toEqual([]);
  });
});
