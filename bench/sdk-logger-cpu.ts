// npx tsx bench/sdk-logger-cpu.ts [--requests=2000] [--rounds=6] [--json=PATH]
//
// The AWS SDK's client CPU per request with its default logger and with dynotally's QUIET_SDK_LOGGER, for the
// two requests dynotally sends most: a PartiQL BatchExecuteStatement of 25 row INSERTs (the default write path)
// and a conditional UpdateItem. No network: the client's request handler answers at once with a canned
// success, so what is measured is the SDK's own work (middleware, serialising, signing, parsing), the part the
// logger setting can change. Eight requests in flight, alternating rounds of each setting after a warm-up; the
// process's CPU (process.cpuUsage) per request. Prints one JSON line (and writes it to --json).
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import {
  BatchExecuteStatementCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { HttpResponse } from '@smithy/core/transport';
import { QUIET_SDK_LOGGER } from '../packages/dynotally/src/local/index.ts';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const requests = Number(arg('requests') ?? 2000);
const rounds = Number(arg('rounds') ?? 6);

type Kind = 'batchExecuteStatement25' | 'updateItem';

const answer = (kind: Kind): string =>
  kind === 'updateItem' ? '{}' : JSON.stringify({ Responses: Array.from({ length: 25 }, () => ({})) });

const client = (kind: Kind, logger: DynamoDBClientConfig['logger']): DynamoDBClient =>
  new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
    requestHandler: {
      handle: async () => ({
        response: new HttpResponse({
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(answer(kind))]),
        }),
      }),
    } as never,
    ...(logger === undefined ? {} : { logger }),
  });

/** A row INSERT as the fold bench builds it: key, updatedAt, ttl, the shard's state and four counters. */
const statement = (i: number) => ({
  Statement: `INSERT INTO "aggregates" VALUE {'pk': ?, 'sk': ?, 'updatedAt': ?, 'ttl': ?, 's_3f9a1c': ?, 'orders': ?, 'orders_12': ?, 'views': ?, 'views_12': ?}`,
  Parameters: [
    { S: `store#sstore-${i}` },
    { S: 'D2026-10-24' },
    { N: '1761264000000' },
    { N: '1769000000' },
    { S: '123456789012345678|492018' },
    { N: '3' },
    { N: '3' },
    { N: '1' },
    { N: '1' },
  ],
});
const statements = Array.from({ length: 25 }, (_, i) => statement(i));
const update = {
  TableName: 'aggregates',
  Key: { pk: { S: 'store#sstore-1' }, sk: { S: 'D2026-10-24' } },
  UpdateExpression: 'SET #u = :u, #w = :w ADD #a :a, #b :b',
  ConditionExpression: '(attribute_not_exists(#w) OR #w < :f) AND attribute_not_exists(#x)',
  ExpressionAttributeNames: {
    '#u': 'updatedAt',
    '#w': 's_3f9a1c',
    '#a': 'orders',
    '#b': 'orders_12',
    '#x': '~tx',
  },
  ExpressionAttributeValues: {
    ':u': { N: '1761264000000' },
    ':w': { S: '123456789012345678|492018' },
    ':f': { S: '123456789012345670' },
    ':a': { N: '1' },
    ':b': { N: '1' },
  },
};

/** CPU µs per request of `n` requests, 8 in flight. */
async function cpuPerRequest(kind: Kind, c: DynamoDBClient, n: number): Promise<number> {
  const send = () =>
    kind === 'updateItem'
      ? c.send(new UpdateItemCommand(update))
      : c.send(new BatchExecuteStatementCommand({ Statements: statements }));
  const before = process.cpuUsage();
  for (let i = 0; i < n; i += 8) await Promise.all(Array.from({ length: 8 }, send));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const settings = { sdkDefault: undefined, quiet: QUIET_SDK_LOGGER } as const;
const result: Record<Kind, Record<keyof typeof settings, number[]>> = {
  batchExecuteStatement25: { sdkDefault: [], quiet: [] },
  updateItem: { sdkDefault: [], quiet: [] },
};
for (const kind of Object.keys(result) as Kind[]) {
  const clients = { sdkDefault: client(kind, undefined), quiet: client(kind, QUIET_SDK_LOGGER) };
  for (const c of Object.values(clients)) await cpuPerRequest(kind, c, 400); // warm-up
  for (let r = 0; r < rounds; r++)
    for (const s of (r % 2 === 0 ? ['sdkDefault', 'quiet'] : ['quiet', 'sdkDefault']) as Array<
      keyof typeof settings
    >)
      result[kind][s].push(Math.round(await cpuPerRequest(kind, clients[s], requests)));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const summary = Object.fromEntries(
  (Object.keys(result) as Kind[]).map((k) => {
    const d = median(result[k].sdkDefault);
    const q = median(result[k].quiet);
    return [k, { sdkDefaultMicros: d, quietMicros: q, quietOverDefault: Number((q / d).toFixed(3)) }];
  }),
);
const out = {
  at: new Date().toISOString(),
  node: process.version,
  loadAverage: loadavg().slice(0, 2),
  requests,
  rounds,
  medians: summary,
  cpuMicrosPerRequest: result,
};
console.log(JSON.stringify(out));
const json = arg('json');
if (json !== undefined) writeFileSync(json, `${JSON.stringify(out, null, 2)}\n`);
