/** An S4-like source item: one store event (an order or a page view). */
export interface SourceItem {
  /** Partition key of the source table: `evt#<n>`. */
  pk: string;
  /** `store-0001` … `store-1000`. */
  storeId: string;
  type: 'order' | 'view';
  /** Event time, epoch milliseconds. */
  ts: number;
  /** Orders only: a decimal with two places, e.g. `'42.50'` (a DynamoDB Number, kept as a string to stay exact). */
  amount?: string;
}

/** The source table's key. */
export interface SourceKey {
  pk: string;
}

/**
 * One write to the source table, in order. `at` is the simulated wall-clock time of the write
 * (epoch ms); it becomes the stream record's `ApproximateCreationDateTime`.
 */
export type Operation =
  | { op: 'put'; item: SourceItem; at?: number }
  | { op: 'delete'; key: SourceKey; at?: number };

/** Options for the workload generator. */
export interface WorkloadOptions {
  /** PRNG seed; the same seed and options always give the same operations. Default {@link DEFAULT_SEED}. */
  seed?: number;
  /** Number of operations (= stream records) to generate. */
  events: number;
  /** Start of simulated time, epoch ms. Default 2026-10-24T22:00:00Z. */
  startMs?: number;
  /**
   * Simulated time the operations are spread over, ms. Default 7 days 8 hours, so the window crosses
   * the end of British Summer Time (2026-10-25T01:00Z) and the end of October in `Europe/London`.
   */
  spanMs?: number;
  /** Number of stores; default 1,000. */
  stores?: number;
  /** Zipf exponent of store popularity; default 1.1. */
  zipfS?: number;
  /** Share of operations that modify an earlier live item; default 0.05. */
  modifyShare?: number;
  /** Share of operations that remove an earlier live item; default 0.05. */
  removeShare?: number;
  /** Share of new events that are orders (the rest are views); default 0.1. */
  orderShare?: number;
}

/** The documented default seed of every benchmark workload. */
export const DEFAULT_SEED = 20261025;
/** 2026-10-24T22:00:00Z: three hours before BST ends in London. */
export const DEFAULT_START_MS = Date.UTC(2026, 9, 24, 22, 0, 0);
/** 7 days 8 hours: past the DST change and the October/November month end in London. */
export const DEFAULT_SPAN_MS = (7 * 24 + 8) * 3_600_000;
