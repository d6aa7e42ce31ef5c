// Every request deleting a retired version's rows sends (`deleteRetiredVersions`) is one
// DYNOTALLY_ACTIONS.deleteRetired grants (what DynotallyAggregates.grantDeleteRetiredVersions gives an operator's
// role), and every action the list names is sent: DynamoDB Local enforces no IAM, so only this would notice a missing
// one. Nothing granted the Scan and BatchWriteItem the deletion sends before. Small pages, so the run scans, deletes
// and records its cursor more than once.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { scanRecord } from '../../packages/dynotally/src/backfill/decided-records.ts';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import {
  asVersion,
  deleteRetiredVersions,
  promoteVersion,
  recordBackfill,
  registerVersions,
} from '../../packages/dynotally/src/versions/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { recordingClient } from '../support/iam-recorder.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const time = { attribute: 't', format: 'epoch-millis' } as const;
const v1 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time,
  granularities: ['all'],
  measures: { n: count() },
});
const v2 = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time,
  granularities: ['day', 'all'],
  measures: { n: count() },
});

describe('the IAM actions of deleting a retired version', () => {
  it('sends only DYNOTALLY_ACTIONS.deleteRetired on the aggregate table, each action of it', async () => {
    const table = uniqueTableName('iam-del');
    await createAggregateTable(clients.ddb, table);
    await registerVersions(clients.ddb, table, [v1.compiled, v2.compiled]);
    const records = Array.from({ length: 60 }, (_, i) =>
      scanRecord(
        { id: { S: `o-${i}` }, storeId: { S: `s-${i}` }, t: { N: String(Date.UTC(2026, 9, 1) + i) } },
        { source: 'test', chunk: 0, index: i, timeSeconds: 1 },
      ),
    );
    await new Applier({
      lateRecords: 'apply',
      client: clients.ddb,
      table,
      rollups: [asVersion(v1.compiled, 1)],
    }).apply({ records, shardId: 's' });
    await recordBackfill(clients.ddb, table, 'store', 2, { startedAt: 1, segments: 1, endedAt: 2 });
    await promoteVersion(clients.ddb, table, 'store', 2); // version 1 is retired

    const { client, seen } = recordingClient();
    const reports = await deleteRetiredVersions({
      client,
      table,
      rollup: 'store',
      graceMs: 0,
      pageItems: 20,
    });
    expect(reports.map((r) => [r.version, r.complete, r.deleted >= 60])).toEqual([[1, true, true]]);
    const granted = DYNOTALLY_ACTIONS.deleteRetired.aggregates as readonly string[];
    expect([...seen.keys()]).toEqual([table]);
    const sent = [...(seen.get(table) ?? [])].sort();
    expect(sent.filter((a) => !granted.includes(a))).toEqual([]);
    expect([...granted].sort()).toEqual(sent);
  });
});
