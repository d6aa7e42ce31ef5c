// The scan's first claims, 25 PartiQL INSERTs to a BatchExecuteStatement, on DynamoDB Local: fresh claims and
// items another side claimed first (DuplicateItem) mixed in one request, each answered with what is stored;
// statements the store throttles (injected by a middleware that takes them out of the request and answers
// ThrottlingError in their place, as the service does per statement) sent again; any other statement error
// through the conditional PutItem; and a backfill whose claims all go out in batches, equal to the oracle.
import {
  type AttributeValue,
  type BatchExecuteStatementCommandOutput,
  type BatchStatementRequest,
  BatchWriteItemCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Claim } from '../../packages/dynotally/src/backfill/claim.ts';
import {
  emptyClaimBatchStats,
  type NewClaim,
  putNewClaims,
} from '../../packages/dynotally/src/backfill/claim-batch.ts';
import { putClaim, readClaims } from '../../packages/dynotally/src/backfill/claim-store.ts';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { count, defineRollup, sum } from '../../packages/dynotally/src/definition/index.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import {
  createAggregateTable,
  createClaimTable,
  createSourceTable,
} from '../../packages/dynotally/src/tables/index.ts';
import { asVersion, registerVersions } from '../../packages/dynotally/src/versions/index.ts';
import { type Img, type OracleRollup, oracle } from '../oracle/oracle.ts';
import { ddbReady, scanTable, uniqueTableName } from '../support/ddb.ts';
import { canonicalCells } from '../support/pipeline.ts';

// DynamoDB Local shares two cores with everything else: generous limits, never timing assertions
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const seq = (n: number) => String(n).padStart(40, '0');
const scanClaim = (segment: number, chunk: number, n: number): Claim => ({
  by: 'scan',
  segment,
  chunk,
  image: { storeId: { S: `s-${n % 3}` }, amount: { N: String(n) } },
  live: undefined,
});
const TTL = Math.floor(Date.now() / 1000) + 86_400;

/** Per-statement faults: the middleware removes these statements from the request and answers for them. */
interface Faults {
  /** pk → how many more times to answer ThrottlingError. */
  throttle: Map<string, number>;
  /** pks always answered ValidationError (neither throttling nor DuplicateItem). */
  reject: Set<string>;
  /** Commands sent, by name and claim table. */
  sent: Array<{ command: string; table: string | undefined }>;
}

async function faultyClient(faults: Faults): Promise<DynamoDBClient> {
  const client = new DynamoDBClient(localClientConfig(await ddbReady()));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        Statements?: BatchStatementRequest[];
        TableName?: string;
        RequestItems?: object;
      };
      faults.sent.push({ command: context.commandName ?? '', table: input.TableName });
      if (context.commandName !== 'BatchExecuteStatementCommand' || input.Statements === undefined)
        return next(args);
      const fake: Array<{ Code: string; Message: string } | undefined> = input.Statements.map((s) => {
        const pk = s.Parameters?.[0]?.S ?? '';
        const left = faults.throttle.get(pk) ?? 0;
        if (left > 0) {
          faults.throttle.set(pk, left - 1);
          return { Code: 'ThrottlingError', Message: 'injected' };
        }
        if (faults.reject.has(pk)) return { Code: 'ValidationError', Message: 'injected' };
        return undefined;
      });
      const kept = input.Statements.filter((_, i) => fake[i] === undefined);
      const real =
        kept.length === 0
          ? []
          : ((
              (await next({ ...args, input: { ...input, Statements: kept } })) as {
                output: BatchExecuteStatementCommandOutput;
              }
            ).output.Responses ?? []);
      let k = 0;
      const Responses = fake.map((f) => (f === undefined ? (real[k++] ?? {}) : { Error: f }));
      return { output: { $metadata: {}, Responses }, response: {} } as never;
    },
    { step: 'initialize', name: 'claimBatchFaults' },
  );
  return client;
}

