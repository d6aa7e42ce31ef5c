// Review s41b: the plain query client's `explain` (createQueryClient) did not check versions: after a promotion to
// version 2 its queries refuse (VERSION_UNKNOWN: version 1's rows are retired, review s39q) once the client has read
// the control item (with the retention history, at most a minute old), but `explain` went on explaining the reads of
// version 1's rows (`store#…`) as if they answered.
// Observed (main): the query rejected with VERSION_UNKNOWN; `explain.total` of the same call returned a plan reading
// `store#ss-1`.
// Expected: explain is refused as the call would be, by the control item the client last read (explain is
// synchronous and reads nothing: before the rollup's first call it is not checked, and a promotion is seen within
// the minute the queries see it in).
// Fixed: createQueryClient's explain methods apply `plainReadRefusal` to the cached control item
// (query/query-client.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { promoteVersion, registerVersions } from '../../packages/dynotally/src/versions/control-store.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { storeCountConfig, storeCountRollup } from '../support/store-count-rollup.ts';

const v2 = defineRollup({ ...storeCountConfig, measures: { n: count(), amount: sum('amount') } });
const codeOfSync = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (isDynotallyError(e)) return e.code;
    throw e;
  }
  return undefined;
};

describe("the plain query client's explain after a promotion", () => {
  const clients = testClients();
  afterAll(() => clients.destroy());

  it('is refused as its query is, once the client read the control item', async () => {
    const ddb = clients.ddb;
    const table = uniqueTableName('s41b-explain');
    await createAggregateTable(ddb, table);
    await registerVersions(ddb, table, [storeCountRollup.compiled]);
    const plain = createQueryClient({ client: ddb, table, rollups: [storeCountRollup] });
    const ask = () => plain.explain.total(storeCountRollup, { storeId: 's-1' }, 'all');
    // version 1 serves: explained and answered
    expect(codeOfSync(ask)).toBeUndefined();
    await plain.total(storeCountRollup, { storeId: 's-1' }, 'all');
    expect(codeOfSync(ask)).toBeUndefined();

    await registerVersions(ddb, table, [storeCountRollup.compiled, v2.compiled]);
    await promoteVersion(ddb, table, 'store', 2, { force: true });
    // a new client (or the same one a minute later) reads the control item at its first call
    const after = createQueryClient({ client: ddb, table, rollups: [storeCountRollup] });
    await expect(after.total(storeCountRollup, { storeId: 's-1' }, 'all')).rejects.toMatchObject({
      code: 'VERSION_UNKNOWN',
    });
    expect(codeOfSync(() => after.explain.total(storeCountRollup, { storeId: 's-1' }, 'all'))).toBe(
      'VERSION_UNKNOWN',
    );
  });
});
