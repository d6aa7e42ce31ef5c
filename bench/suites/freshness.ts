/** One applied batch on the replay's clock (ms). */
export interface BatchTiming {
  records: number;
  startMs: number;
  endMs: number;
}

/** Freshness percentiles, ms. */
export interface Freshness {
  p50: number;
  p99: number;
}

/**
 * Freshness (item written → aggregate visible) of a replayed stream, under the model of a Lambda
 * consumer running at capacity: one invocation per shard at a time, and the source writing exactly as
 * fast as the consumer drains it. So batch k's records are written while batch k−1 is applied (record
 * j of B at `start(k−1) + j/B · duration(k−1)`; the first batch's predecessor is taken to last as
 * long as itself) and become visible when batch k completes. A record's freshness is therefore between
 * one and two batch durations: it waits for the batch before it, then for its own.
 *
 * @example
 * ```ts
 * freshnessOf([{ records: 2, startMs: 0, endMs: 10 }, { records: 2, startMs: 10, endMs: 30 }]);
 * // written at −10, −5 (visible at 10) and 0, 5 (visible at 30): samples 20, 15, 30, 25 → { p50: 20, p99: 30 }
 * ```
 */
export function freshnessOf(batches: readonly BatchTiming[]): Freshness {
  const samples: number[] = [];
  for (let k = 0; k < batches.length; k++) {
    const batch = batches[k] as BatchTiming;
    const prev = batches[k - 1];
    const writeStart = prev === undefined ? batch.startMs - (batch.endMs - batch.startMs) : prev.startMs;
    const writeSpan = prev === undefined ? batch.endMs - batch.startMs : prev.endMs - prev.startMs;
    for (let j = 0; j < batch.records; j++)
      samples.push(batch.endMs - (writeStart + (j / batch.records) * writeSpan));
  }
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) };
}

/**
 * The `q` quantile of `values` by nearest rank (0 for no values).
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 0.5); // 2
 * ```
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
