import type { BufferedBenchResult } from '../suites/buffered.ts';
import { fixed, int, ratio } from './format.ts';
import { markdownTable } from './markdown-table.ts';

/**
 * The buffered suite as markdown: direct (exactly-once) and Redis-buffered mode on the same workload,
 * with the buffered mode's ratios against direct and its cost target. A mode whose aggregates differ from
 * the oracle shows WRONG instead of its speed.
 *
 * @example
 * ```ts
 * console.log(bufferedMarkdown(await runBufferedBench({ endpoint })));
 * ```
 */
export function bufferedMarkdown(r: BufferedBenchResult): string {
  const modes = [r.direct, r.buffered].filter((m) => m !== undefined);
  const rows = modes.map((m) => {
    const vs = m === r.buffered && r.direct?.correct && m.correct ? r.direct : undefined;
    if (!m.correct) return [m.label, `WRONG (${int(m.wrongAggregates)} aggregates differ)`, '', '', '', '✗'];
    return [
      m.label,
      int(m.eventsPerSecond),
      vs ? ratio(m.eventsPerSecond / vs.eventsPerSecond) : '',
      fixed(m.writeUnitsPerEvent, 3),
      vs ? ratio(m.writeUnitsPerEvent / vs.writeUnitsPerEvent) : '',
      '✓',
    ];
  });
  const table = markdownTable(['mode', 'events/s', '× direct', 'WU/event', 'WU vs direct', 'oracle'], rows, [
    'l',
    'r',
    'r',
    'r',
    'r',
    'l',
  ]);
  const b = r.buffered;
  const facts = `${int(r.events)} events over ${fixed(r.spanMs / 3_600_000, 1)} h, ${int(r.stores)} stores, batches of ${int(r.batchSize)}; ${int(b.flushes)} flushes of ${int(b.bucketsFlushed)} buckets, peak Redis memory ${fixed(b.peakRedisBytes / 2 ** 20, 1)} MiB.`;
  const target = `Target ≤ ${r.targetWriteUnitsPerEvent} write units per event buffered: ${b.correct && r.meetsTarget ? 'met' : '**missed**'} (${fixed(b.writeUnitsPerEvent, 3)}).`;
  return [facts, '', table, '', target].join('\n');
}
