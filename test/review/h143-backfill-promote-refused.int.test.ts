// Review h143 (probe): e5d7973 records a repair's hold so promoteVersion refuses a rebuild short of items the store
// refused. `runBackfill({ promote: true })` (CLI `dynotally backfill <rollup> --promote`, the documented way to change
// a rollup) promotes the version it completes with no look at its progress items' storeRefused, so a build that
// lacks an item the serving version counts still replaces it silently. Three items of one group, 1e20, 1e-19, -1e20,
// counted exactly by the stream (version 1); version 2 (a new definition: one more measure) built by a scan that
// meets 1e20 and 1e-19 first, in one-item chunks: the 1e-19 is refused (NUMBER_UNREPRESENTABLE).
// Fixed (helper-144): the backfill's end records the hold when another version serves, so neither its own
// `promote` nor a later `rollups promote` (unforced) replaces the serving version.
import { type AttributeValue, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  promoteVersion,
  readControl,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { amounts } from '../apply/digits-rollups.ts';
import { backfillTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { imageInserts } from '../support/image-inserts.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const T = Date.now() - 3_600_000;
const insert = imageInserts(['id'], T);
const item = (id: string, amount: string): Record<string, AttributeValue> => ({
  id: { S: id },
  g: { S: 'big' },
  amount: { N: amount },
  t: { N: String(T) },
});

const amounts2 = defineRollup({
  name: 'amounts',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount'), n2: count() },
});

describe('backfill --promote of a build short of an item the store refused', () => {
  it('is not promoted over the serving version (as a repair holds it)', async () => {
    const t = await backfillTables(clients.ddb, 'h143-bf', [
      item('i1', '1'),
      item('i2', '1'),
      item('i3', '1'),
    ]);
    const order = ((await clients.ddb.send(new ScanCommand({ TableName: t.source }))).Items ?? []).map(
      (i) => i.id?.S as string,
    );
    const items = order.map((id, k) => item(id, ['1e20', '1e-19', '-1e20'][k] as string));
    for (const Item of items) await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item }));
    await registerVersions(clients.ddb, t.table, [amounts.compiled]);
    const applier = new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table: t.table,
      rollups: [amounts],
    });
    for (const k of [0, 2, 1])
      await applier.apply({ records: [insert(items[k] as Record<string, AttributeValue>)], shardId: 's1' });
    const registered = await registerVersions(clients.ddb, t.table, [amounts.compiled, amounts2.compiled]);
    const v2 = registered.versions.find((v) => v.version !== registered.serving);
    expect(v2?.state).toBe('building');
    const report = await runBackfill({
      ...t,
      client: clients.ddb,
      rollup: amounts2,
      settleMs: 0,
      segments: 1,
      chunkItems: 1,
      deadLetter: { send: async () => {} },
      promote: true,
    });
    expect(report.progress.uncountableCodes).toEqual({ NUMBER_UNREPRESENTABLE: 1 });
    // fixed: the backfill holds version 2 (short of the 1e-19 item version 1 counts) and does not promote it
    expect(report.complete).toBe(true);
    expect(report.storeRefused).toBe(1);
    expect(report.held).toBe(true);
    const control = await readControl(clients.ddb, t.table, 'amounts');
    expect(control?.serving).toBe(registered.serving);
    const entry = control?.versions.find((v) => v.version === v2?.version);
    expect(entry?.state).toBe('ready');
    expect(entry?.hold?.storeRefused).toBe(1);
    // and a later plain promotion is refused too, unless forced
    await expect(
      promoteVersion(clients.ddb, t.table, 'amounts', v2?.version as number),
    ).rejects.toMatchObject({
      code: 'PROMOTE_REFUSED',
    });
  });
});
