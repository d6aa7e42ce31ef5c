// A stream worker in its own process, for the crash and signal tests: `node --import tsx test/worker/worker-process.ts`.
// Configured by environment variables; reports on stdout, one JSON object a line:
//   {"event":"started"}                       after start()
//   {"event":"batch","batches":n,"records":m} after every batch (checkpointed)
//   {"event":"row","batches":n}               after every aggregate row write (n = batches finished before it)
// DYNOTALLY_TEST_SLOW_ROW_MS delays every aggregate row write, so a batch takes long enough to be killed in.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClientConfig, localStreamsClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { createStreamWorker, installSignalHandlers } from '../../packages/dynotally/src/worker/index.ts';
import { quietLogger, tallies } from './support.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`worker-process: set ${name}`);
  return v;
};
const endpoint = env('DYNOTALLY_TEST_ENDPOINT');
const aggregates = env('DYNOTALLY_TEST_AGGREGATES');
const slowMs = Number(process.env.DYNOTALLY_TEST_SLOW_ROW_MS ?? '0');
const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);

let batches = 0;
const client = new DynamoDBClient(localClientConfig(endpoint));
client.middlewareStack.add(
  (next, context) => async (args) => {
    const table = (args as { input: { TableName?: string } }).input.TableName;
    if (context.commandName !== 'UpdateItemCommand' || table !== aggregates) return next(args);
    if (slowMs > 0) await new Promise((r) => setTimeout(r, slowMs));
    const out = await next(args);
    print({ event: 'row', batches });
    return out;
  },
  { step: 'initialize', name: 'testRowProbe' },
);

const worker = createStreamWorker({
  client,
  streamsClientConfig: localStreamsClientConfig(endpoint),
  sourceTable: env('DYNOTALLY_TEST_SOURCE'),
  leaseTable: env('DYNOTALLY_TEST_LEASES'),
  table: aggregates,
  rollups: [tallies],
  workerId: env('DYNOTALLY_TEST_WORKER_ID'),
  logger: quietLogger(),
  batchSize: Number(process.env.DYNOTALLY_TEST_BATCH_SIZE ?? '20'),
  batchWindowMs: Number(process.env.DYNOTALLY_TEST_BATCH_WINDOW_MS ?? '0'),
  concurrency: 1, // rows one after another: a kill lands between two row writes of a batch
  write: { api: 'update-item' }, // one request a row (PartiQL would send a batch's rows in one request)
  leaseDurationMs: Number(process.env.DYNOTALLY_TEST_LEASE_MS ?? '3000'),
  heartbeatMs: 300,
  pollIntervalMs: 100,
  onProgress: (s) => {
    if (s.batches !== batches) {
      batches = s.batches;
      print({ event: 'batch', batches, records: s.records });
    }
  },
});
installSignalHandlers(worker);
await worker.start();
print({ event: 'started', workerId: worker.workerId });
