// Fixed (session 29, helper-117): the construct had no grant for `verify`. docs/deploy.md lists grants for query
// clients (`grantRead`), backfills (`grantBackfill`) and dead-letter reading, and `dynotally verify [--repair]` is the
// documented way to find and mend drift (backfill.md), but what it sends was listed nowhere: `grantBackfill` lacks the
// `Scan` of the aggregate table that verify's stored-row read makes for a sample or all groups (a `Query` per named
// group), so an operator role set up from the construct was denied mid-verify, after the source scan was paid for.
// Fix: DYNOTALLY_ACTIONS.verify and `DynotallyAggregates.grantVerify(grantee)`. This test records every request
// `verify` sends, over every group (Scan) and named groups (Query), for a rollup with a retention (its history item
// read) and a control item, and holds them to the list; the synth test beside it checks the grant.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { verify } from '../../packages/dynotally/src/verify/index.ts';
import { registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { testClients } from '../support/ddb.ts';
import { recordingClient } from '../support/iam-recorder.ts';
import { deliverAll, Pipeline } from '../support/pipeline.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const orders = defineRollup({
  name: 'orders',
  groupBy: 'store',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['hour', 'day', 'all'],
  retention: { hour: '30d' },
  measures: { n: count(), amount: sum('amount') },
});

describe('the IAM actions of verify', () => {
  it('are all among DYNOTALLY_ACTIONS.verify, on the source and the aggregate table', async () => {
    const pipe = await Pipeline.create(clients, [orders], 's29c-vg');
    await registerVersions(clients.ddb, pipe.aggregates, [orders.compiled]);
    const now = Date.now();
    for (let i = 0; i < 20; i++)
      await pipe.put({
        id: { S: `o-${i}` },
        store: { S: `s-${i % 3}` },
        t: { N: String(now - i * 3_600_000) },
        amount: { N: `${i}.25` },
      });
    await deliverAll(pipe.handler(), await pipe.readStream());
    const { client, seen } = recordingClient();
    const common = { client, source: pipe.source, table: pipe.aggregates, rollup: orders, passes: 1 };
    expect((await verify(common)).drift).toEqual([]);
    expect((await verify({ ...common, groups: [{ store: 's-1' }] })).drift).toEqual([]);
    const on = (t: string) => [...(seen.get(t) ?? [])].sort();
    // both stored-row reads and the history read were reached (else this test could not fail)
    expect(on(pipe.aggregates)).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan']);
    const beyond = (t: string, granted: readonly string[]) => on(t).filter((a) => !granted.includes(a));
    expect(beyond(pipe.source, DYNOTALLY_ACTIONS.verify.source)).toEqual([]);
    expect(beyond(pipe.aggregates, DYNOTALLY_ACTIONS.verify.aggregates)).toEqual([]);
    expect([...seen.keys()].sort()).toEqual([pipe.source, pipe.aggregates].sort());
  });
});
