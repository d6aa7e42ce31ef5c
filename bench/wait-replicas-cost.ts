// tsx bench/wait-replicas-cost.ts [--batches=300] [--rounds=4] [--link=direct|relay]
// The price of `waitReplicas` on the buffered path: batches/s of the buffered applier into a local redis-server
// with one replica (`direct`: replicating the primary itself, the default; `relay`: through the tests' TCP relay,
// which runs in this process), with and without `waitReplicas: { min: 1 }`, in alternating
// rounds of the same run (a fresh shard per round), one batch at a time (as one shard's consumer sends them).
// Batches of 100 order inserts over 1,000 stores, counted at minute, hour, day and all: no min / max / last, so no
// DynamoDB write (the client given answers only the applier's check of the table's buffer). Prints one JSON line:
// batches/s and the median batch in ms per round.
import { loadavg } from 'node:os';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { Redis } from 'ioredis';
import { count, defineRollup } from '../packages/dynotally/src/definition/index.ts';
import { createBufferedApplier } from '../packages/dynotally/src/redis/index.ts';
import { linkedReplica } from '../test/redis/linked-replica.ts';
import { streamInserts } from '../test/redis/stream-inserts.ts';
import { startRedisServer } from '../test/support/redis-server.ts';

const option = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const batches = Number(option('batches') ?? 300);
const rounds = Number(option('rounds') ?? 4);
const link = option('link') ?? 'direct';

const orders = defineRollup({
  name: 'orders',
  groupBy: 'storeId',
  time: { attribute: 't', format: 'epoch-millis' },
  granularities: ['minute', 'hour', 'day', 'all'],
  measures: { n: count() },
});
// the one DynamoDB call of an applier is its check of the table's buffer (buffer-owner.ts): answered as owned
const PREFIX = 'bench:{wait}:';
const noDynamo = {
  send: (command: { constructor: { name: string } }) =>
    command.constructor.name === 'GetItemCommand'
      ? Promise.resolve({ Item: { prefix: { S: PREFIX } } })
      : Promise.reject(new Error('no DynamoDB write expected')),
} as unknown as DynamoDBClient;

const server = await startRedisServer();
const replica =
  link === 'relay' ? await linkedReplica(server.port) : await directReplica(server.port, server.url);
const redis = new Redis(server.url);
const start = Date.UTC(2026, 10, 22, 12, 0, 0);
let rnd = 7;
const store = () => {
  rnd = (rnd * 1_103_515_245 + 12_345) % 2 ** 31;
  return `s-${rnd % 1000}`;
};
const result: Record<string, { batchesPerS: number[]; medianMs: number[] }> = {
  without: { batchesPerS: [], medianMs: [] },
  wait1: { batchesPerS: [], medianMs: [] },
};
try {
  for (let round = 0; round < rounds * 2; round++) {
    const waiting = round % 2 === 1;
    const insert = streamInserts({ from: 1_000_000 * (round + 1), idPrefix: `r${round}-` });
    const applier = createBufferedApplier({
      redis,
      client: noDynamo,
      table: 'unused',
      rollups: [orders],
      keyPrefix: PREFIX,
      now: () => start,
      ...(waiting ? { waitReplicas: { min: 1 } } : {}),
    });
    const times: number[] = [];
    const began = performance.now();
    for (let b = 0; b < batches; b++) {
      const records: DynamoDBRecord[] = Array.from({ length: 100 }, (_, i) =>
        insert({ storeId: { S: store() } }, start + b * 100 + i),
      );
      const t0 = performance.now();
      const { buffer } = await applier.apply({ records, shardId: `shard-${round}` });
      times.push(performance.now() - t0);
      if (buffer.mode !== 'redis') throw new Error(`batch ${b} was ${buffer.mode}`);
    }
    const seconds = (performance.now() - began) / 1000;
    times.sort((x, y) => x - y);
    const r = result[waiting ? 'wait1' : 'without'];
    r?.batchesPerS.push(Math.round(batches / seconds));
    r?.medianMs.push(Number((times[Math.floor(times.length / 2)] ?? 0).toFixed(2)));
  }
  console.log(
    JSON.stringify({ batches, rounds, link, batchSize: 100, load: loadavg()[0]?.toFixed(1), ...result }),
  );
} finally {
  redis.disconnect();
  await replica.stop();
  await server.stop();
}

/** A replica of the primary on `port`, linked straight to it, once in sync. */
async function directReplica(port: number, primaryUrl: string): Promise<{ stop(): Promise<void> }> {
  const node = await startRedisServer();
  const client = new Redis(node.url);
  await client.replicaof('127.0.0.1', port);
  const primary = new Redis(primaryUrl);
  try {
    for (let i = 0; i < 300 && Number(await primary.call('WAIT', '1', '100')) < 1; i++);
  } finally {
    primary.disconnect();
  }
  return {
    stop: async () => {
      client.disconnect();
      await node.stop();
    },
  };
}
