// Review h136: sums that fit DynamoDB's 38 digits only in some orders. Three items of one group: 1e20, 1e-19, -1e20
// (total 1e-19, representable). The stream counted them in an order where every sum fits (1e20, -1e20, then 1e-19),
// so version 1 is exact and `verify` finds no drift. `repairRollup` rebuilds from a scan in chunks; when the scan
// meets 1e20 and 1e-19 before -1e20, the 1e-19 is refused (NUMBER_UNREPRESENTABLE, a backfill letter no replay
// takes) and the rebuild is promoted without it anyway: the repair replaces an exact version with one that `verify`
// then reports as drift (n 2 for 3, total 0 for 1e-19), and repairing again scans in the same order.
// Fixed (helper-137): the backfill records in each segment's progress item how many items the store refused (once per
// chunk), and repairRollup does not promote a rebuild that lacks any while another version serves, unless
// `acceptUncountable` (CLI `verify --repair --accept-uncountable`): it is left ready, `held`. Retrying such an item
// after the rest of the scan (so the sum may fit by then) was not done: see docs/backfill.md.
import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { type RepairOptions, repairRollup, verify } from '../../packages/dynotally/src/verify/index.ts';
import {
  promoteVersion,
  readControl,
  recordBackfill,
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
/** A changed definition of `amounts` (one more measure). */
const changed = defineRollup({
  name: 'amounts',
  groupBy: 'g',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
  measures: { n: count(), total: sum('amount'), items: count() },
});
const item = (id: string, amount: string): Record<string, AttributeValue> => ({
  id: { S: id },
  g: { S: 'big' },
  amount: { N: amount },
  t: { N: String(T) },
});

/**
 * Three items whose sum fits only in some orders, counted by the stream in an order where it fits (version 1 exact),
 * with the scan meeting 1e20 and 1e-19 before -1e20.
 */
async function orderDependent(prefix: string) {
  const t = await backfillTables(clients.ddb, prefix, [item('i1', '1'), item('i2', '1'), item('i3', '1')]);
  // the scan's order (by key hash) decides who gets which amount: 1e20 and 1e-19 first, -1e20 last
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
  const check = { client: clients.ddb, source: t.source, table: t.table, rollup: amounts, passes: 1 };
  expect((await verify(check)).drift).toEqual([]);
  const repair = (more: Partial<RepairOptions> = {}) =>
    repairRollup({
      ...t,
      client: clients.ddb,
      rollup: amounts,
      settleMs: 0,
      segments: 1,
      chunkItems: 1,
      deadLetter: { send: async () => {} },
      ...more,
    });
  return { t, check, repair };
}

describe('repair over sums whose 38 digits depend on the order', () => {
  it('does not promote a rebuild that left out an item the serving version counts', async () => {
    const { t, check, repair } = await orderDependent('h136-rep');
    const held = await repair();
    expect(held).toMatchObject({ version: 2, promoted: false, held: true, storeRefused: 1 });
    expect(held.backfill?.progress.uncountableCodes).toEqual({ NUMBER_UNREPRESENTABLE: 1 });
    // before the fix: version 2 promoted with n 2 and total 0
    expect((await verify(check)).drift).toEqual([]);
    const control = await readControl(clients.ddb, t.table, 'amounts');
    expect([control?.serving, control?.versions.find((v) => v.version === 2)?.state]).toEqual([1, 'ready']);
    // the caller accepts the loss: the ready rebuild is promoted, short of the refused item
    const accepted = await repair({ acceptUncountable: true });
    expect(accepted).toMatchObject({ version: 2, promoted: true, held: false, storeRefused: 1 });
    expect(accepted.backfill).toBeUndefined();
    expect((await verify(check)).drift.map((d) => [d.measure, d.expected, d.actual])).toEqual([
      ['n', '3', '2'],
      ['total', '0.0000000000000000001', '0'],
    ]);
  });

  it('holds it too when the refusal was in a run stopped before the end and resumed', async () => {
    const { check, repair } = await orderDependent('h137-rep-stop');
    // stopped after the chunk whose item the store refused (its progress written): the resumed run refuses nothing
    const stop = new AbortController();
    await expect(
      repair({ signal: stop.signal, onProgress: (p) => p.uncountable > 0 && stop.abort() }),
    ).rejects.toThrow(/stopped/);
    const resumed = await repair();
    expect(resumed.backfill?.progress.uncountable).toBe(0);
    expect(resumed).toMatchObject({ version: 2, promoted: false, held: true, storeRefused: 1 });
    expect((await verify(check)).drift).toEqual([]);
  });

  it('holds it too when a crash between the rows and the progress write made the chunk run again', async () => {
    const { check, repair } = await orderDependent('h137-rep-crash');
    const crashing = testClients();
    let crashed = false;
    crashing.ddb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        // the progress write of the chunk the store refused an item of
        if (
          !crashed &&
          context.commandName === 'UpdateItemCommand' &&
          input.UpdateExpression?.includes('REMOVE')
        ) {
          const names = Object.values(
            (args.input as { ExpressionAttributeNames?: object }).ExpressionAttributeNames ?? {},
          );
          if (names.includes('storeRefused')) {
            crashed = true;
            throw new Error('crash between the rows and the progress write');
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'crashAtRefusedChunk' },
    );
    try {
      await expect(repair({ client: crashing.ddb })).rejects.toThrow(/crash/);
    } finally {
      crashing.destroy();
    }
    const resumed = await repair();
    expect(resumed).toMatchObject({ version: 2, promoted: false, held: true, storeRefused: 1 });
    expect((await verify(check)).drift).toEqual([]);
  });

  it('holds it too when its progress items expired since its backfill ended', async () => {
    // helper s35b: progress items now expire 30 days after their last write (a TTL, so rebuilds' items leave the
    // shared claim table); a repair reads the count the backfill's end recorded on the version instead. The case
    // without a hold on the entry: version 1 (amounts) built first over the source, nothing serving, not promoted
    const t = await backfillTables(clients.ddb, 's35b-expired', [
      item('i1', '1'),
      item('i2', '1'),
      item('i3', '1'),
    ]);
    const order = ((await clients.ddb.send(new ScanCommand({ TableName: t.source }))).Items ?? []).map(
      (i) => i.id?.S as string,
    );
    for (const [k, id] of order.entries())
      await clients.ddb.send(
        new PutItemCommand({ TableName: t.source, Item: item(id, ['1e20', '1e-19', '-1e20'][k] as string) }),
      );
    await registerVersions(clients.ddb, t.table, [amounts.compiled], { firstVersion: 'building' });
    const base = { ...t, client: clients.ddb, settleMs: 0, segments: 1, chunkItems: 1 };
    const built = await runBackfill({ ...base, rollup: amounts, deadLetter: { send: async () => {} } });
    expect(built).toMatchObject({ complete: true, storeRefused: 1, held: false });
    // a changed definition is then built and promoted: version 2 serves
    await registerVersions(clients.ddb, t.table, [changed.compiled]);
    await recordBackfill(clients.ddb, t.table, 'amounts', 2, { startedAt: T, segments: 1, endedAt: T });
    await promoteVersion(clients.ddb, t.table, 'amounts', 2);
    // what DynamoDB's TTL does to version 1's progress items 30 days after they were written
    const claims = await clients.ddb.send(new ScanCommand({ TableName: t.claimTable }));
    const progress = (claims.Items ?? []).filter((i) => i.pk?.S?.startsWith('~bf#'));
    // (the segment's progress item and the build's state slots)
    expect(progress.map((i) => i.ttl?.N !== undefined)).toEqual([true, true]);
    for (const i of progress)
      await clients.ddb.send(
        new DeleteItemCommand({ TableName: t.claimTable, Key: { pk: i.pk as AttributeValue } }),
      );
    // rolling back to amounts finds version 1 ready, short of the refused item: held, version 2 keeps serving
    // (before: the missing progress items summed 0, and version 1 was promoted without the item)
    const rollback = await repairRollup({ ...base, rollup: amounts });
    expect(rollback).toMatchObject({ version: 1, promoted: false, held: true, storeRefused: 1 });
    expect((await readControl(clients.ddb, t.table, 'amounts'))?.serving).toBe(2);
  });

  it('records the hold on the version: promoteVersion refuses it unless forced, and a later repair holds it again', async () => {
    // helper-142 (review h140): the hold was only in the report; the version was plain ready, promoted silently
    const { t, check, repair } = await orderDependent('h142-hold');
    await repair();
    const entry = async () =>
      (await readControl(clients.ddb, t.table, 'amounts'))?.versions.find((v) => v.version === 2);
    expect((await entry())?.hold).toMatchObject({ storeRefused: 1 });
    await expect(promoteVersion(clients.ddb, t.table, 'amounts', 2)).rejects.toMatchObject({
      code: 'PROMOTE_REFUSED',
      details: { held: true, storeRefused: 1 },
      message: expect.stringContaining('dynotally rollups promote amounts 2 --force'),
    });
    // a later repair finds it ready and held: no new scan, held again, version 1 serving
    const again = await repair();
    expect(again).toMatchObject({ version: 2, promoted: false, held: true, storeRefused: 1 });
    expect(again.backfill).toBeUndefined();
    expect((await readControl(clients.ddb, t.table, 'amounts'))?.serving).toBe(1);
    expect((await verify(check)).drift).toEqual([]);
    // forced: it serves, and its entry keeps what it lacks
    const forced = await promoteVersion(clients.ddb, t.table, 'amounts', 2, { force: true });
    expect(forced.serving).toBe(2);
    expect(forced.versions.find((v) => v.version === 2)?.hold).toMatchObject({ storeRefused: 1 });
  });
});
