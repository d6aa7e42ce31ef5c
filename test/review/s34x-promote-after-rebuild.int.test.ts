// Review s34x (of 60fc215, "promoteVersion refuses a lower-numbered version of another definition unless forced").
// Severity: medium. The refusal takes a higher version number for a newer definition, but a rebuild of the serving
// definition (repairRollup, `dynotally verify <rollup> --repair` with the serving configuration) is numbered above a
// change that was registered before it. Flow: version 1 (definition A) serves; a change B is deployed (version 2,
// building) and built (ready); meanwhile A's drift is repaired: the rebuild of A is version 3 and serves. Promoting
// version 2 — the documented step 2 of a rollout (`dynotally backfill <rollup> --promote`, `rollups promote`) — is
// now refused with PROMOTE_REFUSED "version 2 ... is of an older definition than the serving version 3", which is
// false (B is the newer definition; A was registered as version 1), and its first advice, "Retire it", throws the
// finished change away. Promoting B over A's rebuild retires A exactly as promoting it over version 1 would have:
// nothing the refusal guards against. Correct: supersededBy compares when the definitions were first registered
// (the serving definition's own version, not its rebuild's number), so version 2 is promoted without force.
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import {
  promoteVersion,
  readControl,
  recordBackfill,
  registerVersionParams,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { rebuildFingerprint } from '../../packages/dynotally/src/versions/rebuild.ts';
import { backfillTables } from '../backfill/backfill-tables.ts';
import { testClients } from '../support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../support/store-count-rollup.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const changed = defineRollup({
  ...storeCountConfig,
  measures: { ...storeCountConfig.measures, total: sum('t') },
});

describe('review s34x: promoting a change over a rebuild of the serving definition', () => {
  it('is not refused as an older definition (the rebuild is numbered above the change)', async () => {
    const { table } = await backfillTables(clients.ddb, 's34x-rebuild', []);
    const A = storeCountRollup.compiled;
    await registerVersions(clients.ddb, table, [A]); // version 1, A, serving
    await registerVersions(clients.ddb, table, [changed.compiled]); // version 2, B, building
    // a repair of A registers its rebuild as version 3 (as repairRollup does)
    await clients.ddb.send(
      new UpdateItemCommand(
        registerVersionParams(table, 'store', {
          fingerprint: rebuildFingerprint(A.fingerprint, 3),
          version: 3,
          expectedNext: 3,
          state: 'building',
          needsBackfill: true,
          now: Date.now(),
        }),
      ),
    );
    for (const v of [2, 3])
      await recordBackfill(clients.ddb, table, 'store', v, {
        startedAt: Date.now(),
        segments: 1,
        endedAt: Date.now(),
      });
    await promoteVersion(clients.ddb, table, 'store', 3); // the repair promotes A's rebuild
    // the rollout goes on: B (registered after A, built) is promoted
    await promoteVersion(clients.ddb, table, 'store', 2);
    expect((await readControl(clients.ddb, table, 'store'))?.serving).toBe(2);
  });
});
