// npx tsx bench/backfill/claim-writes.ts [--claims=5000] [--endpoint=…] [--out=…]
//
// The scan's first claims alone, on a DynamoDB Local it starts (in memory): the same claims written once as one
// conditional PutItem each (64 in flight, as 4 segments × 16 did) and once as PartiQL INSERTs 25 to a
// BatchExecuteStatement (putNewClaims, 4 segments × 8 requests in flight), alternating rounds, each into a fresh
// claim table. Prints claims per second and the client's CPU per claim for both; writes JSON with --out.
import { writeFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mapLimit } from '../../packages/dynotally/src/apply/map-limit.ts';
import type { Claim } from '../../packages/dynotally/src/backfill/claim.ts';
import { putNewClaims } from '../../packages/dynotally/src/backfill/claim-batch.ts';
import { putClaim } from '../../packages/dynotally/src/backfill/claim-store.ts';
import { localClientConfig, startDynamoDbLocal } from '../../packages/dynotally/src/local/index.ts';
import { createClaimTable } from '../../packages/dynotally/src/tables/index.ts';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const n = Number(arg('claims') ?? 5000);
const local = arg('endpoint') === undefined ? await startDynamoDbLocal({ timeoutMs: 180_000 }) : undefined;
const client = new DynamoDBClient(localClientConfig(arg('endpoint') ?? (local?.endpoint as string)));
const ttl = Math.floor(Date.now() / 1000) + 86_400;
const claims = Array.from({ length: n }, (_, i) => ({
  pk: `store.v2#[["id","S","o-${i}"]]`,
  claim: {
    by: 'scan',
    segment: i % 4,
    chunk: Math.floor(i / 500),
    image: { storeId: { S: `s-${i % 100}` }, t: { N: String(1_790_000_000_000 + i) }, amount: { N: '12.5' } },
    live: undefined,
  } satisfies Claim,
}));
const results: Array<{
  way: string;
  round: number;
  seconds: number;
  claimsPerSecond: number;
  cpuMsPerClaim: number;
}> = [];
try {
  for (let round = 0; round < 2; round++) {
    for (const way of ['putItem', 'batchInsert'] as const) {
      const table = `cw-${way}-${round}-${Date.now().toString(36)}`;
      await createClaimTable(client, table);
      const cpu0 = process.cpuUsage();
      const t0 = Date.now();
      if (way === 'putItem')
        await mapLimit(claims, 64, async (c) => {
          await putClaim(client, table, c.pk, c.claim, undefined, ttl);
        });
      else
        await Promise.all(
          [0, 1, 2, 3].map((s) =>
            putNewClaims(
              client,
              table,
              claims.filter((_, i) => i % 4 === s),
              ttl,
              { concurrency: 8 },
            ),
          ),
        );
      const seconds = (Date.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const r = {
        way,
        round,
        seconds,
        claimsPerSecond: Math.round(n / seconds),
        cpuMsPerClaim: Math.round(((cpu.user + cpu.system) / 1000 / n) * 1000) / 1000,
      };
      results.push(r);
      console.error(JSON.stringify(r));
    }
  }
  const out = {
    startedAt: new Date().toISOString(),
    command: `npx tsx bench/backfill/claim-writes.ts ${process.argv.slice(2).join(' ')}`.trim(),
    claims: n,
    loadAverageAtEnd: (await import('node:os')).loadavg().map((x) => Math.round(x * 10) / 10),
    results,
  };
  console.log(JSON.stringify(out, null, 2));
  const file = arg('out');
  if (file !== undefined) writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
} finally {
  client.destroy();
  await local?.stop();
}
