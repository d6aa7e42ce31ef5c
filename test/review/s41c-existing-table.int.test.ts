// Review s41c (Lambda + CDK: deploying onto a table that already holds items). Severity: medium (docs).
// Finding: docs/deploy.md builds the stack on a new table, but also shows how to use an existing one (`Table.
// fromTableAttributes({ tableArn, tableStreamArn })` is the way out of SOURCE_STREAM_INVALID) and never says what the
// handler makes of a table with a past. The mapping starts at TRIM_HORIZON, which the page sells as "fold everything
// the stream still holds (24 h)": items written before that are never counted, and their later changes are folded
// against counts that never held them. A REMOVE subtracts an item that was never added, a MODIFY that moves an item
// to another group takes it out of a group that never had it: counts below the truth, negative ones included, with
// no error, no dead letter, no warning (below, on DynamoDB Local: one REMOVE of an old item leaves the count at -1).
// The way to count such a table exists (rollup versions: the first version `building`, then a backfill that scans
// the table while the stream side claims what it changes), but deploy.md only ever introduces versions for a
// changed rollup ("Rollup versions on Lambda").
// Fixed (session 41, helper s41c, docs): docs/deploy.md, "A source table that already holds items": `versions: true`,
// a handler built on `createVersionedWriteSide({ …, firstVersion: 'building' })`, `grantBackfill`, then `dynotally
// backfill <rollup> --promote`; the StartingPosition row says what TRIM_HORIZON does not cover.
import { readFileSync } from 'node:fs';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createStreamHandler } from '../../packages/dynotally/src/handler/index.ts';
import { createAggregateTable } from '../../packages/dynotally/src/tables/index.ts';
import { testClients, uniqueTableName } from '../support/ddb.ts';
import { countedJobs, HOUR, LATE_NOW, lateJobs, silent } from '../support/late-jobs.ts';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });
const clients = testClients();
afterAll(() => clients.destroy());

/** The REMOVE, an hour ago, of an item of group x written three days ago (before the stream's 24 h). */
const removeOfOldItem: DynamoDBRecord = {
  eventID: 'e500',
  eventName: 'REMOVE',
  eventSourceARN: 'arn:aws:dynamodb:eu-west-1:1:table/src/stream/2026-12-01T00:00:00.000',
  dynamodb: {
    SequenceNumber: '500',
    ApproximateCreationDateTime: (LATE_NOW - HOUR) / 1000,
    Keys: { id: { S: 'old' } },
    OldImage: { id: { S: 'old' }, g: { S: 'x' }, ts: { N: String(LATE_NOW - 72 * HOUR) } },
  },
};

describe('a handler deployed onto a table that already holds items', () => {
  it('subtracts an item it never counted: the count goes below the truth (here -1), silently', async () => {
    const table = uniqueTableName('s41c-existing');
    await createAggregateTable(clients.ddb, table);
    const letters: unknown[] = [];
    const handler = createStreamHandler({
      rollups: [lateJobs],
      client: clients.ddb,
      table,
      deadLetter: { send: async (ls) => void letters.push(...ls) },
      lineage: false,
      now: () => LATE_NOW,
      logger: silent,
    });
    expect(await handler({ shardId: 'shardId-s41c', Records: [removeOfOldItem] })).toEqual({
      batchItemFailures: [],
    });
    expect(await countedJobs(clients.ddb, table)).toBe('-1');
    expect(letters).toEqual([]);
  });

  it('docs/deploy.md says what to do instead', () => {
    const page = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
    const at = page.indexOf('**A source table that already holds items.**');
    expect(at).toBeGreaterThan(-1);
    const text = page.slice(at, page.indexOf('\n\n', at));
    expect(text).toMatch(/never counted/);
    expect(text).toMatch(/versions: true/);
    expect(text).toMatch(/firstVersion: 'building'/);
    expect(text).toMatch(/dynotally backfill <rollup> --promote/);
    expect(text).toMatch(/s41c-existing-table/);
    const row = page.split('\n').find((l) => l.startsWith('| `StartingPosition`'));
    expect(row).toMatch(/already holds items/);
  });
});
