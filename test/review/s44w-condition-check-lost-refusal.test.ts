// What: `writeRowOnce` (row-watermark exactly-once) refused a row whose delta no DynamoDB number holds before sending
// it, then built the write of the row's condition alone to ask whether the row already holds the records; a throw
// while building that check was thrown in place of the refusal, which was lost (neither thrown nor the cause).
// Here: a row whose ADD does not fit a DynamoDB number (NUMBER_OUT_OF_RANGE when its update is built), and whose
// condition-only check cannot be built either (its `ttl` throws when read again: nothing in the shipped builders
// throws there today, so the probe forces it).
// Expected: the row fails with APPLY_FAILED (not a refusal: nobody knows whether the condition holds, so it is not
// lettered as refused) whose message names both errors and whose `cause` is the refusal.
// Severity: low (no builder throws there today; a future one would have hidden why the row was refused).
// Fixed: the check is built in `conditionOnly` (apply/write-rows.ts), only for a refusal, and its failure is thrown
// as APPLY_FAILED with the refusal as `cause`.
// Break-check: with the check built as before (its error thrown as it is), the error is the check's and has no
// cause (fails).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyReport } from '../../packages/dynotally/src/apply/apply-report.ts';
import { PruneHints } from '../../packages/dynotally/src/apply/prune-hints.ts';
import { writeRowOnce } from '../../packages/dynotally/src/apply/write-rows.ts';
import { Dec } from '../../packages/dynotally/src/numbers/index.ts';
import type { RowWrite } from '../../packages/dynotally/src/plan/index.ts';

// never reached: both errors are thrown before anything is sent
const client = new DynamoDBClient({
  endpoint: 'http://127.0.0.1:9',
  region: 'local',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
afterAll(() => client.destroy());

describe('s44w: a throw while building the condition-only check', () => {
  it('keeps the refusal as the cause', async () => {
    let ttlReads = 0;
    const row = {
      rollup: 'tallies',
      pk: 'p#1',
      sk: 'ALL',
      adds: [['n', new Dec('1e200')]],
      get ttl(): number | undefined {
        ttlReads += 1;
        if (ttlReads > 1) throw new Error('the check could not be built');
        return undefined;
      },
      leaderboard: undefined,
      firstSeq: '100',
      lastSeq: '100',
      lastApproxMs: 1_764_000_000_000,
    } as RowWrite;
    const error = await writeRowOnce(row, {
      client,
      table: 'aggregates',
      now: 1_764_000_000_000,
      concurrency: 1,
      report: emptyReport(),
      exactlyOnce: {
        attrs: { attr: '_s', legacy: '_wm' },
        changes: [],
        folder: undefined as never, // not reached
        hints: new PruneHints(),
        sampleEvery: 16,
      },
    }).catch((e: unknown) => e);
    const e = error as { code?: string; message: string; cause?: { code?: string } };
    expect({
      code: e.code,
      cause: e.cause?.code,
      namesBoth: /NUMBER_OUT_OF_RANGE|does not fit/.test(e.message) && /could not be built/.test(e.message),
    }).toEqual({ code: 'APPLY_FAILED', cause: 'NUMBER_OUT_OF_RANGE', namesBoth: true });
  });
});
