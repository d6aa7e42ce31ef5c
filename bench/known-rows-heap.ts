// node --expose-gc --import tsx bench/known-rows-heap.ts [--src=<packages/dynotally/src of another checkout>]
//
// Heap the Applier's memory of rows (KnownRows) takes at its 50,000-row limit, each row an hour row of the
// bench's S4 rollup as a PartiQL write leaves it: keys, updatedAt, ttl, one shard state, two totals and two
// minute counters. `--src` loads another tree's KnownRows (the size-less one before the estimate fix took
// `wrote(rowKey, attrs, bytes)`), for before/after figures. Prints one JSON line.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const src = resolve(
  process.argv.find((a) => a.startsWith('--src='))?.slice('--src='.length) ?? 'packages/dynotally/src',
);
const { KnownRows } = (await import(pathToFileURL(resolve(src, 'apply/known-rows.ts')).href)) as {
  KnownRows: new () => { wrote(...args: unknown[]): unknown; get(key: string): unknown };
};
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const ROWS = 49_999; // one below the limit, at which the memory is cleared
const sized = KnownRows.prototype.wrote.length === 2; // (rowKey, writes, removed = [])
const known = new KnownRows();
gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < ROWS; i++) {
  const key = `store#s${i}\u0000H2026-11-22T13:00`;
  const minutes = [`orders_${i % 60}`, `views_${i % 60}`];
  if (sized)
    known.wrote(key, [
      { name: 'pk', bytes: 10, fixed: true },
      { name: 'sk', bytes: 17, fixed: true },
      { name: 'updatedAt', bytes: 8, fixed: true },
      { name: 'ttl', bytes: 6, fixed: true },
      { name: '~abcdefgh', bytes: 14 },
      ...['orders', 'views', ...minutes].map((name) => ({ name, bytes: 2, add: true })),
    ]);
  else known.wrote(key, ['orders', 'views', ...minutes], 120);
}
gc();
const heapMiB = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
if (known.get('store#s1\u0000H2026-11-22T13:00') === undefined) throw new Error('rows were not kept');
console.log(JSON.stringify({ src, rows: ROWS, sized, heapMiB: Math.round(heapMiB * 10) / 10 }));