describe('batched first claims (PartiQL INSERT, 25 a request) on DynamoDB Local', () => {
  const clients: DynamoDBClient[] = [];
  afterAll(() => {
    for (const c of clients) c.destroy();
  });

  it('answers fresh claims and DuplicateItem mixed in one request with what is stored', async () => {
    const faults: Faults = { throttle: new Map(), reject: new Set(), sent: [] };
    const client = await faultyClient(faults);
    clients.push(client);
    const table = uniqueTableName('cb-claims');
    await createClaimTable(client, table);
    const pk = (n: number) => `store.v2#${n}`;
    // items 3, 7, 11 … were claimed first: by the stream (live), by another segment, by this very chunk
    const before = new Map<string, Claim>();
    for (let n = 3; n < 40; n += 4) {
      const claim: Claim =
        n % 3 === 0
          ? { by: 'stream', live: { seq: seq(n), first: 'new' } }
          : n % 3 === 1
            ? scanClaim(1, 0, n)
            : scanClaim(0, 5, n);
      expect((await putClaim(client, table, pk(n), claim, undefined, TTL)).written).toBe(true);
      before.set(pk(n), claim);
    }
    const claims: NewClaim[] = Array.from({ length: 40 }, (_, n) => ({
      pk: pk(n),
      claim: scanClaim(0, 5, n + 100),
    }));
    const stats = emptyClaimBatchStats();
    faults.sent.length = 0;
    const outcomes = await putNewClaims(client, table, claims, TTL, { stats });

    expect(stats).toEqual({
      requests: 2,
      statements: 40,
      duplicates: before.size,
      retried: 0,
      viaPutItem: 0,
      spilled: 0,
      writeUnits: 40, // 30 small claims written, 10 found there
    });
    outcomes.forEach((o, n) => {
      const was = before.get(pk(n));
      if (was === undefined) expect(o).toEqual({ written: true });
      else expect(o).toEqual({ written: false, current: was });
    });
    // no PutItem went to the claim table: two BatchExecuteStatement requests and the duplicates' BatchGetItem
    expect(faults.sent.map((s) => s.command)).toEqual([
      'BatchExecuteStatementCommand',
      'BatchExecuteStatementCommand',
      'BatchGetItemCommand',
    ]);
    // what is stored: the earlier claims untouched, the fresh ones with this chunk's image
    const stored = await readClaims(
      client,
      table,
      claims.map((c) => c.pk),
    );
    for (const c of claims) expect(stored.get(c.pk)).toEqual(before.get(c.pk) ?? c.claim);
  });

  it('sends throttled statements again and any other statement error through the conditional PutItem', async () => {
    const faults: Faults = { throttle: new Map(), reject: new Set(), sent: [] };
    const client = await faultyClient(faults);
    clients.push(client);
    const table = uniqueTableName('cb-claims');
    await createClaimTable(client, table);
    const pk = (n: number) => `store.v2#${n}`;
    // item 1 is throttled twice, item 2 for ever (more rounds than allowed), items 3 and 4 are rejected,
    // item 4 after the stream claimed it (its PutItem's condition fails: the stored claim comes back), item 5
    // was claimed by the stream (DuplicateItem in the same request as the throttled ones)
    const live: Claim = { by: 'stream', live: { seq: seq(9), first: 'new' } };
    await putClaim(client, table, pk(4), live, undefined, TTL);
    await putClaim(client, table, pk(5), live, undefined, TTL);
    faults.throttle.set(pk(1), 2);
    faults.throttle.set(pk(2), 1_000);
    faults.reject.add(pk(3));
    faults.reject.add(pk(4));
    const claims: NewClaim[] = Array.from({ length: 8 }, (_, n) => ({
      pk: pk(n),
      claim: scanClaim(0, 2, n),
    }));
    const stats = emptyClaimBatchStats();
    const outcomes = await putNewClaims(client, table, claims, TTL, { stats, maxRounds: 4 });

    expect(outcomes).toEqual([
      { written: true },
      { written: true }, // throttled twice, then written
      { written: true }, // throttled in every round, then written by PutItem
      { written: true }, // ValidationError → PutItem
      { written: false, current: live }, // ValidationError → PutItem → condition failed
      { written: false, current: live }, // DuplicateItem
      { written: true },
      { written: true },
    ]);
    expect(stats.duplicates).toBe(1);
    expect(stats.viaPutItem).toBe(3); // items 2, 3, 4
    expect(stats.retried).toBe(2 + 3); // item 1 twice, item 2 in rounds 1–3
    const stored = await readClaims(
      client,
      table,
      claims.map((c) => c.pk),
    );
    for (const [n, c] of claims.entries())
      expect(stored.get(c.pk)).toEqual(n === 4 || n === 5 ? live : c.claim);
  });

  it('a backfill sends its claims in batches and equals the oracle', async () => {
    const faults: Faults = { throttle: new Map(), reject: new Set(), sent: [] };
    const client = await faultyClient(faults);
    clients.push(client);
    const source = uniqueTableName('cb-src');
    const table = uniqueTableName('cb-agg');
    const claimTable = uniqueTableName('cb-claims');
    await Promise.all([
      createSourceTable(client, source, { id: 'S' }),
      createAggregateTable(client, table),
      createClaimTable(client, claimTable),
    ]);
    const rollup = defineRollup({
      name: 'store',
      groupBy: 'storeId',
      time: { attribute: 't', format: 'epoch-millis' },
      granularities: ['day', 'all'],
      measures: { orders: count(), amount: sum('amount') },
    });
    const ITEMS = 300;
    const BASE = Date.UTC(2026, 10, 1);
    const items: Record<string, AttributeValue>[] = Array.from({ length: ITEMS }, (_, i) => ({
      id: { S: `o-${i}` },
      storeId: { S: `s-${i % 7}` },
      t: { N: String(BASE + (i % 5) * 86_400_000 + i) },
      amount: { N: `${i % 50}.${i % 10}` },
    }));
    for (let i = 0; i < ITEMS; i += 25)
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: { [source]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
        }),
      );
    // the stream claimed some items first (live): the scan must leave them
    const { claimKey } = await import('../../packages/dynotally/src/backfill/claim-item.ts');
    await registerVersions(client, table, [rollup.compiled], { firstVersion: 'building' });
    const { claimsPrefixOf } = await import('../support/claims-prefix.ts');
    const prefix = await claimsPrefixOf(client, table, rollup.compiled.name, 1);
    for (let i = 0; i < ITEMS; i += 10)
      await putClaim(
        client,
        claimTable,
        claimKey(prefix, { id: { S: `o-${i}` } }),
        { by: 'stream', live: { seq: seq(i + 1), first: 'new' } },
        undefined,
        TTL,
      );
    faults.sent.length = 0;
    const report = await runBackfill({
      client,
      source,
      table,
      claimTable,
      rollup,
      segments: 2,
      chunkItems: 100,
      settleMs: 0,
    });
    expect(report.complete).toBe(true);
    expect(report.progress.claimedLive).toBe(ITEMS / 10);
    expect(report.progress.folded).toBe(ITEMS - ITEMS / 10);
    // every claim went out in a BatchExecuteStatement: no PutItem at all, and ≤ 25 statements a request
    const onClaims = faults.sent.filter((s) => s.command === 'PutItemCommand');
    expect(onClaims).toEqual([]);
    const batches = faults.sent.filter((s) => s.command === 'BatchExecuteStatementCommand').length;
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(report.progress.claimWrites / 25));
    expect(batches).toBeLessThan(report.progress.claimWrites / 10);
    // the counted items: all but the stream's (which the stream would count from their records)
    const expected = oracle(
      [
        {
          name: 'store',
          groupBy: ['storeId'],
          timeAttr: 't',
          zone: 'UTC',
          granularities: ['day', 'all'],
          measures: [
            { name: 'orders', kind: 'count' },
            { name: 'amount', kind: 'sum', attribute: 'amount' },
          ],
          ttlDeletes: 'subtract',
        } satisfies OracleRollup,
      ],
      items.filter((_, i) => i % 10 !== 0) as unknown as Img[],
      [],
      [],
    );
    const rows = (await scanTable(client, table)).filter((r) => r.pk?.S?.startsWith('store#'));
    expect(canonicalCells([asVersion(rollup.compiled, 1)], rows)).toEqual(expected);
  });
});
