// Review of the size of a backfill's claim requests (putNewClaims: 25 claims to a BatchExecuteStatement), now that
// a claim may hold an image of up to 400 KB less 58 bytes (0501efd, 5d42de7).
//
// A request's body is the claims' JSON, not their DynamoDB size: a list of small numbers or flags, an empty
// string, a control character, a quote take 3 to 9 times their item-size bytes in JSON. DynamoDB Local refuses a
// body past 16 MB with HTTP 413 (no error code: the SDK's "UnknownError"), which sendStatements does not take for
// a request the store refuses (isRequestRejection: AccessDenied, UnknownOperation, Validation,
// UnrecognizedClient), so putNewClaims throws instead of sending those claims one by one through PutItem. A
// chunk's first run is safe: a Scan page holds about 1 MB of items, whose claims stay under 16 MB in JSON. A
// resumed chunk is not: it reads the items of its journaled keys again (GetItem), and the items of a page of
// small items may have grown since (a stop between the journal and the claims, items then rewritten with a few
// hundred KB of readings each). 25 of them to a request pass 16 MB, and every resume of the backfill fails the
// same way.
//
// Fixed twice: a 413 is a request the store refuses (isRequestRejection), so its claims go through the conditional
// PutItem; and, since a full load run showed DynamoDB Local dropping the connection on such a body while the
// client still wrote it (an uncaught EPIPE in the test process) and stalling every other test's requests, claims
// over 16 KB are measured in JSON and packed within REQUEST_JSON_BYTES (8 MB): no request passes it. Not checked:
// what the service answers past its request size; a ValidationException would already fall back.
import { type AttributeValue, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { REQUEST_JSON_BYTES } from '../../packages/dynotally/src/apply/batch-statements.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { buildingTables } from '../backfill/backfill-tables.ts';
import { allTimeCounts } from '../support/all-time-counts.ts';
import { ddbReady, testClients } from '../support/ddb.ts';
import { callbackKinds } from './callback-kinds.ts';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });
const clients = testClients();
afterAll(() => clients.destroy());

// a rollup with a callback: its scan claims keep the whole item
const kinds = callbackKinds;

type Item = Record<string, AttributeValue>;
const T = String(Date.UTC(2026, 10, 1));
const small = (id: string): Item => ({ id: { S: id }, kind: { S: 'a' }, t: { N: T } });

describe('the size of a resumed chunk’s claim requests', () => {
  // failed before the fix: the resumed run threw UnknownError (HTTP 413 from DynamoDB Local: the first
  // BatchExecuteStatement of 25 claims is 18 MB of JSON), on this resume and every later one
  it('a chunk stopped after its journal resumes over items that grew since, and counts each once', async () => {
    const ids = Array.from({ length: 14 }, (_, i) => `item-${String(i).padStart(2, '0')}`);
    const t = await buildingTables(clients.ddb, 'review-spill-request', ids.map(small), kinds.compiled);
    // the first run journals the page (30 small items: one chunk) and stops before claiming any
    const stop = new AbortController();
    const client = new DynamoDBClient(localClientConfig(await ddbReady()));
    try {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const out = await next(args);
          const input = args.input as { ExpressionAttributeNames?: Record<string, string> };
          if (
            context.commandName === 'UpdateItemCommand' &&
            input.ExpressionAttributeNames?.['#j'] === 'journal'
          )
            stop.abort();
          return out;
        },
        { step: 'initialize', name: 'stopAfterJournal' },
      );
      await expect(
        runBackfill({ client, ...t, rollup: kinds, segments: 1, settleMs: 0, signal: stop.signal }),
      ).rejects.toThrow(/stopped/);
    } finally {
      client.destroy();
    }
    // meanwhile each item takes 120 KB of terminal output whose every character is a control character: 720 KB of
    // JSON each (`\u001b`), 14 of them 10 MB, past the request budget
    const output: AttributeValue = { S: '\u001b'.repeat(120_000) };
    for (const id of ids)
      await clients.ddb.send(new PutItemCommand({ TableName: t.source, Item: { ...small(id), output } }));
    const largest = { bytes: 0 };
    const resumed = new DynamoDBClient(localClientConfig(await ddbReady()));
    resumed.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchExecuteStatementCommand')
          largest.bytes = Math.max(largest.bytes, Buffer.byteLength(JSON.stringify(args.input)));
        return next(args);
      },
      { step: 'initialize', name: 'requestBytes' },
    );
    const report = await runBackfill({
      client: resumed,
      ...t,
      rollup: kinds,
      segments: 1,
      settleMs: 0,
    }).finally(() => resumed.destroy());
    expect(largest.bytes).toBeGreaterThan(0);
    expect(largest.bytes).toBeLessThanOrEqual(REQUEST_JSON_BYTES + 64 * 1024);
    expect(report.complete).toBe(true);
    expect(await allTimeCounts(clients.ddb, t.table, 'kinds', 'n')).toEqual(new Map([['a', ids.length]]));
  });
});
