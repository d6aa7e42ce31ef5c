// Review s16 (query client): windows past a retention that was lengthened. Retention is left out of the
// rollup's fingerprint (it "only sets row TTLs"), so lengthening it keeps the version and its rows; but rows
// written before the change carry the old `ttl`, and DynamoDB deletes them on that schedule. The query client
// trusts the new retention, reads the deleted rows as empty and answers 0 with no sign of it, where the old
// definition said WINDOW_NOT_SERVABLE. DynamoDB's TTL sweep is done here by deleting every item whose `ttl` has
// passed (what the service does, at its own pace).

import { BatchWriteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Applier } from '../../packages/dynotally/src/apply/index.ts';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { isDynotallyError } from '../../packages/dynotally/src/errors/index.ts';
import { createQueryClient } from '../../packages/dynotally/src/query/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';

vi.setConfig({ testTimeout: 480_000, hookTimeout: 480_000 });
const clients = testClients();
afterAll(() => clients.destroy());

const D = 86_400_000;
const T = Date.UTC(2026, 5, 10, 9, 20);
const HOUR = { from: '2026-06-10T09:00:00Z', to: '2026-06-10T10:00:00Z' } as const;
const definition = (hour: string) =>
  defineRollup({
    name: 'ret',
    groupBy: 'g',
    time: { attribute: 'ts', format: 'epoch-millis' },
    granularities: ['minute', 'hour'],
    retention: { minute: '8d', hour },
    measures: { n: count() },
  });
const before = definition('10d');
const after = definition('400d');

let seq = 1;
const insert = (t: number): DynamoDBRecord => ({
  eventID: `e${seq}`,
  eventName: 'INSERT',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/x',
  dynamodb: {
    SequenceNumber: String(seq++).padStart(21, '0'),
    ApproximateCreationDateTime: Math.floor(t / 1000),
    NewImage: { id: { S: `i${seq}` }, g: { S: 'a' }, ts: { N: String(t) } },
  },
});

/** What DynamoDB's TTL does by `now`: every item whose `ttl` (epoch seconds) has passed is deleted. */
async function ttlSweep(table: string, now: number): Promise<number> {
  const out = await clients.ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  const expired = (out.Items ?? []).filter((it) => it.ttl?.N !== undefined && Number(it.ttl.N) * 1000 <= now);
  for (let i = 0; i < expired.length; i += 25) {
    await clients.ddb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          [table]: expired
            .slice(i, i + 25)
            .map((it) => ({ DeleteRequest: { Key: { pk: it.pk!, sk: it.sk! } } })),
        },
      }),
    );
  }
  return expired.length;
}

describe('a lengthened retention', () => {
  // Fails today: `after` reads the swept hour row as empty and answers n = 0. Expected: the 3 events, or
  // WINDOW_NOT_SERVABLE as `before` says, never a silent 0. Suggested fix: count retention in the fingerprint
  // (a longer retention is a new version, rebuilt with the new TTLs by the backfill), or keep, per rollup, when
  // each retention took effect and serve a bucket only if it ended after that (else the old retention applies).
  // Left, documented (docs/rollups.md, retention): a fingerprint with retention would force a rebuild from the
  // source on every retention change, which loses what a rollup with ttlDeletes 'ignore' kept of deleted items.
  it.fails('does not turn rows the old TTL deleted into zeros', async () => {
    expect(after.compiled.fingerprint).toBe(before.compiled.fingerprint); // same version, same rows
    const table = uniqueTableName('s16-retention');
    await createAggregateTable(clients.ddb, table);
    const applier = new Applier({ client: clients.ddb, table, rollups: [before], now: () => T });
    const { poison } = await applier.apply({
      records: [insert(T), insert(T + 1000), insert(T + 60_000)],
      shardId: 's-1',
    });
    expect(poison).toEqual([]);
    const now = T + 20 * D;
    expect(await ttlSweep(table, now)).toBeGreaterThan(0); // the hour row: ttl = its end + 10 days

    const old = createQueryClient({ client: clients.ddb, table, rollups: [before], now: () => now });
    const refused = await old.total(before, { g: 'a' }, HOUR).catch((e: unknown) => e);
    expect(isDynotallyError(refused, 'WINDOW_NOT_SERVABLE')).toBe(true);

    const query = createQueryClient({ client: clients.ddb, table, rollups: [after], now: () => now });
    const answer = await query.total(after, { g: 'a' }, HOUR).catch((e: unknown) => e);
    if (isDynotallyError(answer, 'WINDOW_NOT_SERVABLE')) return;
    expect((answer as { values: { n: number } }).values.n).toBe(3);
  });
});
