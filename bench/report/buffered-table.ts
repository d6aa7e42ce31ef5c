import type { BufferedBenchResult } from '../suites/buffered.ts';
import { fixed, int, ratio } from './format.ts';
import { markdownTable } from './markdown-table.ts';

/**
 * The buffered suite as markdown: direct (exactly-once, on PartiQL and on UpdateItem) and Redis-buffered mode
 * on the same workload, with ratios against direct on its default path (PartiQL; UpdateItem when that is
 * the only direct run) and the buffered cost target. A mode whose aggregates differ from the oracle shows
 * WRONG instead of its speed.
 *
 * @example
 * ```ts
 * console.log(bufferedMarkdown(await runBufferedBench({ endpoint })));
 * ```
 */
export function bufferedMarkdown(r: BufferedBenchResult): string {
  const base = r.direct ?? r.directUpdateItem;
  const modes = [r.direct, r.directUpdateItem, r.buffered].filter((m) => m !== undefined);
  const rows = modes.map((m) => {
    const vs = m !== base && base?.correct && m.correct ? base : undefined;
    if (!m.correct)
      return [m.label, `WRONG (${int(m.wrongAggregates)} aggregates differ)`, '', '', '', '', '', '✗'];
    return [
      m.label,
      int(m.eventsPerSecond),
      vs ? ratio(m.eventsPerSecond / vs.eventsPerSecond) : '',
      fixed(m.requestsPerEvent, 3),
      fixed(m.writeUnitsPerEvent, 3),
      vs ? ratio(m.writeUnitsPerEvent / vs.writeUnitsPerEvent) : '',
      m.metering,
      '✓',
    ];
  });
  const table = markdownTable(
    [
      'mode',
      'events/s',
      `× ${base === r.directUpdateItem ? 'direct' : 'direct (PartiQL)'}`,
      'requests/event',
      'WU/event',
      'WU vs direct',
      'WU',
      'oracle',
    ],
    rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
  );
  const b = r.buffered;
  const facts = `${int(r.events)} events over ${fixed(r.spanMs / 3_600_000, 1)} h, ${int(r.stores)} stores, batches of ${int(r.batchSize)}; ${int(b.flushes)} flushes of ${int(b.bucketsFlushed)} buckets, peak Redis memory ${fixed(b.peakRedisBytes / 2 ** 20, 1)} MiB.`;
  const metering =
    r.pricing === 'images'
      ? "Write units priced from each table's stream images (every table has a stream, so every mode runs under the same conditions)."
      : "No image streams: write units as DynamoDB Local reports them; PartiQL's are the Applier's own estimate (estimated).";
  const target = `Target ≤ ${r.targetWriteUnitsPerEvent} write units per event buffered: ${b.correct && r.meetsTarget ? 'met' : '**missed**'} (${fixed(b.writeUnitsPerEvent, 3)}).`;
  return [facts, metering, '', table, '', target].join('\n');
}
