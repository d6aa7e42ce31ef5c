import type { FootprintResult } from '../suites/footprint.ts';
import { duration, fixed, kib, ratio } from './format.ts';
import { markdownTable } from './markdown-table.ts';

/**
 * The footprint suite as markdown, with ratios against the naive handler.
 *
 * @example
 * ```ts
 * console.log(footprintMarkdown(await runFootprintBench({ endpoint })));
 * ```
 */
export function footprintMarkdown(results: readonly FootprintResult[]): string {
  const naive = results.find((r) => r.handler === 'naive');
  const vs = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined ? '' : ` (${ratio(a / b)})`;
  const rows = results.map((r) => {
    const own = r.handler === 'naive';
    return [
      r.handler,
      `${kib(r.bundleBytes)}${own ? '' : vs(r.bundleBytes, naive?.bundleBytes)}`,
      kib(r.bundleGzipBytes),
      kib(r.bundleWithoutSdkBytes),
      r.coldImportMs === undefined
        ? '—'
        : `${duration(r.coldImportMs)}${own ? '' : vs(r.coldImportMs, naive?.coldImportMs)}`,
      r.error !== undefined
        ? `FAILED: ${r.error.slice(0, 60)}`
        : r.peakRssMiB === undefined
          ? '—'
          : `${fixed(r.peakRssMiB, 0)} MiB${own ? '' : vs(r.peakRssMiB, naive?.peakRssMiB)}`,
      r.rssAfterImportMiB === undefined ? '—' : `${fixed(r.rssAfterImportMiB, 0)} MiB`,
    ];
  });
  const batch = results.find((r) => r.batchRecords !== undefined)?.batchRecords;
  return markdownTable(
    [
      'handler',
      'bundle (minified)',
      'gzipped',
      'without AWS SDK',
      'cold import (median)',
      `peak RSS, ${batch ?? 1000}-record batch`,
      'RSS after import',
    ],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
}
