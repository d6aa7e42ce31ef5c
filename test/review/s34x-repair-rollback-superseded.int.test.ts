// Review s34x (of 60fc215, "promoteVersion refuses a lower-numbered version of another definition unless forced").
// Severity: medium. The refusal names the rollback way "rebuild it (dynotally verify <rollup> --repair with it in
// the config)", and docs/backfill.md says "a rollback to the earlier definition is a rebuild of it, numbered above
// (repairRollup)". But repairRollup finishes an unfinished version of the definition instead of registering a new
// rebuild, even one numbered below the serving version: version 1 (A) serves; a repair of A is stopped before its
// end (its rebuild, version 2, stays building: a documented state, "a rebuild a repair stopped before its end");
// the change B is deployed, built and promoted (version 3). Rolling back to A with `verify --repair` then scans the
// whole source into version 2 and throws PROMOTE_REFUSED (superseded), every time it is run again (version 2 is now
// ready, and is chosen again): the advised way on loops back to itself. Correct: repairRollup retires an unfinished
// version of the definition numbered below a serving version of another definition and registers a rebuild above
// it (or promotes its choice as the rollback it is), so the rollback completes and A's rebuild serves.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { repairRollup } from '../../packages/dynotally/src/verify/index.ts';
import {
  promoteVersion,
  readControl,
  recordBackfill,
  registerVersionParams,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { definitionFingerprint, rebuildFingerprint } from '../../packages/dynotally/src/versions/rebuild.ts';
import { backfillTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../support/store-count-rollup.ts';
import { storeItem } from '../support/store-count-stream.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, total: sum('t') },
});

describe('review s34x: rolling back with verify --repair while a stopped rebuild of the old definition is left', () => {
  it('rebuilds the old definition above the serving change and promotes it', async () => {
    const t = await backfillTables(
      clients.ddb,
      's34x-rollback',
      Array.from({ length: 5 }, (_, i) => storeItem(i)),
    );
    const A = storeCountRollup.compiled;
    await registerVersions(clients.ddb, t.table, [A]); // version 1, A, serving
    // a repair of A stopped before its end: its rebuild, version 2, stays building
    await clients.ddb.send(
      new UpdateItemCommand(
        registerVersionParams(t.table, 'store', {
          fingerprint: rebuildFingerprint(A.fingerprint, 2),
          version: 2,
          expectedNext: 2,
          state: 'building',
          needsBackfill: true,
          now: Date.now(),
        }),
      ),
    );
    // the change B: version 3, built and promoted
    await registerVersions(clients.ddb, t.table, [changed.compiled]);
    await recordBackfill(clients.ddb, t.table, 'store', 3, {
      startedAt: Date.now(),
      segments: 1,
      endedAt: Date.now(),
    });
    await promoteVersion(clients.ddb, t.table, 'store', 3);

    // the rollback to A, as the refusal and the docs advise
    const report = await repairRollup({ ...t, client: clients.ddb, rollup: storeCountRollup, settleMs: 0 });
    expect(report.promoted).toBe(true);
    const control = await readControl(clients.ddb, t.table, 'store');
    const serving = control?.versions.find((v) => v.version === control.serving);
    expect(serving && definitionFingerprint(serving.fingerprint)).toBe(A.fingerprint);
  });
});
