// npx tsx bench/partiql-apply-cpu.ts [--src=<packages/dynotally/src of another checkout>] [--events=40000]
//
// CPU time of the Applier's own work on its PartiQL path (fold, plan, statements, the answers read and the write
// units estimated), without DynamoDB: the client answers every statement with success at once, so what is
// measured is the process's CPU (process.cpuUsage) between the first batch and the last, on the buffered
// bench's workload (S4 store metrics, 1,000 stores, one hour, batches of 100). `--src` loads the library from
// another tree (e.g. an extracted older commit, placed inside this checkout so node_modules resolve), so two
// versions can be compared in alternating runs. Prints one JSON line.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SEED, recordBatches, workloadStreamRecords } from './workload/index.ts';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const src = resolve(arg('src') ?? 'packages/dynotally/src');
const events = Number(arg('events') ?? 40_000);

const load = async <T>(path: string): Promise<T> =>
  (await import(pathToFileURL(resolve(src, path)).href)) as T;
type ApplyModule = typeof import('../packages/dynotally/src/apply/index.ts');
type DefinitionModule = typeof import('../packages/dynotally/src/definition/index.ts');
const { Applier } = await load<ApplyModule>('apply/index.ts');
const { count, defineRollup } = await load<DefinitionModule>('definition/index.ts');

// the bench's S4 rollup (bench/suites/s4-rollup.ts), defined by the library under test
const rollup = defineRollup({
  name: 'store',
  groupBy: 'storeId',
  time: { attribute: 'ts', format: 'epoch-millis' },
  timeZone: 'Europe/London',
  granularities: ['minute', 'hour', 'day', 'month', 'year', 'all'],
  measures: {
    orders: count({ where: { type: 'order' } }),
    views: count({ where: { type: 'view' } }),
  },
});

/** A DynamoDB client that answers every statement and UpdateItem with success, at once. */
const client = {
  send: async (command: { input: { Statements?: unknown[] } }) =>
    command.input.Statements === undefined ? {} : { Responses: command.input.Statements.map(() => ({})) },
};

const workload = { seed: DEFAULT_SEED, events, spanMs: 3_600_000, stores: 1_000 };
const batches = [...recordBatches(workloadStreamRecords(workload), 100)];
let now = 0;
const applier = new Applier({
  client: client as never,
  table: 'cpu',
  rollups: [rollup],
  write: { api: 'partiql' },
  now: () => now,
});
let units = 0;
let rows = 0;
const before = process.cpuUsage();
for (const batch of batches) {
  now = (batch.records[batch.records.length - 1]?.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;
  const { report } = await applier.apply({ records: batch.records, shardId: batch.shardId });
  units += report.writeUnits;
  rows += report.rowsWritten;
}
const cpu = process.cpuUsage(before);
console.log(
  JSON.stringify({
    src,
    events,
    batches: batches.length,
    rowsWritten: rows,
    estimatedWriteUnits: units,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
  }),
);
