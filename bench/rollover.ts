// npx tsx bench/rollover.ts [--events=12000] [--out=docs/performance/rollover.json]
//
// The bounded exactly-once state workload of issue 13: 16 partitions whose shards roll over every 4 hours, 48
// hours of events, hot stores written from every partition, against the same batches from one shard. Starts
// its own DynamoDB Local, prints the figures and writes them as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startDynamoDbLocal } from '../packages/dynotally/src/local/index.ts';
import { repoRoot } from './repo-root.ts';
import { machineInfo } from './report/machine.ts';
import { runRolloverBench } from './rollover/suite.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const events = Number(arg('events') ?? 12_000);
const out = arg('out') ?? 'docs/performance/rollover.json';
const started = Date.now();
const log = (line: string) =>
  console.error(`[rollover ${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);

const local = await startDynamoDbLocal();
try {
  const options = { partitions: 16, rolloverHours: 4, hours: 48, events, batchMinutes: 60, stores: 50 };
  const result = await runRolloverBench(local.endpoint, options, {}, log);
  const json = {
    startedAt: new Date(started).toISOString(),
    command: `npx tsx bench/rollover.ts --events=${events}`,
    machine: machineInfo(),
    writePath: 'update-item (DynamoDB Local reports ConsumedCapacity for UpdateItem, not for PartiQL)',
    ...result,
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
  const path = join(repoRoot(), out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  const row = (r: typeof result.single) =>
    `| ${r.workload} | ${r.shards} | ${r.events} | ${r.writeUnitsPerEvent.toFixed(3)} | ${r.failedBatches} | ${r.largestState.entries} | ${r.largestState.bytes} | ${r.largestStateLegacyBytes} | ${r.largestState.rowBytes} | ${r.wrongAllTimeRows} |`;
  console.log(
    [
      '| workload | shards | events | write units / event | failed batches | largest state: entries | bytes | bytes in 0.2 encoding | row bytes | wrong all-time rows |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      row(result.single),
      row(result.rollover),
      '',
      `rollover ÷ single-shard write units per event: ${result.ratio.toFixed(3)} (target ≤ 1.25)`,
      `written to ${out}`,
    ].join('\n'),
  );
} finally {
  await local.stop();
}
