// Every request a backfill sends is one DYNOTALLY_ACTIONS.backfill grants (what DynotallyAggregates.grantBackfill
// gives an operator's role): DynamoDB Local enforces no IAM, so only this would notice a missing action. The run
// covers the scan, the claims (some items claimed by the stream first), the rows, the progress items, a stop and a
// resume, registration of a new version and promotion. The stop lands right after a chunk's journal is written (before
// any of its items is claimed), so the resume must read that chunk's items again by key (GetItem on the source):
// a stop anywhere else would leave that path to timing.
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { DYNOTALLY_ACTIONS } from '../../packages/dynotally/src/cdk/grants.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { readControl, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { testClients } from '../support/ddb.ts';
import { recordingClient } from '../support/iam-recorder.ts';
import { backfillTables } from './backfill-tables.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
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
  measures: { n: count(), amount: sum('amount') },
});

/**
 * Aborts `stop` once the `nth` chunk journal (a progress write that sets `journal`) on `claimTable` has been written:
 * the segment that wrote it stops at its next step, with the chunk journaled and none of it claimed or applied.
 */
function stopAfterJournal(client: DynamoDBClient, claimTable: string, stop: AbortController, nth: number) {
  let journals = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const input = args.input as { TableName?: string; ExpressionAttributeNames?: Record<string, string> };
      if (
        context.commandName === 'UpdateItemCommand' &&
        input.TableName === claimTable &&
        Object.entries(input.ExpressionAttributeNames ?? {}).some(
          ([k, v]) => k.startsWith('#s') && v === 'journal',
        ) &&
        ++journals === nth
      )
        stop.abort();
      return out;
    },
    { step: 'initialize', name: 'stopAfterJournal' },
  );
}

describe('the IAM actions of a backfill', () => {
  it('are all among DYNOTALLY_ACTIONS.backfill, on the source, aggregate and claim tables', async () => {
    const items: Record<string, AttributeValue>[] = Array.from({ length: 120 }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: `s-${i % 5}` },
      t: { N: String(Date.UTC(2026, 10, 1) + i * 60_000) },
      amount: { N: `${i}.5` },
    }));
    const { source, table, claimTable: claims } = await backfillTables(clients.ddb, 'iam-bf', items);
    // version 1 serves (as a deployed stream side registers it); the backfill registers and builds version 2
    await registerVersions(clients.ddb, table, [v1.compiled]);
    const { client, seen } = recordingClient();
    const stop = new AbortController();
    // a few chunks are applied first (rows and progress items written), then the stop
    stopAfterJournal(client, claims, stop, 4);
    const common = { client, source, table, claimTable: claims, rollup: v2, chunkItems: 20, settleMs: 0 };
    await expect(
      runBackfill({
        ...common,
        segments: 2,
        register: true,
        signal: stop.signal,
      }),
    ).rejects.toThrow(/stopped/);
    const second = await runBackfill({ ...common, segments: 2, promote: true });
    expect(second.complete).toBe(true);
    expect((await readControl(clients.ddb, table, 'store'))?.serving).toBe(2);
    const on = (t: string) => [...(seen.get(t) ?? [])].sort();
    const beyond = (t: string, granted: readonly string[]) => on(t).filter((a) => !granted.includes(a));
    // the run reached the scan, the re-read by key, the claims, the rows and the control item (else this test could
    // not fail)
    expect(on(source)).toContain('dynamodb:Scan');
    expect(on(source)).toContain('dynamodb:GetItem');
    expect(on(claims)).toContain('dynamodb:PartiQLInsert');
    expect(on(table).length).toBeGreaterThan(2);
    expect(beyond(source, DYNOTALLY_ACTIONS.backfill.source)).toEqual([]);
    expect(beyond(table, DYNOTALLY_ACTIONS.backfill.aggregates)).toEqual([]);
    expect(beyond(claims, DYNOTALLY_ACTIONS.backfill.claims)).toEqual([]);
    expect([...seen.keys()].sort()).toEqual([source, table, claims].sort());
  });
});
