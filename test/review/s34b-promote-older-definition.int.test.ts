// Review s34b (promotion of an old version): docs/backfill.md says a version older than the deployed definitions'
// own ("a definition changed twice, the second change deployed") misses the changes of processes that deploy only
// the later definition, so "retire it rather than build it". Nothing holds to that: `runBackfill({ promote: true })`
// (`dynotally backfill <rollup> --promote` run from a checkout with the earlier definition, or `rollups promote`)
// builds the older building version and promotes it over the newer serving one, which is retired for good (a
// retired version never serves again). Every stream side that deploys only the newer definition then fails each
// batch (`VERSION_UNKNOWN`: none of its definitions has a version that is not retired), so the stream stops for
// the rollup, and the version now read lacks every change those sides applied after its scan read the item.
// Severity: medium (one command with a stale configuration halts the stream and needs a rebuild to undo).
// Observed: definitions B (version 1) and C (version 2, a changed definition) both building; C is built and
// promoted; B's backfill with promote then makes version 1 serve and retires version 2; a stream side deploying C
// alone refuses its next batch.
// Expected: a promotion (from runBackfill's `promote` and promoteVersion) does not replace a serving version by a
// version numbered below it, of another definition, unless forced; runBackfill leaves such a version `ready`
// unpromoted and says why (or refuses to build a version a later registered definition supersedes).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  createVersionedWriteSide,
  readControl,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { codeOf } from '../support/rejection-code.ts';
import { streamRecords } from './s30b-records.ts';

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
const T0 = Date.UTC(2026, 11, 1);

describe('a backfill of an older definition with promote, while a newer one serves', () => {
  it('does not replace the newer serving version', async () => {
    const items = Array.from({ length: 4 }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: 's-0' },
      amount: { N: '5' },
      t: { N: String(T0 + i) },
    }));
    const t = await buildingTables(clients.ddb, 's34b-older', items, older.compiled);
    await registerVersions(clients.ddb, t.table, [older.compiled, newer.compiled]);
    const options = {
      client: clients.ddb,
      source: t.source,
      table: t.table,
      claimTable: t.claimTable,
      segments: 1,
      settleMs: 0,
      promote: true,
    };
    await runBackfill({ ...options, rollup: newer });
    expect((await readControl(clients.ddb, t.table, 'store'))?.serving).toBe(2);
    // production deploys the newer definition alone
    const side = createVersionedWriteSide({
      client: clients.ddb,
      table: t.table,
      claimTable: t.claimTable,
      rollups: [newer],
    });
    const s = streamRecords(() => Date.now());
    await side.apply({
      records: [s.put('o-9', { storeId: { S: 's-0' }, amount: { N: '1' } })],
      shardId: 's-1',
    });
    // an operator runs `dynotally backfill store --promote` from a checkout with the earlier definition
    const report = await runBackfill({ ...options, rollup: older }).catch(() => undefined);
    // before a fix: version 1 serves and version 2 is retired, for good
    expect((await readControl(clients.ddb, t.table, 'store'))?.serving).toBe(2);
    // built and left ready, the report saying why it was not promoted
    expect(report?.complete).toBe(true);
    expect(report?.promoteRefused?.serving).toBe(2);
    expect(report?.promoteRefused?.reason).toMatch(/older definition than the serving version 2/);
    expect((await readControl(clients.ddb, t.table, 'store'))?.versions[0]?.state).toBe('ready');
    // before a fix: VERSION_UNKNOWN, on every batch from now on
    const next = side.apply({
      records: [s.put('o-10', { storeId: { S: 's-0' }, amount: { N: '1' } })],
      shardId: 's-1',
    });
    expect(await codeOf(next.then(() => undefined))).toBeUndefined();
  });
});
