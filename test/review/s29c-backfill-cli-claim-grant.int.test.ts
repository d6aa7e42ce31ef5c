// Fixed (session 29, helper-117): DYNOTALLY_ACTIONS.backfill.claims (what DynotallyAggregates.grantBackfill gives an
// operator's role on the claim table) includes the two reads `dynotally backfill` and `dynotally verify --repair`
// send before they start: `DescribeTable` and `DescribeTimeToLive`.
// Finding: docs/deploy.md says "aggregates.grantBackfill(opsRole) … then, with the operator's credentials: npx
// dynotally backfill store --claim-table <ClaimTable>". Both commands call `createClaimTable(client, claimTable)` first
// ("if no worker made it yet"): an idempotent create-or-verify that describes the table (DescribeTable, again while
// it waits for ACTIVE) and its time to live (DescribeTimeToLive) before anything else. Neither was in the list, and
// iam-actions-backfill.int.test.ts records `runBackfill` only, so nothing noticed.
// Mechanism: with only the construct's grants the operator's first request is denied (AccessDeniedException on
// DescribeTable, which `describeTable` rethrows): the documented backfill of a deployed stack never starts.
// Fix: the two reads are in DYNOTALLY_ACTIONS.backfill.claims (on the claim table the construct made, nothing is
// created or changed: no CreateTable or UpdateTimeToLive is needed). This test records what `createClaimTable` sends
// on an existing claim table, as the CLI calls it, and holds it to the list.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { recordingClient } from '../support/iam-recorder.ts';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('the claim table check `dynotally backfill` and `verify --repair` make first', () => {
  it('sends only what grantBackfill grants on a claim table the construct created', async () => {
    const claims = uniqueTableName('s29c-claims');
    await createClaimTable(clients.ddb, claims); // what the construct deploys (pk, TTL on ttl)
    const { client, seen } = recordingClient();
    await createClaimTable(client, claims); // what the CLI does before every backfill and repair
    const sent = [...(seen.get(claims) ?? [])].sort();
    expect(sent).toContain('dynamodb:DescribeTable'); // else this test could not fail
    expect(sent.filter((a) => !(DYNOTALLY_ACTIONS.backfill.claims as readonly string[]).includes(a))).toEqual(
      [],
    );
  });
});
