// npx tsx bench/rollover.ts [--events=12000] [--hours=48] [--batch-minutes=60]
//   [--workloads=single-shard,rollover,rollover-lineage,rollover-lambda] [--lambda-container-hours=0]
//   [--partitions=16] [--state-budget=4096] [--write=partiql|update-item] [--out=docs/performance/rollover.json]
//
// The bounded exactly-once state workload of issue 13: 16 partitions whose shards roll over every 4 hours, 48
// hours of events, hot stores written from every partition, against the same batches from one shard. Starts
// its own DynamoDB Local, prints the figures and writes them as JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startDynamoDbLocal } from '../packages/dynotally/src/local/index.ts';
import { repoRoot } from './repo-root.ts';
import { machineInfo } from './report/machine.ts';
import {
  ROLLOVER_WRITE_PATHS,
  type RolloverBenchResult,
  type RolloverWorkload,
  type RolloverWritePath,
  runRolloverBench,
} from './rollover/suite.ts';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const events = Number(arg('events') ?? 12_000);
const hours = Number(arg('hours') ?? 48);
const batchMinutes = Number(arg('batch-minutes') ?? 60);
const lambdaContainerHours = Number(arg('lambda-container-hours') ?? 0);
const partitions = Number(arg('partitions') ?? 16);
const budgetArg = arg('state-budget');
const stateBudgetBytes = budgetArg === undefined ? undefined : Number(budgetArg);
for (const [name, value] of [
  ['events', events],
  ['hours', hours],
  ['batch-minutes', batchMinutes],
  ['partitions', partitions],
] as const)
  if (!(Number.isInteger(value) && value > 0)) {
    console.error(`--${name}=${value}: expected a whole number above 0`);
    process.exit(2);
  }
const writePath = (arg('write') ?? 'partiql') as RolloverWritePath;
if (!ROLLOVER_WRITE_PATHS.includes(writePath)) {
  console.error(`--write=${writePath}: expected one of ${ROLLOVER_WRITE_PATHS.join(', ')}`);
  process.exit(2);
}
const workloads = (arg('workloads') ?? 'single-shard,rollover,rollover-lineage,rollover-lambda').split(
  ',',
) as RolloverWorkload[];
const out = arg('out') ?? 'docs/performance/rollover.json';
const started = Date.now();
const log = (line: string) =>
  console.error(`[rollover ${((Date.now() - started) / 1000).toFixed(0)} s] ${line}`);

const local = await startDynamoDbLocal();
try {
  const options = { partitions, rolloverHours: 4, hours, events, batchMinutes, stores: 50 };
  const path = resolve(repoRoot(), out);
  const write = (result: RolloverBenchResult, complete: boolean) => {
    const json = {
      startedAt: new Date(started).toISOString(),
      command: `npx tsx bench/rollover.ts --events=${events} --hours=${hours} --batch-minutes=${batchMinutes} --workloads=${workloads.join(',')} --lambda-container-hours=${lambdaContainerHours} --partitions=${partitions} --write=${writePath}${stateBudgetBytes === undefined ? '' : ` --state-budget=${stateBudgetBytes}`}`,
      stateBudgetBytes: stateBudgetBytes ?? 'default (4096)',
      machine: machineInfo(),
      writePath:
        writePath === 'update-item'
          ? 'update-item: DynamoDB Local reports ConsumedCapacity for every UpdateItem'
          : "partiql: DynamoDB Local reports no ConsumedCapacity for PartiQL, so write units are the applier's estimate from item sizes (estimatedWriteUnits); unitsByKind is empty",
      complete,
      ...result,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`);
  };
  const applierOptions = stateBudgetBytes === undefined ? {} : { stateBudgetBytes };
  const result = await runRolloverBench(
    local.endpoint,
    options,
    workloads,
    applierOptions,
    log,
    (r) => write(r, false),
    {
      lambdaContainerHours,
      write: writePath,
    },
  );
  write(result, true);
  const row = (r: (typeof result.runs)[number]) =>
    `| ${r.workload} | ${r.shards} | ${r.events} | ${r.writeUnitsPerEvent.toFixed(3)} | ${(r.readUnits / r.events).toFixed(3)} | ${result.ratios[r.workload]?.toFixed(3) ?? '1'} | ${r.writesFailedForSize} | ${r.failedBatches} | ${r.transactionalRows} | ${r.largestState.entries} | ${r.largestState.bytes} | ${r.largestState.rowBytes} | ${r.wrongAllTimeRows} | ${r.batchesNamingAncestors} |`;
  console.log(
    [
      `write path: ${writePath}`,
      '| workload | shards | events | write units / event | read units / event | ÷ single-shard | writes failed for size | failed batches | transactional rows | largest state: entries | bytes | row bytes | wrong all-time rows | batches naming ancestors |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...result.runs.map(row),
      '',
      ...result.runs.map((r) => `${r.workload} units by row kind: ${JSON.stringify(r.unitsByKind)}`),
      `written to ${out}`,
    ].join('\n'),
  );
} finally {
  await local.stop();
}
