// Review s24d (stream worker options vs. the handler's redelivery check, around c5b2a37): `resolveWorkerOptions`
// takes any number ≥ 0 as `maxRecordAgeMs`, Infinity included (the same check as `maxRetries`, whose docs say
// "`Infinity` retries until `maxRecordAgeMs`"), and the worker hands it on to its built-in handler as
// `redelivery.maxRecordAgeSeconds: Math.max(1, maxRecordAgeMs / 1000)`, i.e. Infinity, which `pruneAfterSeconds`
// refuses (it wants a finite number ≥ 1, or -1). So `createStreamWorker({ …, maxRecordAgeMs: Infinity })` throws
// CONFIG_INVALID about `redelivery.maxRecordAgeSeconds`, an option the user never gave and cannot give to a worker.
// The expression predates c5b2a37, which rewrote it (now always passing a horizon) without closing the gap.
// Scenario: a worker made with maxRecordAgeMs: Infinity ("no limit", spelled out).
// Observed: creation throws CONFIG_INVALID "redelivery.maxRecordAgeSeconds is null: give a number of seconds …".
// Expected: either the worker is made (Infinity read as no limit: -1, as undefined is) or its own options check refuses
// `maxRecordAgeMs` by name.
// Suggested fix: in the worker, `maxRecordAgeMs === undefined || !Number.isFinite(maxRecordAgeMs) ? -1 : …`, or make
// resolveWorkerOptions refuse a non-finite maxRecordAgeMs.
// Severity: low (a confusing refusal at creation; nothing is counted wrongly).
// Fixed in session 24: a non-finite maxRecordAgeMs is no limit (-1), as undefined is.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { count, defineRollup } from '../../packages/dynotally/src/definition/index.ts';
import { createStreamWorker } from '../../packages/dynotally/src/worker/index.ts';

const rollup = defineRollup({ name: 'r', groupBy: 'g', granularities: ['all'], measures: { n: count() } });

describe('s24d: maxRecordAgeMs Infinity', () => {
  it('makes a worker, or is refused by its own name', async () => {
    let error: unknown;
    try {
      const worker = createStreamWorker({
        client: new DynamoDBClient({ region: 'eu-west-1' }),
        streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-12-05T11:41:12.255',
        leaseTable: 'leases',
        table: 'aggregates',
        rollups: [rollup],
        maxRecordAgeMs: Number.POSITIVE_INFINITY,
      });
      await worker.stop();
    } catch (e) {
      error = e;
    }
    if (error !== undefined) expect(String((error as Error).message)).toMatch(/^[^:]*maxRecordAgeMs/);
  });
});
