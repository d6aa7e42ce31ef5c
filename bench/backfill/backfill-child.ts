// A backfill in a process of its own, so the scale run can kill it for real (SIGKILL) and start it again.
// Argument: a JSON object { endpoint, source, table, claimTable, segments, chunkItems }. Prints one JSON line per
// chunk ({ type: 'progress', … }) and one at the end ({ type: 'done', … }), each with the process's peak RSS.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runBackfill } from '../../packages/dynotally/src/backfill/run-backfill.ts';
import { localClientConfig } from '../../packages/dynotally/src/local/index.ts';
import { storeV2 } from './scale-rollups.ts';

interface ChildArgs {
  endpoint: string;
  source: string;
  table: string;
  claimTable: string;
  segments: number;
  chunkItems: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const client = new DynamoDBClient({ ...localClientConfig(args.endpoint), maxAttempts: 10 });
const maxRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
const started = Date.now();
const report = await runBackfill({
  client,
  source: args.source,
  table: args.table,
  claimTable: args.claimTable,
  rollup: storeV2,
  segments: args.segments,
  chunkItems: args.chunkItems,
  settleMs: 0,
  onProgress: (p) => {
    process.stdout.write(
      `${JSON.stringify({ type: 'progress', ...p, ms: Date.now() - started, maxRssMB: maxRssMB() })}\n`,
    );
  },
});
const cpu = process.cpuUsage();
process.stdout.write(
  `${JSON.stringify({ type: 'done', report, ms: Date.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: maxRssMB() })}\n`,
);
client.destroy();
