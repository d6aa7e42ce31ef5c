// promoteVersion refuses a version numbered below the serving one of another definition (a definition changed, the
// change deployed and promoted, then the earlier definition's version promoted from a stale checkout): the serving
// version would be retired for good and every stream side deploying only its definition would fail its batches
// (VERSION_UNKNOWN). `force` promotes it all the same (a deliberate rollback); a rebuild of the serving definition
// numbered above it, or a later definition's version, is promoted as before. The backfill's own `promote`:
// test/review/s34b-promote-older-definition.int.test.ts.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  promoteVersion,
  readControl,
  recordBackfill,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { buildingTables } from './backfill-tables.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const base = {
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['all'],
} as const;
const older = defineRollup({ ...base, measures: { n: count() } });
const newer = defineRollup({ ...base, measures: { n: count(), total: sum('amount') } });

/** Version 1 (older) and 2 (newer) both built (ready), version 2 promoted. */
async function newerServing(name: string): Promise<string> {
  const t = await buildingTables(clients.ddb, name, [], older.compiled);
  await registerVersions(clients.ddb, t.table, [older.compiled, newer.compiled]);
  for (const v of [1, 2])
    await recordBackfill(clients.ddb, t.table, 'store', v, {
      startedAt: Date.now(),
      segments: 1,
      endedAt: Date.now(),
    });
  await promoteVersion(clients.ddb, t.table, 'store', 2);
  return t.table;
}

describe('promoting a version older than the serving one', () => {
  it('is refused for another definition (PROMOTE_REFUSED, superseded), and the serving version stays', async () => {
    const table = await newerServing('promote-superseded');
    const refused = promoteVersion(clients.ddb, table, 'store', 1);
    expect(await codeOf(refused)).toBe('PROMOTE_REFUSED');
    await expect(refused).rejects.toMatchObject({ details: { superseded: true, serving: 2, version: 1 } });
    const control = await readControl(clients.ddb, table, 'store');
    expect(control?.serving).toBe(2);
    expect(control?.versions.map((v) => v.state)).toEqual(['ready', 'serving']);
  });

  it('is done with force (a deliberate rollback)', async () => {
    const table = await newerServing('promote-superseded-force');
    await promoteVersion(clients.ddb, table, 'store', 1, { force: true });
    const control = await readControl(clients.ddb, table, 'store');
    expect(control?.serving).toBe(1);
    expect(control?.versions.map((v) => v.state)).toEqual(['serving', 'retired']);
  });
});
