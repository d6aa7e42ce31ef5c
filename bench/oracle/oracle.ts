import type { SourceItem } from '../workload/types.ts';
import { bucketLabeler } from './bucket-labels.ts';
import { type Canonical, canonicalKey, GRANULARITIES, granularityOfLabel, MEASURES } from './canonical.ts';

/** Options for {@link computeOracle}. */
export interface OracleOptions {
  /** The zone of the day, month and year calendars; default `Europe/London`. */
  timeZone?: string;
}

/**
 * The exact aggregates the benchmark expects, recomputed from scratch from the source table's final
 * items: per store, per granularity (minute … all) and bucket, the count of orders and of views, in
 * canonical form (zeros omitted). Uses only the Temporal polyfill for time, never dynotally's code.
 *
 * @example
 * ```ts
 * const expected = computeOracle(finalItems(generateWorkload({ seed: 1, events: 300 })));
 * expected.get('store-0001|month|M2026-10|views'); // e.g. 31
 * ```
 */
export function computeOracle(items: Iterable<SourceItem>, options: OracleOptions = {}): Canonical {
  const labelsOf = bucketLabeler(options.timeZone ?? 'Europe/London');
  // store → label → [orders, views]; counting on reused string objects keeps lookups cheap,
  // and the canonical keys are built once per aggregate at the end.
  const counts = new Map<string, Map<string, [number, number]>>();
  for (const item of items) {
    const labels = labelsOf(item.ts);
    const slot = item.type === 'order' ? 0 : 1;
    let byLabel = counts.get(item.storeId);
    if (byLabel === undefined) {
      byLabel = new Map();
      counts.set(item.storeId, byLabel);
    }
    for (const granularity of GRANULARITIES) {
      const label = labels[granularity];
      let cell = byLabel.get(label);
      if (cell === undefined) {
        cell = [0, 0];
        byLabel.set(label, cell);
      }
      cell[slot]++;
    }
  }
  const out: Canonical = new Map();
  for (const [storeId, byLabel] of counts) {
    for (const [label, cell] of byLabel) {
      const granularity = granularityOfLabel(label);
      for (let slot = 0; slot < MEASURES.length; slot++) {
        if (cell[slot] !== 0)
          out.set(canonicalKey(storeId, granularity, label, MEASURES[slot]!), cell[slot]!);
      }
    }
  }
  return out;
}
