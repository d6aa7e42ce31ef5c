// npx tsx bench/backfill-scale.ts [--items=50000] [--segments=4] [--chunk=500] [--writer=100] [--no-history] [--endpoint=…] [--out=…]
//
// The backfill "done means" run of issue 14 on a DynamoDB Local it starts (in memory) unless --endpoint is given:
// see bench/backfill/scale-run.ts. Writes its figures to docs/performance/backfill-scale.json (--out=… to change)
// and exits 1 when version 2 does not equal the oracle.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startDynamoDbLocal } from '../packages/dynotally/src/local/index.ts';
import { runBackfillScale } from './backfill/scale-run.ts';
import { repoRoot } from './repo-root.ts';
import { machineInfo } from './report/machine.ts';

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const num = (name: string): number | undefined => (arg(name) === undefined ? undefined : Number(arg(name)));
const started = Date.now();
const log = (line: string) =>
  console.error(`[backfill ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

const local = arg('endpoint') === undefined ? await startDynamoDbLocal({ timeoutMs: 180_000 }) : undefined;
try {
  const endpoint = arg('endpoint') ?? (local?.endpoint as string);
  const figures = await runBackfillScale({
    endpoint,
    items: num('items') ?? 50_000,
    ...(num('segments') === undefined ? {} : { segments: num('segments') }),
    ...(num('chunk') === undefined ? {} : { chunkItems: num('chunk') }),
    ...(num('writer') === undefined ? {} : { writerOpsPerSecond: num('writer') }),
    version1History: !process.argv.includes('--no-history'),
    log,
  });
  const out = arg('out') ?? join(repoRoot(), 'docs', 'performance', 'backfill-scale.json');
  const result = {
    startedAt: new Date(started).toISOString(),
    command: `npx tsx bench/backfill-scale.ts ${process.argv.slice(2).join(' ')}`.trim(),
    store: local === undefined ? 'DynamoDB at --endpoint' : 'DynamoDB Local (in memory), started by the run',
    machine: {
      ...machineInfo(),
      loadAverageAtEnd: (await import('node:os')).loadavg().map((x) => Math.round(x * 10) / 10),
    },
    ...figures,
  };
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  log(`${figures.correct ? 'CORRECT' : 'WRONG'}: figures written to ${out}`);
  process.exitCode = figures.correct ? 0 : 1;
} finally {
  await local?.stop();
}
