// The CLI's check of the claim table before a backfill, `verify --repair` or a replay (`createClaimTable` on an
// existing table) turns on the claims' TTL when the table has none: a claim table given to DynotallyAggregates
// (`claimTable`, "TTL on ttl" but not checked) may lack it. The `UpdateTimeToLive` it then sends must be in
// DYNOTALLY_ACTIONS.backfill.claims and .replay.claims (grantBackfill, grantReplayDeadLetters); it was in neither, so
// the operator's first command on such a table was denied. s29c-backfill-cli-claim-grant covers a table with TTL.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import {
  claimTableSpec,
  createClaimTable,
  provisionTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { recordingClient } from '../support/iam-recorder.ts';
import { keepTimeToLive } from '../support/ttl-off.ts';

// the request under test is UpdateTimeToLive, which the service tiers' setup answers itself (ttl-off.ts); the
// claim table holds no item, so DynamoDB Local's sweep has nothing to delete
keepTimeToLive();

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

describe('the claim table check on a claim table without TTL', () => {
  it('sends only what grantBackfill and grantReplayDeadLetters grant on the claim table', async () => {
    const claims = uniqueTableName('iam-claims-ttl');
    await provisionTable(clients.ddb, claimTableSpec(claims)); // the claim table's schema, no TTL
    const { client, seen } = recordingClient();
    await createClaimTable(client, claims); // what the CLI does first
    const sent = [...(seen.get(claims) ?? [])].sort();
    expect(sent).toContain('dynamodb:UpdateTimeToLive'); // else this test could not fail
    for (const granted of [DYNOTALLY_ACTIONS.backfill.claims, DYNOTALLY_ACTIONS.replay.claims] as const)
      expect(sent.filter((a) => !(granted as readonly string[]).includes(a))).toEqual([]);
  });
});
